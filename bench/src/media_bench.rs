//! `doorstep-bench media`: 100 devices each send 3 photos of 300 KB through the device API
//! (signed 256 KiB chunks, staged, checked against their hash, one PUT each) to a real S3
//! server on loopback (moto), against raw PUTs of the same objects into another bucket of the
//! same server at the same concurrency. Last line:
//! `media: photos_per_s=N vs_raw_put=X.XX staging_bytes=N` (the API's time over the raw
//! PUTs'; the bytes left in staging after the run).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use doorstep_core::crypto::{hex, random_hex, sha256, DeviceKey};
use doorstep_core::wire::{
    request_message, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME,
};
use doorstep_server::admin;
use doorstep_server::media_store::{MediaStore, S3Config};
use serde_json::json;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 100)]
    devices: usize,
    #[arg(long, default_value_t = 3)]
    photos: usize,
    #[arg(long, default_value_t = 300_000)]
    bytes: usize,
}

const CHUNK: usize = 256 * 1024;

/// moto's S3 server, gone with the value.
struct Moto(Child, String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn moto() -> Result<Moto, BoxError> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("python3")
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
        .map_err(|e| format!("moto[server] (pip install 'moto[server]'): {e}"))?;
    let until = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err("moto did not start".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Moto(child, format!("http://127.0.0.1:{port}")))
}

fn bucket(m: &Moto, name: &str, agent: &ureq::Agent) -> Result<S3Config, BoxError> {
    agent.put(format!("{}/{name}", m.1)).send_empty()?;
    Ok(S3Config {
        bucket: name.into(),
        endpoint: Some(m.1.clone()),
        region: "us-east-1".into(),
        virtual_host: false,
        access_key: "bench".into(),
        secret_key: "bench".into(),
    })
}

struct Device {
    id: String,
    key: DeviceKey,
    photos: Vec<Vec<u8>>,
}

