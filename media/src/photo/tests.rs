//! The photo pipeline on the real test photos in shared/data/photos, and on files built to
//! break it.

use super::*;
use jpeg_encoder::{ColorType, Encoder};

fn photo(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/data/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A small JPEG of horizontal bands, with an optional APP1 EXIF orientation.
fn banded_jpeg(w: u16, h: u16, orientation: Option<u16>) -> Vec<u8> {
    let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let band = |v: u16, of: u16| (u32::from(v) * 255 / u32::from(of)) as u8;
            px.extend_from_slice(&[band(y, h), band(x, w), 90]);
        }
    }
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 90);
    if let Some(o) = orientation {
        // Exif header, little-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1.
        let mut app1 = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        app1.extend_from_slice(&o.to_le_bytes());
        app1.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        enc.add_app_segment(1, app1).expect("app1");
    }
    enc.encode(&px, w, h, ColorType::Rgb).expect("encode");
    out
}

#[test]
fn a_12_megapixel_phone_photo_shrinks_and_loses_its_gps() {
    let input = photo("mosaic-12mp-exif-gps.jpg");
    assert!(contains(&input, b"Exif"), "the test photo carries EXIF");
    let p = process(&input, 1600).expect("process");
    assert_eq!((p.width, p.height), (1600, 1200));
    assert!(!contains(&p.jpeg, b"Exif") && !contains(&p.jpeg, b"GPS"));
    assert!(exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&p.jpeg))
        .is_err());
    let back = turbojpeg::decompress(&p.jpeg, turbojpeg::PixelFormat::RGB).expect("a valid JPEG");
    assert_eq!((back.width, back.height), (1600, 1200));
    assert_eq!(p.sha256, hex(&sha256(&p.jpeg)));
    assert!(p.jpeg.len() < input.len() / 3, "{} bytes", p.jpeg.len());
}

#[test]
fn large_jpegs_decode_at_a_reduced_scale() {
    let mosaic = photo("mosaic-12mp-exif-gps.jpg");
    // 4000×3000 for a 1600 edge: 1/2 would keep less than 1.8× the edge, so whole.
    let size = |edge| jpeg::decode(&mosaic, edge).expect("decode").size();
    assert_eq!(size(1600), (4000, 3000));
    // For an 800 edge, 1/2 is enough; for 400, 1/4.
    assert_eq!(size(800), (2000, 1500));
    assert_eq!(size(400), (1000, 750));
    assert_eq!(
        process(&mosaic, 800).map(|p| (p.width, p.height)),
        Ok((800, 600))
    );
    let forest = process(&photo("forest-path-2560x1600.jpg"), 1600).expect("forest");
    assert_eq!((forest.width, forest.height), (1600, 1000));
    // Smaller than the long edge: kept at its size.
    let small = process(&banded_jpeg(300, 200, None), 1600).expect("small");
    assert_eq!((small.width, small.height), (300, 200));
}

#[test]
fn exif_orientation_is_applied_then_dropped() {
    let p = process(&banded_jpeg(320, 200, Some(6)), 1600).expect("rotated");
    assert_eq!(
        (p.width, p.height),
        (200, 320),
        "orientation 6 turns the picture upright"
    );
    assert!(!contains(&p.jpeg, b"Exif"));
    let flat = process(&banded_jpeg(320, 200, Some(1)), 1600).expect("as is");
    assert_eq!((flat.width, flat.height), (320, 200));
    let mirrored = process(&banded_jpeg(320, 200, Some(2)), 1600).expect("mirrored");
    assert_eq!((mirrored.width, mirrored.height), (320, 200));
    assert_ne!(
        mirrored.phash, flat.phash,
        "a mirror image is a different picture"
    );
}

