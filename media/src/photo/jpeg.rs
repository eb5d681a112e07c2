//! JPEG in and out through libjpeg-turbo (the codec vips, Android and the browsers use):
//! decoded straight to its Y, Cb and Cr planes at a DCT scale that keeps memory bounded for
//! any camera, and encoded from planes as 4:2:0 with optimised Huffman tables. Staying in
//! planes skips two colour conversions and the chroma up- and down-sampling between them.

use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor, Subsamp, YuvImage};

use super::pixels::{Plane, Region};
use super::{MAX_JPEG_PIXELS, MAX_WHOLE_PIXELS, QUALITY};
use doorstep_contract::model::Invalid;

/// Progressive scans beyond this are refused: real photos have about ten, and each scan
/// re-reads the whole image (a cheap way to make a small file cost minutes).
const MAX_SCANS: u32 = 64;

/// A decoded JPEG: luma and, unless grey, two chroma planes (at the file's own subsampling),
/// or RGB for the rare CMYK file.
pub(super) enum Decoded {
    Planes {
        storage: Vec<u8>,
        /// Picture size and the padded size of the luma plane.
        w: u32,
        h: u32,
        y_stride: u32,
        y_rows: u32,
        /// Padded chroma size, 0 × 0 for a grey JPEG.
        c_stride: u32,
        c_rows: u32,
        /// The picture's part of each chroma plane.
        cw: u32,
        ch: u32,
    },
    Rgb(Plane),
}

impl Decoded {
    /// The luma region and the two chroma regions (none for grey).
    pub fn regions(&self) -> Option<(Region<'_>, Option<(Region<'_>, Region<'_>)>)> {
        let Decoded::Planes {
            storage,
            w,
            h,
            y_stride,
            y_rows,
            c_stride,
            c_rows,
            cw,
            ch,
        } = self
        else {
            return None;
        };
        let y_len = *y_stride as usize * *y_rows as usize;
        let c_len = *c_stride as usize * *c_rows as usize;
        let y = Region {
            px: &storage[..y_len],
            stride: *y_stride,
            rows: *y_rows,
            w: *w,
            h: *h,
            channels: 1,
        };
        if c_len == 0 {
            return Some((y, None));
        }
        let chroma = |at: usize| Region {
            px: &storage[at..at + c_len],
            stride: *c_stride,
            rows: *c_rows,
            w: *cw,
            h: *ch,
            channels: 1,
        };
        Some((y, Some((chroma(y_len), chroma(y_len + c_len)))))
    }

    #[cfg(test)]
    pub fn size(&self) -> (u32, u32) {
        match self {
            Decoded::Planes { w, h, .. } => (*w, *h),
            Decoded::Rgb(p) => (p.w, p.h),
        }
    }
}

/// The smallest DCT scale of 1/8, 1/4 and 1/2 whose long edge keeps 1.8× the target, else
/// whole. Less than that and the DCT's own shrinking shows (0.4 dB of PSNR lost at 1/2 for
/// a 4000-pixel photo made 1600); a 108 MP photo still decodes at 1/4, never whole.
fn scale_for(w: usize, h: usize, long_edge: u32) -> ScalingFactor {
    let keep = (u64::from(long_edge) * 9).div_ceil(5);
    [1, 2, 4]
        .into_iter()
        .map(|num| ScalingFactor::new(num, 8))
        .find(|f| f.scale(w.max(h)) as u64 >= keep)
        .unwrap_or(ScalingFactor::ONE)
}

fn damaged<E>(_: E) -> Invalid {
    Invalid::PhotoDamaged
}