/// One signed request as a device makes it; the answer's status and body.
fn signed(
    agent: &ureq::Agent,
    base: &str,
    d: &Device,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<(u16, String), BoxError> {
    let time = chrono::Utc::now().timestamp();
    let nonce = random_hex(8)?;
    let sig = hex(&d
        .key
        .sign(&request_message(method, path, time, &nonce, body)));
    let url = format!("{base}{path}");
    let r = match method {
        "PUT" => agent.put(&url),
        _ => agent.post(&url),
    };
    let mut r = r
        .header(HEADER_DEVICE, &d.id)
        .header(HEADER_TIME, &time.to_string())
        .header(HEADER_NONCE, &nonce)
        .header(HEADER_SIGNATURE, &sig)
        .send(body)?;
    Ok((r.status().as_u16(), r.body_mut().read_to_string()?))
}

/// A photo's bytes: distinct per device and photo, incompressible as JPEG data is.
fn photo(d: usize, p: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut block = sha256(format!("photo {d}/{p}").as_bytes());
    while out.len() < len {
        out.extend_from_slice(&block);
        block = sha256(&block);
    }
    out.truncate(len);
    out
}

pub fn run(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let m = moto()?;
    let api_bucket = bucket(&m, "api", &agent)?;
    let raw_bucket = bucket(&m, "raw", &agent)?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    let storage = doorstep_server::open(&data)?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("date")?;
    let people = doorstep_sample::generate(42, 500, today);
    let now = chrono::Utc::now().timestamp();
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        "410225",
        doorstep_sample::to_csv(&people).as_bytes(),
        today,
        now,
    ))?;
    let state = doorstep_server::AppState::new(
        storage.clone(),
        doorstep_server::media_store(&data, Some(&api_bucket))?,
    );
    let server = doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, None)?;
    let base = server.url();

    // Enrol the devices and push the visits naming their photos before the clock starts.
    let mut devices = Vec::with_capacity(a.devices);
    for d in 0..a.devices {
        let code = doorstep_server::block_on(admin::enrolment_code(
            storage.as_ref(),
            "bench",
            "410225",
            now,
        ))?;
        let key = DeviceKey::generate()?;
        let body = json!({"code": code, "public_key": hex(&key.public_key())}).to_string();
        let mut r = agent
            .post(format!("{base}/api/v1/enrol"))
            .send(body.as_bytes())?;
        let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        let id = v["device_id"]
            .as_str()
            .ok_or("enrolment failed")?
            .to_owned();
        let photos: Vec<Vec<u8>> = (0..a.photos).map(|p| photo(d, p, a.bytes)).collect();
        let device = Device { id, key, photos };
        // The ingest benchmark's realistic record, naming this device's photos.
        let mut visit: serde_json::Value = serde_json::from_str(&crate::ingest_bench::record(
            &device.key,
            d,
            1,
            None,
            &people[d % people.len()].id,
        ))?;
        visit["photos"] = json!(device
            .photos
            .iter()
            .map(|p| hex(&sha256(p)))
            .collect::<Vec<_>>());
        let text = doorstep_core::record::RecordV1::decode(visit.to_string().as_bytes())
            .map(|r| String::from_utf8(r.canonical()))
            .map_err(|_| "the bench record does not decode")??;
        let record = json!({"records": [{"record": text, "signature": hex(&device.key.sign(text.as_bytes()))}]});
        let (status, answer) = signed(
            &agent,
            &base,
            &device,
            "POST",
            "/api/v1/visits",
            record.to_string().as_bytes(),
        )?;
        if status != 200 || !answer.contains("\"stored\"") {
            return Err(format!("push refused ({status}): {answer}").into());
        }
        devices.push(device);
    }
    let devices = Arc::new(devices);

    let started = Instant::now();
    let threads: Vec<_> = (0..devices.len())
        .map(|i| {
            let (devices, agent, base) = (devices.clone(), agent.clone(), base.clone());
            std::thread::spawn(move || -> Result<(), BoxError> {
                let d = &devices[i];
                for p in &d.photos {
                    let sha = hex(&sha256(p));
                    for off in (0..p.len()).step_by(CHUNK) {
                        let end = (off + CHUNK).min(p.len());
                        let path = format!("/api/v1/media/{sha}?offset={off}&total={}", p.len());
                        let (status, answer) =
                            signed(&agent, &base, d, "PUT", &path, &p[off..end])?;
                        let done = end == p.len();
                        if status != 200 || done != answer.contains("\"complete\":true") {
                            return Err(format!("chunk refused ({status}): {answer}").into());
                        }
                    }
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a device thread panicked")??;
    }
    let api_s = started.elapsed().as_secs_f64();
    use doorstep_server::Storage;
    let staging = doorstep_server::block_on(storage.media_staging_bytes())?;
    drop(server);

    // The same objects PUT straight into the store, as many at once as there were devices.
    let raw = MediaStore::s3(&raw_bucket)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let raw_s = rt.block_on(async {
        let started = Instant::now();
        let tasks: Vec<_> = (0..devices.len())
            .map(|i| {
                let (devices, raw) = (devices.clone(), raw.clone());
                tokio::spawn(async move {
                    for p in &devices[i].photos {
                        raw.put(&hex(&sha256(p)), p.clone()).await?;
                    }
                    Ok::<_, doorstep_server::media_store::MediaStoreError>(())
                })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        Ok::<_, BoxError>(started.elapsed().as_secs_f64())
    })?;
    let n = devices.len() * a.photos;
    let per_s = n as f64 / api_s;
    println!(
        "media benchmark: {} devices × {} photos of {} bytes to moto's S3 on loopback",
        devices.len(),
        a.photos,
        a.bytes
    );
    println!("through the API: {api_s:.2} s ({per_s:.0} photos/s); raw PUTs: {raw_s:.2} s");
    println!(
        "media: photos_per_s={per_s:.0} vs_raw_put={:.2} staging_bytes={staging}",
        api_s / raw_s
    );
    Ok(())
}
