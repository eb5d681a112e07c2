//! Photos of a visit: decoded in bounded memory (a JPEG at a reduced DCT scale), shrunk to
//! the policy's long edge, turned upright by their EXIF orientation, and re-encoded as a
//! fresh JPEG, which carries no metadata at all (EXIF GPS included). A SHA-256 names the
//! result; a perceptual hash lets the same picture be recognised in another visit.

mod jpeg;
mod pixels;

use doorstep_contract::model::Invalid;
use doorstep_crypto::{hex, sha256};
use pixels::{Filter, Plane, Region};

/// Larger than any phone camera (a 108 MP sensor is 12,000 × 9,000): beyond this a file
/// that declares its size is refused before anything is decoded.
const MAX_JPEG_PIXELS: u64 = 120_000_000;
/// PNGs and progressive JPEGs cannot be decoded at a reduced scale, so their full size must
/// fit in memory.
const MAX_WHOLE_PIXELS: u64 = 40_000_000;
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

fn decode_png(bytes: &[u8]) -> Result<Plane, Invalid> {
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Png);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| Invalid::PhotoDamaged)?;
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_WHOLE_PIXELS {
        return Err(Invalid::PhotoTooLarge);
    }
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map_err(|_| Invalid::PhotoDamaged)?
        .to_rgb8();
    Ok(Plane {
        w,
        h,
        channels: 3,
        px: img.into_raw(),
    })
}

/// The upright picture's size, its luma (padded for the encoder) and chroma.
type Shrunk = (u32, u32, Plane, Option<(Plane, Plane)>);

/// Shrinks JPEG planes: luma here, chroma on a second core meanwhile (the output's chroma is
/// half the luma's size whatever the file's own subsampling). Returns the upright picture's
/// size, luma padded for the encoder, and chroma.
fn shrink_planes(
    y: &Region,
    chroma: Option<(Region, Region)>,
    long_edge: u32,
    o: u32,
) -> Result<Shrunk, Invalid> {
    let (tw, th) = fit(y.w, y.h, long_edge);
    let (cw, ch) = (tw.div_ceil(2), th.div_ceil(2));
    let (luma, chroma) = std::thread::scope(|s| {
        let chroma = chroma.map(|(cb, cr)| {
            s.spawn(move || {
                let cb = pixels::resize(&cb, cw, ch, Filter::Soft)?.upright(o);
                let cr = pixels::resize(&cr, cw, ch, Filter::Soft)?.upright(o);
                Ok::<_, Invalid>((cb, cr))
            })
        });
        let luma = pixels::resize(y, tw, th, Filter::Sharp).map(|p| p.upright(o));
        let chroma = chroma
            .map(|c| c.join().unwrap_or(Err(Invalid::PhotoDamaged)))
            .transpose();
        (luma, chroma)
    });
    let luma = luma?;
    let (w, h) = (luma.w, luma.h);
    let chroma = chroma?;
    let luma = match chroma {
        Some(_) => luma.padded(w.next_multiple_of(2), h.next_multiple_of(2)),
        None => luma,
    };
    Ok((w, h, luma, chroma))
}

/// Encodes on this core while the perceptual hash is taken on another.
fn encode_and_hash(
    luma: &Plane,
    (w, h): (u32, u32),
    encode: impl FnOnce() -> Result<Vec<u8>, Invalid>,
) -> Result<Photo, Invalid> {
    let (phash, jpeg) = std::thread::scope(|s| {
        let phash = s.spawn(|| {
            // The hash sees the picture, not the encoder's padding.
            let cut = Plane {
                w,
                h,
                channels: 1,
                px: luma
                    .px
                    .chunks_exact(luma.w as usize)
                    .take(h as usize)
                    .flat_map(|row| &row[..w as usize])
                    .copied()
                    .collect(),
            };
            pixels::dhash(&cut)
        });
        let jpeg = encode();
        (phash.join().unwrap_or(Err(Invalid::PhotoDamaged)), jpeg)
    });
    let jpeg = jpeg?;
    Ok(Photo {
        sha256: hex(&sha256(&jpeg)),
        phash: phash?,
        width: w,
        height: h,
        jpeg,
    })
}

fn process_rgb(img: Plane, long_edge: u32, o: u32) -> Result<Photo, Invalid> {
    let (tw, th) = fit(img.w, img.h, long_edge);
    let small = pixels::resize(&img.region(), tw, th, Filter::Sharp)?.upright(o);
    drop(img);
    let luma = small.luma().into_owned();
    encode_and_hash(&luma, (small.w, small.h), || jpeg::encode_rgb(&small))
}

/// Processes a photo's bytes (JPEG or PNG) to the long edge `long_edge`.
pub fn process(bytes: &[u8], long_edge: u32) -> Result<Photo, Invalid> {
    let long_edge = long_edge.clamp(64, 8192);
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return process_rgb(decode_png(bytes)?, long_edge, 1);
    }
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(Invalid::PhotoFormat);
    }
    let o = orientation(bytes);
    let decoded = jpeg::decode(bytes, long_edge)?;
    let Some((y, chroma)) = decoded.regions() else {
        let jpeg::Decoded::Rgb(rgb) = decoded else {
            return Err(Invalid::PhotoDamaged);
        };
        return process_rgb(rgb, long_edge, o);
    };
    let (w, h, luma, chroma) = shrink_planes(&y, chroma, long_edge, o)?;
    drop(decoded);
    encode_and_hash(&luma, (w, h), || {
        jpeg::encode_planes(w, h, &luma, chroma.as_ref().map(|(cb, cr)| (cb, cr)))
    })
}

/// Bits in which two perceptual hashes differ.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests;
