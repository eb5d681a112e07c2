//! Photos of a visit: decoded in bounded memory (JPEG at a reduced DCT scale), turned upright
//! by their EXIF orientation, shrunk to the policy's long edge, and re-encoded as a fresh
//! JPEG, which carries no metadata at all (EXIF GPS included). A SHA-256 names the result; a
//! perceptual hash lets the same picture be recognised in another visit.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::crypto::{hex, sha256};
use crate::model::Invalid;

/// Larger than any phone camera (a 108 MP sensor is 12,000 × 9,000): beyond this a file
/// that declares its size is refused before anything is decoded.
const MAX_JPEG_PIXELS: u64 = 120_000_000;
/// PNGs (and progressive JPEGs) cannot be decoded at a reduced scale, so their full size
/// must fit in memory.
const MAX_PNG_PIXELS: u64 = 40_000_000;
const QUALITY: u8 = 80;

/// A processed photo.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    pub jpeg: Vec<u8>,
    pub sha256: String,
    /// A 64-bit difference hash: near-identical pictures differ in few bits.
    pub phash: u64,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photo")
            .field("sha256", &self.sha256)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// RGB pixels, 3 bytes each.
struct Rgb {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

/// The target size: the long edge at most `long_edge`, the aspect kept.
fn fit(w: u32, h: u32, long_edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= long_edge {
        return (w, h);
    }
    let scale = f64::from(long_edge) / f64::from(long);
    let s = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    (s(w), s(h))
}

/// The EXIF orientation (1-8; 1 when absent or unreadable).
fn orientation(bytes: &[u8]) -> u32 {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else {
        return 1;
    };
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

fn decode_jpeg(bytes: &[u8], long_edge: u32) -> Result<Rgb, Invalid> {
    let mut dec = jpeg_decoder::Decoder::new(bytes);
    dec.read_info().map_err(|_| Invalid::PhotoDamaged)?;
    let info = dec.info().ok_or(Invalid::PhotoDamaged)?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    // A progressive JPEG keeps every coefficient of the full image while it decodes, whatever
    // the output scale: it gets the PNG's limit, sized for memory, not the camera's.
    let limit = match info.coding_process {
        jpeg_decoder::CodingProcess::DctSequential => MAX_JPEG_PIXELS,
        _ => MAX_PNG_PIXELS,
    };
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > limit {
        return Err(Invalid::PhotoTooLarge);
    }
    let (tw, th) = fit(w, h, long_edge);
    // The smallest DCT scale (1, 1/2, 1/4, 1/8) still at least the target: a 108 MP photo
    // decodes at 1/4 or 1/8 of its size, never whole.
    let (sw, sh) = dec
        .scale(tw.min(65_535) as u16, th.min(65_535) as u16)
        .map_err(|_| Invalid::PhotoDamaged)?;
    let px = dec.decode().map_err(|_| Invalid::PhotoDamaged)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let n = (sw * sh) as usize;
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => px,
        jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => px
            .chunks_exact(2)
            .flat_map(|c| [c[0], c[0], c[0]])
            .collect(),
        // jpeg-decoder gives CMYK as amounts of ink (0 = none): paper white minus the ink.
        jpeg_decoder::PixelFormat::CMYK32 => px
            .chunks_exact(4)
            .flat_map(|c| {
                let k = 255 - u16::from(c[3]);
                let ch = |v: u8| (((255 - u16::from(v)) * k) / 255) as u8;
                [ch(c[0]), ch(c[1]), ch(c[2])]
            })
            .collect(),
    };
    if rgb.len() != n * 3 {
        return Err(Invalid::PhotoDamaged);
    }
    Ok(Rgb {
        w: sw,
        h: sh,
        px: rgb,
    })
}

fn decode_png(bytes: &[u8]) -> Result<Rgb, Invalid> {
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Png);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| Invalid::PhotoDamaged)?;
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PNG_PIXELS {
        return Err(Invalid::PhotoTooLarge);
    }
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map_err(|_| Invalid::PhotoDamaged)?
        .to_rgb8();
    Ok(Rgb {
        w,
        h,
        px: img.into_raw(),
    })
}

