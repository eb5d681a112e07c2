//! Generated evidence for the demo: handwriting-like signature strokes and camera-like photos,
//! deterministic per seed, so demo visits have something real to validate, render and seal.

use doorstep_contract::visit::{SignatureInput, StrokePoint};

use crate::rng::Rng;

/// A signature on a 600×200 pad: two or three strokes of looping, slanted waves, sampled at
/// 8 ms with a little pressure variation, as a finger writes a name.
pub fn signature(seed: u64) -> SignatureInput {
    let mut rng = Rng::new(seed ^ 0x5349_474E);
    let strokes_n = rng.range(2, 3);
    let mut t = 0u32;
    let mut x0 = 40.0 + rng.unit() * 30.0;
    let mut strokes = Vec::new();
    for _ in 0..strokes_n {
        let width = 120.0 + rng.unit() * 80.0;
        let (freq, amp, loops) = (
            6.0 + rng.unit() * 8.0,
            25.0 + rng.unit() * 25.0,
            10.0 + rng.unit() * 8.0,
        );
        let points = rng.range(50, 80);
        let stroke = (0..points)
            .map(|i| {
                let s = f64::from(i) / f64::from(points - 1);
                let x = x0 + s * width + 12.0 * (s * loops).cos();
                let y = 100.0 + amp * (s * freq).sin() - 20.0 * s;
                t += 8;
                StrokePoint {
                    x: x.clamp(0.0, 600.0) as f32,
                    y: y.clamp(0.0, 200.0) as f32,
                    t,
                    p: (0.4 + 0.3 * (s * 3.0).sin().abs()) as f32,
                }
            })
            .collect();
        strokes.push(stroke);
        x0 += width + 15.0;
        t += 150;
    }
    SignatureInput {
        width: 600,
        height: 200,
        strokes,
    }
}

/// A 1200×900 JPEG with smooth gradients, soft shapes and sensor-like noise: the door of a
/// house, near enough for the pipeline's work and the perceptual hash.
pub fn photo(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0x5048_4F54);
    let (w, h) = (1200u16, 900u16);
    let (r0, g0, b0) = (rng.unit() * 120.0, rng.unit() * 120.0, rng.unit() * 120.0);
    let (cx, cy, rad) = (
        200.0 + rng.unit() * 800.0,
        150.0 + rng.unit() * 600.0,
        80.0 + rng.unit() * 250.0,
    );
    let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let inside = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt() < rad;
            let noise = (rng.next_u64() % 9) as f64 - 4.0;
            let v = |base: f64, k: f64| {
                let g = base + k * fx / 12.0 + (1.0 - k) * fy / 9.0 + noise;
                let g = if inside { 255.0 - g * 0.6 } else { g };
                g.clamp(0.0, 255.0) as u8
            };
            px.extend_from_slice(&[v(r0, 0.7), v(g0, 0.4), v(b0, 0.1)]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 88)
        .encode(&px, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("an in-memory JPEG of a fixed size always encodes");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_pass_validation_and_differ_by_seed() {
        for seed in 0..50 {
            doorstep_media::Signature::new(signature(seed))
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
        assert_ne!(signature(1), signature(2));
        assert_eq!(signature(3), signature(3));
    }

    #[test]
    fn photos_go_through_the_pipeline_and_look_different() {
        let a = doorstep_media::photo::process(&photo(1), 1600).expect("a");
        let b = doorstep_media::photo::process(&photo(2), 1600).expect("b");
        assert_eq!((a.width, a.height), (1200, 900));
        assert!(doorstep_media::photo::distance(a.phash, b.phash) > 8);
        assert_eq!(photo(1), photo(1));
    }
}
