//! Finishing, exporting and verifying a visit through the CLI: `doorstep verify` passes an
//! untouched export and names what fails when one byte of the record, the signature or a media
//! file changes.

use std::path::Path;

use doorstep_tests::{stderr, Cli};

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

fn signed_visit() -> (Cli, String) {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let idn = doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::from_ymd_opt(1938, 5, 2).expect("date"),
        21,
    );
    let roster = cli.dir.path().join("r.csv");
    std::fs::write(
        &roster,
        format!("{HEADER}\nB1,赵德胜,{idn},,,elderly,410225100201,村,34.8,114.8,,,,,,,active,\n"),
    )
    .expect("write");
    cli.ok(&["roster", "import", roster.to_str().expect("path")]);
    let id = cli.json(&["visit", "start", "B1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let contact = cli.dir.path().join("c.json");
    std::fs::write(&contact, r#"{"type":"contact","outcome":"met_person"}"#).expect("write");
    cli.ok(&["visit", "act", &id, contact.to_str().expect("path")]);
    cli.ok(&[
        "visit",
        "fix",
        &id,
        "--lat",
        "34.8",
        "--lon",
        "114.8",
        "--accuracy",
        "8",
    ]);
    let wave: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            let s = f64::from(i) / 99.0;
            serde_json::json!({"x": 50.0 + s * 480.0, "y": 100.0 + 50.0 * (s * 18.0).sin(), "t": i * 9})
        })
        .collect();
    let strokes = cli.dir.path().join("s.json");
    std::fs::write(
        &strokes,
        serde_json::json!({"width": 600, "height": 200, "strokes": [wave]}).to_string(),
    )
    .expect("write");
    cli.ok(&[
        "visit",
        "sign",
        &id,
        "--strokes",
        strokes.to_str().expect("path"),
    ]);
    (cli, id)
}

fn flip_last_byte(path: &Path) {
    let mut b = std::fs::read(path).expect("read");
    let i = b.len() - 2;
    b[i] ^= 0x01;
    std::fs::write(path, b).expect("write");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("media")).expect("mkdir");
    for name in ["record.json", "record.sig", "device.pub"] {
        std::fs::copy(from.join(name), to.join(name)).expect("copy");
    }
    for e in std::fs::read_dir(from.join("media")).expect("media") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join("media").join(e.file_name())).expect("copy");
    }
}

#[test]
fn finish_export_and_verify_and_every_changed_byte_is_named() {
    let (cli, id) = signed_visit();
    let done = cli.json(&["visit", "finish", &id]);
    assert_eq!(done["seq"], 1);
    assert_eq!(done["hash"].as_str().map(str::len), Some(64));
    // Sealed: no action changes it.
    let note = cli.dir.path().join("n.json");
    std::fs::write(&note, r#"{"type":"note","text":"later"}"#).expect("write");
    let out = cli.run(&["visit", "act", &id, note.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sealed"), "{}", stderr(&out));

    let good = cli.dir.path().join("export");
    cli.ok(&[
        "visit",
        "export",
        &id,
        "--out",
        good.to_str().expect("path"),
    ]);
    assert_eq!(
        std::fs::read(good.join("record.sig")).expect("sig").len(),
        64
    );
    assert_eq!(
        std::fs::read(good.join("device.pub")).expect("pub").len(),
        32
    );
    let record = std::fs::read(good.join("record.json")).expect("record");
    let hash = doorstep_core::crypto::hex(&doorstep_core::crypto::sha256(&record));
    assert_eq!(
        done["hash"].as_str(),
        Some(hash.as_str()),
        "record.json is exactly the signed bytes"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&good), 0o700);
        assert_eq!(
            mode(&good.join("record.json")),
            0o600,
            "the record is personal data"
        );
    }
    let again = cli.run(&[
        "visit",
        "export",
        &id,
        "--out",
        good.to_str().expect("path"),
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "never into a folder that holds files"
    );
    let v = cli.json(&["verify", good.to_str().expect("path")]);
    assert_eq!(v["verified"], true);
    assert_eq!(v["media"], 1);
    assert_eq!(v["device_fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(v["device_key"].as_str().map(str::len), Some(64));

    let media = std::fs::read_dir(good.join("media"))
        .expect("media")
        .next()
        .expect("one file")
        .expect("entry")
        .file_name();
    for (what, expect) in [
        ("record.json", "signature does not match"),
        ("record.sig", "signature does not match"),
        ("media", "does not match its hash"),
    ] {
        let bad = cli.dir.path().join(format!("bad-{what}"));
        copy_dir(&good, &bad);
        let target = if what == "media" {
            bad.join("media").join(&media)
        } else {
            bad.join(what)
        };
        flip_last_byte(&target);
        let out = cli.run(&["verify", bad.to_str().expect("path")]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(stderr(&out).contains(expect), "{what}: {}", stderr(&out));
    }
    let missing = cli.dir.path().join("missing");
    copy_dir(&good, &missing);
    std::fs::remove_file(missing.join("media").join(&media)).expect("rm");
    let out = cli.run(&["verify", missing.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is missing"), "{}", stderr(&out));
}

#[test]
fn a_phone_photo_goes_in_with_gps_and_comes_out_without() {
    let (cli, id) = signed_visit();
    let photo = format!(
        "{}/../../shared/data/photos/mosaic-12mp-exif-gps.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    let input = std::fs::read(&photo).expect("test photo");
    assert!(input.windows(4).any(|w| w == b"Exif"));
    let v = cli.json(&["visit", "photo", &id, &photo]);
    assert_eq!(v["photos"], 1);
    cli.ok(&["visit", "finish", &id]);
    let out = cli.dir.path().join("export");
    cli.ok(&["visit", "export", &id, "--out", out.to_str().expect("path")]);
    let jpgs: Vec<Vec<u8>> = std::fs::read_dir(out.join("media"))
        .expect("media")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".jpg"))
        .map(|e| std::fs::read(e.path()).expect("read"))
        .collect();
    assert_eq!(jpgs.len(), 1);
    let jpg = &jpgs[0];
    assert!(jpg.starts_with(&[0xFF, 0xD8]));
    assert!(!jpg.windows(4).any(|w| w == b"Exif") && !jpg.windows(3).any(|w| w == b"GPS"));
    assert!(jpg.len() < input.len() / 3);
    let v = cli.json(&["verify", out.to_str().expect("path")]);
    assert_eq!(v["media"], 2, "the photo and the signature image");
    let out = cli.run(&["visit", "photo", &id, &photo]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a sealed visit takes no more photos"
    );
}