fn resize(src: Rgb, w: u32, h: u32) -> Result<Rgb, Invalid> {
    if (src.w, src.h) == (w, h) {
        return Ok(src);
    }
    let from = Image::from_vec_u8(src.w, src.h, src.px, PixelType::U8x3)
        .map_err(|_| Invalid::PhotoDamaged)?;
    let mut to = Image::new(w, h, PixelType::U8x3);
    Resizer::new()
        .resize(
            &from,
            &mut to,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)),
        )
        .map_err(|_| Invalid::PhotoDamaged)?;
    Ok(Rgb {
        w,
        h,
        px: to.into_vec(),
    })
}

/// Applies an EXIF orientation (2-8) so the picture stands as the camera saw it.
fn upright(img: Rgb, o: u32) -> Rgb {
    if o <= 1 {
        return img;
    }
    let (w, h) = (img.w as usize, img.h as usize);
    let swap = o >= 5;
    let (nw, nh) = if swap { (h, w) } else { (w, h) };
    let mut out = vec![0u8; img.px.len()];
    for y in 0..nh {
        for x in 0..nw {
            // The source pixel that lands at (x, y).
            let (sx, sy) = match o {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let s = (sy * w + sx) * 3;
            let d = (y * nw + x) * 3;
            out[d..d + 3].copy_from_slice(&img.px[s..s + 3]);
        }
    }
    Rgb {
        w: nw as u32,
        h: nh as u32,
        px: out,
    }
}

/// dHash: the picture shrunk to 9×8 grey cells (an area average, by the SIMD resizer), one
/// bit per horizontal neighbour pair.
fn dhash(img: &Rgb) -> Result<u64, Invalid> {
    let from = fast_image_resize::images::ImageRef::new(img.w, img.h, &img.px, PixelType::U8x3)
        .map_err(|_| Invalid::PhotoDamaged)?;
    let mut cells = Image::new(9, 8, PixelType::U8x3);
    Resizer::new()
        .resize(
            &from,
            &mut cells,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box)),
        )
        .map_err(|_| Invalid::PhotoDamaged)?;
    let grey: Vec<u32> = cells
        .buffer()
        .chunks_exact(3)
        .map(|p| 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]))
        .collect();
    let mut bits = 0u64;
    for row in grey.chunks_exact(9) {
        for x in 0..8 {
            bits = (bits << 1) | u64::from(row[x] < row[x + 1]);
        }
    }
    Ok(bits)
}

/// Processes a photo's bytes (JPEG or PNG) to the long edge `long_edge`.
pub fn process(bytes: &[u8], long_edge: u32) -> Result<Photo, Invalid> {
    let long_edge = long_edge.clamp(64, 8192);
    let (decoded, o) = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (decode_jpeg(bytes, long_edge)?, orientation(bytes))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        (decode_png(bytes)?, 1)
    } else {
        return Err(Invalid::PhotoFormat);
    };
    let (tw, th) = fit(decoded.w, decoded.h, long_edge);
    let img = upright(resize(decoded, tw, th)?, o);
    // The perceptual hash on a second core while the encoder (the longest step) runs.
    let (phash, jpeg) = std::thread::scope(|s| {
        let phash = s.spawn(|| dhash(&img));
        let mut jpeg = Vec::with_capacity((img.w * img.h / 4) as usize);
        let mut enc = Encoder::new(&mut jpeg, QUALITY);
        enc.set_sampling_factor(SamplingFactor::R_4_2_0);
        enc.set_optimized_huffman_tables(true);
        let encoded = enc.encode(&img.px, img.w as u16, img.h as u16, ColorType::Rgb);
        let phash = phash.join().unwrap_or(Err(Invalid::PhotoDamaged));
        encoded.map_err(|_| Invalid::PhotoDamaged)?;
        Ok::<_, Invalid>((phash?, jpeg))
    })?;
    Ok(Photo {
        sha256: hex(&sha256(&jpeg)),
        phash,
        width: img.w,
        height: img.h,
        jpeg,
    })
}

/// Bits in which two perceptual hashes differ.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests;