pub(super) fn decode(bytes: &[u8], long_edge: u32) -> Result<Decoded, Invalid> {
    let mut dec = Decompressor::new().map_err(damaged)?;
    let header = dec.read_header(bytes).map_err(damaged)?;
    // Libjpeg keeps every coefficient of a progressive (or lossless) file while it decodes,
    // whatever the output scale: those get the limit sized for memory, not the camera's.
    let limit = if header.is_progressive || header.is_lossless {
        MAX_WHOLE_PIXELS
    } else {
        MAX_JPEG_PIXELS
    };
    let pixels = header.width as u64 * header.height as u64;
    if pixels == 0 || pixels > limit {
        return Err(Invalid::PhotoTooLarge);
    }
    dec.set_scan_limit(MAX_SCANS).map_err(damaged)?;
    let factor = if header.is_lossless {
        ScalingFactor::ONE
    } else {
        scale_for(header.width, header.height, long_edge)
    };
    dec.set_scaling_factor(factor).map_err(damaged)?;
    let (w, h) = (factor.scale(header.width), factor.scale(header.height));
    if matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK) {
        return decode_cmyk(&mut dec, bytes, w, h);
    }
    let mut storage =
        vec![0u8; turbojpeg::yuv_pixels_len(w, 1, h, header.subsamp).map_err(damaged)?];
    let image = YuvImage {
        pixels: &mut storage[..],
        width: w,
        align: 1,
        height: h,
        subsamp: header.subsamp,
    };
    let (y_stride, y_rows) = image.y_size();
    let grey = header.subsamp == Subsamp::Gray;
    let (c_stride, c_rows) = if grey { (0, 0) } else { image.uv_size() };
    let (cw, ch) = (
        w.div_ceil(header.subsamp.width()),
        h.div_ceil(header.subsamp.height()),
    );
    // A truncated or corrupt file is a libjpeg warning, which TurboJPEG reports as a failure
    // after filling the rest grey: either way the photo is refused, never stored half grey.
    dec.decompress_to_yuv(bytes, image).map_err(damaged)?;
    let u = |v: usize| u32::try_from(v).map_err(damaged);
    Ok(Decoded::Planes {
        storage,
        w: u(w)?,
        h: u(h)?,
        y_stride: u(y_stride)?,
        y_rows: u(y_rows)?,
        c_stride: u(c_stride)?,
        c_rows: u(c_rows)?,
        cw: if grey { 0 } else { u(cw)? },
        ch: if grey { 0 } else { u(ch)? },
    })
}

/// CMYK files (from print software, not phones) hold Adobe's inverted ink amounts: 255 is no
/// ink. Paper white times what each ink and the black let through.
fn decode_cmyk(
    dec: &mut Decompressor,
    bytes: &[u8],
    w: usize,
    h: usize,
) -> Result<Decoded, Invalid> {
    let mut cmyk = vec![0u8; w * h * 4];
    let image = turbojpeg::Image {
        pixels: &mut cmyk[..],
        width: w,
        pitch: w * 4,
        height: h,
        format: PixelFormat::CMYK,
    };
    dec.decompress(bytes, image).map_err(damaged)?;
    let px = cmyk
        .chunks_exact(4)
        .flat_map(|c| {
            let k = u16::from(c[3]);
            let ch = |v: u8| ((u16::from(v) * k + 127) / 255) as u8;
            [ch(c[0]), ch(c[1]), ch(c[2])]
        })
        .collect();
    Ok(Decoded::Rgb(Plane {
        w: u32::try_from(w).map_err(damaged)?,
        h: u32::try_from(h).map_err(damaged)?,
        channels: 3,
        px,
    }))
}

fn compressor() -> Result<turbojpeg::Compressor, Invalid> {
    let mut c = turbojpeg::Compressor::new().map_err(damaged)?;
    c.set_quality(i32::from(QUALITY)).map_err(damaged)?;
    c.set_optimize(true).map_err(damaged)?;
    Ok(c)
}

/// Encodes luma (padded to even sides) and chroma planes (half size, rounded up) as a 4:2:0
/// JPEG `w` × `h`; without chroma, a grey JPEG. The output holds no metadata at all.
pub(super) fn encode_planes(
    w: u32,
    h: u32,
    y: &Plane,
    chroma: Option<(&Plane, &Plane)>,
) -> Result<Vec<u8>, Invalid> {
    let mut c = compressor()?;
    let (w, h) = (w as usize, h as usize);
    match chroma {
        Some((cb, cr)) => c
            .compress_yuv_planes_to_vec(&turbojpeg::YuvPlanesImage {
                y_plane: &y.px[..],
                u_plane: &cb.px[..],
                v_plane: &cr.px[..],
                width: w,
                height: h,
                y_stride: y.w as usize,
                u_stride: cb.w as usize,
                v_stride: cr.w as usize,
                subsamp: Subsamp::Sub2x2,
            })
            .map_err(damaged),
        None => c
            .compress_yuv_to_vec(YuvImage {
                pixels: &y.px[..],
                width: w,
                align: 1,
                height: h,
                subsamp: Subsamp::Gray,
            })
            .map_err(damaged),
    }
}

/// Encodes RGB pixels as a 4:2:0 JPEG.
pub(super) fn encode_rgb(img: &Plane) -> Result<Vec<u8>, Invalid> {
    let mut c = compressor()?;
    c.set_subsamp(Subsamp::Sub2x2).map_err(damaged)?;
    c.compress_to_vec(turbojpeg::Image {
        pixels: &img.px[..],
        width: img.w as usize,
        pitch: img.w as usize * 3,
        height: img.h as usize,
        format: PixelFormat::RGB,
    })
    .map_err(damaged)
}
