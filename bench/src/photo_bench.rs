//! The photo benchmark: our pipeline per image, in this process, against libvips's
//! `vipsthumbnail` (same long edge 1600, quality 80, metadata stripped). vips per image =
//! (one call on 11 copies − one call on 1 copy) / 10, which removes its start-up. Interleaved
//! rounds, medians; PSNR of each output against ImageMagick's `-resize 1600x1600` to PNG.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use doorstep_core::media::photo;

use crate::stats::median;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Photos to measure (default: the test photos in ../shared/data/photos).
    files: Vec<PathBuf>,
    #[arg(long, default_value_t = 7)]
    rounds: usize,
}

type BoxError = Box<dyn std::error::Error>;

const LONG_EDGE: u32 = 1600;

fn default_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/photos");
    ["forest-path-2560x1600.jpg", "mosaic-12mp-exif-gps.jpg"]
        .iter()
        .map(|f| dir.join(f))
        .collect()
}

fn run(cmd: &mut Command) -> Result<(), BoxError> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// One vipsthumbnail call over `copies`; returns seconds.
fn vips(copies: &[PathBuf], out_dir: &Path) -> Result<f64, BoxError> {
    let t = Instant::now();
    run(Command::new("vipsthumbnail")
        .args(["--size", &format!("{LONG_EDGE}x{LONG_EDGE}")])
        .arg("-o")
        .arg(format!("{}/%s.jpg[Q=80,strip]", out_dir.display()))
        .args(copies))?;
    Ok(t.elapsed().as_secs_f64())
}

fn rgb_of_jpeg(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), BoxError> {
    let img = turbojpeg::decompress(bytes, turbojpeg::PixelFormat::RGB)?;
    Ok((
        u32::try_from(img.width)?,
        u32::try_from(img.height)?,
        img.pixels,
    ))
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

struct Result1 {
    name: String,
    ours_ms: f64,
    vips_ms: f64,
    ours_bytes: usize,
    vips_bytes: usize,
    ours_psnr: Option<f64>,
    vips_psnr: Option<f64>,
}

fn measure(file: &Path, rounds: usize) -> Result<Result1, BoxError> {
    let bytes = std::fs::read(file)?;
    let work = tempfile::tempdir()?;
    let copies: Vec<PathBuf> = (0..11)
        .map(|i| {
            let p = work.path().join(format!("copy{i}.jpg"));
            std::fs::copy(file, &p).map(|_| p)
        })
        .collect::<Result<_, _>>()?;
    let out = work.path().join("out");
    std::fs::create_dir_all(&out)?;
    let (mut ours, mut v11, mut v1) = (Vec::new(), Vec::new(), Vec::new());
    let mut ours_out = Vec::new();
    for round in 0..rounds {
        for k in 0..3 {
            match (round + k) % 3 {
                0 => {
                    let t = Instant::now();
                    let p = photo::process(&bytes, LONG_EDGE)?;
                    ours.push(t.elapsed().as_secs_f64());
                    ours_out = p.jpeg;
                }
                1 => v11.push(vips(&copies, &out)?),
                _ => v1.push(vips(&copies[..1], &out)?),
            }
        }
    }
    let vips_out = std::fs::read(out.join("copy0.jpg"))?;
    let reference = work.path().join("ref.png");
    run(Command::new("/usr/bin/convert")
        .arg(file)
        .args([
            "-auto-orient",
            "-resize",
            &format!("{LONG_EDGE}x{LONG_EDGE}"),
        ])
        .arg(&reference))?;
    let r = image::open(&reference)?.to_rgb8();
    let score = |jpeg: &[u8]| -> Result<Option<f64>, BoxError> {
        let (w, h, px) = rgb_of_jpeg(jpeg)?;
        Ok(((w, h) == r.dimensions()).then(|| psnr(&px, r.as_raw())))
    };
    Ok(Result1 {
        name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ours_ms: median(&ours) * 1e3,
        vips_ms: (median(&v11) - median(&v1)) / 10.0 * 1e3,
        ours_bytes: ours_out.len(),
        vips_bytes: vips_out.len(),
        ours_psnr: score(&ours_out)?,
        vips_psnr: score(&vips_out)?,
    })
}

pub fn run_bench(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let files = if a.files.is_empty() {
        default_files()
    } else {
        a.files.clone()
    };
    let rounds = a.rounds.max(5);
    let mut results = Vec::new();
    for f in &files {
        results.push(measure(f, rounds)?);
    }
    println!("photo benchmark: long edge {LONG_EDGE}, quality 80, {rounds} rounds, medians");
    println!(
        "{:<28} {:>9} {:>9} {:>10} {:>10} {:>9} {:>9}",
        "file", "ours_ms", "vips_ms", "ours_B", "vips_B", "ours_dB", "vips_dB"
    );
    let db = |v: Option<f64>| v.map_or("n/a".to_owned(), |d| format!("{d:.2}"));
    for r in &results {
        println!(
            "{:<28} {:>9.1} {:>9.1} {:>10} {:>10} {:>9} {:>9}",
            r.name,
            r.ours_ms,
            r.vips_ms,
            r.ours_bytes,
            r.vips_bytes,
            db(r.ours_psnr),
            db(r.vips_psnr)
        );
    }
    // The target is on the largest photo (the 12 MP phone stand-in by default).
    let last = results.last().ok_or("no photos")?;
    let delta = match (last.ours_psnr, last.vips_psnr) {
        (Some(o), Some(v)) => format!("{:.2}", o - v),
        _ => "n/a".to_owned(),
    };
    println!(
        "photo ratio: ours_vs_vips={:.2} bytes_vs_vips={:.2} psnr_delta_db={delta}",
        last.ours_ms / last.vips_ms,
        last.ours_bytes as f64 / last.vips_bytes as f64,
    );
    Ok(())
}