#[test]
fn a_decompression_bomb_is_refused_before_decoding() {
    // A valid small JPEG whose frame header is changed to declare 50,000 × 50,000 pixels.
    let mut bomb = banded_jpeg(64, 64, None);
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    bomb[sof + 5..sof + 7].copy_from_slice(&50_000u16.to_be_bytes());
    bomb[sof + 7..sof + 9].copy_from_slice(&50_000u16.to_be_bytes());
    let started = std::time::Instant::now();
    assert_eq!(process(&bomb, 1600), Err(Invalid::PhotoTooLarge));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn a_large_progressive_jpeg_is_held_to_the_memory_limit() {
    // Progressive decoding keeps the whole image's coefficients: 48 MP is refused, though a
    // sequential JPEG of that size would be decoded at a reduced scale.
    let mut px = Vec::new();
    for i in 0..64u32 * 64 {
        px.extend_from_slice(&[(i % 251) as u8, 80, 160]);
    }
    let mut small = Vec::new();
    let mut enc = Encoder::new(&mut small, 80);
    enc.set_progressive(true);
    enc.encode(&px, 64, 64, ColorType::Rgb).expect("encode");
    let sof = small
        .windows(2)
        .position(|w| w == [0xFF, 0xC2])
        .expect("a progressive frame header");
    small[sof + 5..sof + 7].copy_from_slice(&6_000u16.to_be_bytes());
    small[sof + 7..sof + 9].copy_from_slice(&8_000u16.to_be_bytes());
    assert_eq!(process(&small, 1600), Err(Invalid::PhotoTooLarge));
}

#[test]
fn broken_and_foreign_files_are_named() {
    let forest = photo("forest-path-2560x1600.jpg");
    assert_eq!(
        process(&forest[..forest.len() / 2], 1600),
        Err(Invalid::PhotoDamaged)
    );
    assert_eq!(process(b"GIF89a....", 1600), Err(Invalid::PhotoFormat));
    assert_eq!(process(&[], 1600), Err(Invalid::PhotoFormat));
    assert_eq!(process(&forest[..40], 1600), Err(Invalid::PhotoDamaged));
}

#[test]
fn pngs_are_accepted() {
    let sig = crate::Signature::new(crate::testing::signature_input()).expect("sig");
    let p = process(&sig.render_png(), 1600).expect("png");
    assert_eq!((p.width, p.height), (600, 200));
    assert!(p.jpeg.starts_with(&[0xFF, 0xD8]));
}

#[test]
fn the_perceptual_hash_knows_the_same_picture_again() {
    let first = process(&photo("forest-path-2560x1600.jpg"), 1600).expect("first");
    // The same picture sent again, re-encoded and smaller: the bytes differ, the hash barely.
    let again = process(&first.jpeg, 800).expect("again");
    assert_ne!(first.sha256, again.sha256);
    assert!(
        distance(first.phash, again.phash) <= 4,
        "{}",
        distance(first.phash, again.phash)
    );
    let other = process(&photo("mosaic-12mp-exif-gps.jpg"), 1600).expect("other");
    assert!(
        distance(first.phash, other.phash) > 12,
        "{}",
        distance(first.phash, other.phash)
    );
}

#[test]
fn a_108_megapixel_photo_is_decoded_at_a_quarter_and_processed() {
    // 12,000 × 9,000 grey, as a 108 MP phone sensor writes; encoded once here.
    let (w, h) = (12_000u16, 9_000u16);
    let px: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .map(|i| ((i % usize::from(w)) / 47 + (i / usize::from(w)) / 35) as u8)
        .collect();
    let mut big = Vec::new();
    Encoder::new(&mut big, 70)
        .encode(&px, w, h, ColorType::Luma)
        .expect("encode");
    drop(px);
    // Decoded at 1/4 (3,000 × 2,250; 1/8 would keep less than 1.8× the 1,600 edge): 7 MB of
    // luma instead of 108 MB.
    let img = jpeg::decode(&big, 1600).expect("decode");
    assert_eq!(img.size(), (3000, 2250));
    let p = process(&big, 1600).expect("process");
    assert_eq!((p.width, p.height), (1600, 1200));
}

#[test]
fn odd_sizes_keep_their_exact_size() {
    // 4:2:0 pairs luma rows and columns; a 301 × 199 picture must come back 301 × 199.
    let p = process(&banded_jpeg(301, 199, None), 1600).expect("odd");
    assert_eq!((p.width, p.height), (301, 199));
    let back = turbojpeg::decompress(&p.jpeg, turbojpeg::PixelFormat::RGB).expect("valid");
    assert_eq!((back.width, back.height), (301, 199));
    let turned = process(&banded_jpeg(301, 199, Some(8)), 150).expect("odd, turned");
    assert_eq!((turned.width, turned.height), (99, 150));
}

#[test]
fn a_cmyk_jpeg_comes_out_in_its_colours() {
    // Adobe CMYK, as print software writes it: stored inverted, 255 = no ink. Full magenta
    // ink on white paper.
    let (w, h) = (64usize, 48usize);
    let cmyk: Vec<u8> = [255u8, 0, 255, 255].repeat(w * h);
    let mut c = turbojpeg::Compressor::new().expect("compressor");
    c.set_colorspace(turbojpeg::Colorspace::CMYK).expect("cmyk");
    c.set_quality(95).expect("quality");
    let file = c
        .compress_to_vec(turbojpeg::Image {
            pixels: &cmyk[..],
            width: w,
            pitch: w * 4,
            height: h,
            format: turbojpeg::PixelFormat::CMYK,
        })
        .expect("encode");
    let p = process(&file, 1600).expect("cmyk photo");
    let back = turbojpeg::decompress(&p.jpeg, turbojpeg::PixelFormat::RGB).expect("valid");
    let mid = &back.pixels[(h / 2 * w + w / 2) * 3..][..3];
    assert!(mid[0] > 235 && mid[1] < 20 && mid[2] > 235, "{mid:?}");
}
