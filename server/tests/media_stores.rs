//! The media store, one suite for each kind: every test runs against the data folder and
//! against a real S3 server on loopback (moto, from PyPI: `scripts/setup --tests` installs
//! it). Uploads go through the device API: chunks staged in the database, the whole checked
//! against its hash, one PUT into the store keyed by the hash, the staging emptied; a write
//! that fails stays staged and the device's next call finishes it.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use doorstep_crypto::{hex, sha256};
use doorstep_server::media_store::{MediaStore, S3Config};

/// `python3 -m moto.server` on a free loopback port, gone with the value.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let python = std::env::var("DOORSTEP_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto[server] from PyPI (scripts/setup --tests installs it)");
    let endpoint = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, endpoint }
}

impl Moto {
    fn config(&self, bucket: &str) -> S3Config {
        S3Config {
            bucket: bucket.into(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            virtual_host: false,
            access_key: "testing".into(),
            secret_key: "testing".into(),
        }
    }

    /// Buckets are the operator's to make, not the server's.
    fn make_bucket(&self, bucket: &str) {
        let r = agent()
            .put(format!("{}/{bucket}", self.endpoint))
            .send_empty();
        assert_eq!(r.expect("moto").status(), 200);
    }
}

/// Runs `f` on each kind of store: the server, and a second handle on the same store to look
/// into it from outside the server.
fn on_each_store(f: impl Fn(&str, &Server, &MediaStore)) {
    let s = server();
    let folder = MediaStore::folder(&s.dir.path().join("data").join("media")).expect("folder");
    f("folder", &s, &folder);
    let m = moto();
    m.make_bucket("photos");
    let c = m.config("photos");
    let s = server_with(Some(&c));
    f("s3", &s, &MediaStore::s3(&c).expect("s3"));
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn staging_bytes(s: &Server) -> u64 {
    doorstep_server::block_on(s.storage.media_staging_bytes()).expect("staging")
}

fn upload(s: &Server, d: &Device, photo: &[u8], chunk: usize) -> (u16, serde_json::Value) {
    let sha = hex(&sha256(photo));
    let mut last = (0, serde_json::Value::Null);
    for off in (0..photo.len()).step_by(chunk) {
        let end = (off + chunk).min(photo.len());
        let path = format!("/api/v1/media/{sha}?offset={off}&total={}", photo.len());
        last = s.signed(d, "PUT", &path, &photo[off..end]);
        if last.0 != 200 {
            break;
        }
    }
    last
}

#[test]
fn an_upload_is_staged_checked_and_kept_under_its_hash() {
    on_each_store(|kind, s, store| {
        let d = s.enrol();
        let who = first_recipient(s, &d);
        let photo: Vec<u8> = (0..700_000u32).map(|i| (i * 13 % 251) as u8).collect();
        let sha = hex(&sha256(&photo));
        let bad = vec![7u8; 5000];
        let bad_sha = hex(&sha256(b"what the record says"));
        let (pushed, receipts) = push(s, &d, &[record(&d, "V1", 1, None, &who, &[&sha, &bad_sha])]);
        assert_eq!(pushed, 200, "{kind}: {receipts}");

        // 256 KiB chunks, as devices send them; staged until the last.
        let first = format!("/api/v1/media/{sha}?offset=0&total={}", photo.len());
        let (status, body) = s.signed(&d, "PUT", &first, &photo[..256 * 1024]);
        assert_eq!(
            (status, body["complete"].as_bool()),
            (200, Some(false)),
            "{kind}: {body}"
        );
        assert_eq!(
            block_on(store.get(&sha)).expect("get"),
            None,
            "{kind}: nothing kept before the whole"
        );
        assert_eq!(staging_bytes(s), 256 * 1024, "{kind}");
        let path = format!(
            "/api/v1/media/{sha}?offset={}&total={}",
            256 * 1024,
            photo.len()
        );
        let (status, body) = s.signed(&d, "PUT", &path, &photo[256 * 1024..]);
        assert_eq!(
            (status, body["complete"].as_bool()),
            (200, Some(true)),
            "{kind}: {body}"
        );
        assert_eq!(
            block_on(store.get(&sha)).expect("get").as_deref(),
            Some(&photo[..]),
            "{kind}"
        );
        assert_eq!(staging_bytes(s), 0, "{kind}: staging emptied");
        // Sent again by a device that missed the answer: complete, nothing rewritten.
        let (status, body) = s.signed(&d, "GET", &format!("/api/v1/media/{sha}"), b"");
        assert_eq!(
            (status, body["complete"].as_bool()),
            (200, Some(true)),
            "{kind}"
        );

        // Bytes that are not what their hash says: 422, nothing in the store, nothing staged.
        let path = format!("/api/v1/media/{bad_sha}?offset=0&total={}", bad.len());
        assert_eq!(s.signed(&d, "PUT", &path, &bad).0, 422, "{kind}");
        assert_eq!(block_on(store.get(&bad_sha)).expect("get"), None, "{kind}");
        assert_eq!(staging_bytes(s), 0, "{kind}");
    });
}

#[test]
fn a_failed_write_stays_staged_and_the_next_call_finishes_it() {
    // The folder: its place taken by a file, so no photo can be written there.
    let s = server();
    let media = s.dir.path().join("data").join("media");
    std::fs::remove_dir_all(&media).expect("rm");
    std::fs::write(&media, b"not a folder").expect("block");
    let unblock = || {
        std::fs::remove_file(&media).expect("unblock");
    };
    failed_then_finished("folder", &s, unblock, &|| {
        MediaStore::folder(&media).expect("folder")
    });
    // S3: the bucket does not exist yet.
    let m = moto();
    let c = m.config("later");
    let s = server_with(Some(&c));
    failed_then_finished("s3", &s, || m.make_bucket("later"), &|| {
        MediaStore::s3(&c).expect("s3")
    });
}

fn failed_then_finished(
    kind: &str,
    s: &Server,
    repair: impl FnOnce(),
    store: &dyn Fn() -> MediaStore,
) {
    let d = s.enrol();
    let who = first_recipient(s, &d);
    let photo: Vec<u8> = (0..90_000u32).map(|i| (i * 31 % 253) as u8).collect();
    let sha = hex(&sha256(&photo));
    push(s, &d, &[record(&d, "V1", 1, None, &who, &[&sha])]);
    let (status, body) = upload(s, &d, &photo, 256 * 1024);
    assert_eq!(status, 503, "{kind}: {body}");
    assert_eq!(body["error"], "unavailable", "{kind}: {body}");
    assert_eq!(
        staging_bytes(s),
        photo.len() as u64,
        "{kind}: the bytes wait in staging"
    );
    repair();
    // The device asks where its upload stands: the server finishes it then and there.
    let (status, body) = s.signed(&d, "GET", &format!("/api/v1/media/{sha}"), b"");
    assert_eq!(
        (status, body["complete"].as_bool()),
        (200, Some(true)),
        "{kind}: {body}"
    );
    assert_eq!(
        block_on(store().get(&sha)).expect("get").as_deref(),
        Some(&photo[..]),
        "{kind}"
    );
    assert_eq!(staging_bytes(s), 0, "{kind}");
}

#[test]
fn photos_an_older_version_kept_in_the_database_move_to_the_store() {
    on_each_store(|kind, s, store| {
        let photo = format!("a photo kept inline before the media store ({kind})").into_bytes();
        let sha = hex(&sha256(&photo));
        s.db.put_inline_media(&sha, &photo);
        let storage = s.storage.clone();
        assert_eq!(
            block_on(doorstep_server::move_inline_media(&storage, store)).expect("move"),
            1,
            "{kind}"
        );
        assert_eq!(
            block_on(store.get(&sha)).expect("get"),
            Some(photo),
            "{kind}"
        );
        assert_eq!(staging_bytes(s), 0, "{kind}: nothing left inline");
        assert_eq!(
            block_on(doorstep_server::move_inline_media(&storage, store)).expect("again"),
            0
        );
    });
}
