//! Test input shared by the media tests.

use doorstep_contract::visit::{SignatureInput, StrokePoint};

/// A plausible handwritten name: a looping wave and a crossing bar on a 600×200 pad.
pub fn signature_input() -> SignatureInput {
    let pt = |x: f32, y: f32, t: u32| StrokePoint { x, y, t, p: 0.5 };
    let wave = (0..120u32)
        .map(|i| {
            let s = i as f32 / 119.0;
            let x = 40.0 + s * 500.0 + 25.0 * (s * 40.0).cos();
            let y = 100.0 + 45.0 * (s * 20.0).sin() * (1.0 - s * 0.5);
            pt(x, y, i * 8)
        })
        .collect();
    let bar = (0..20u32)
        .map(|i| pt(200.0 + i as f32 * 10.0, 60.0 + i as f32 * 2.0, 1200 + i * 8))
        .collect();
    SignatureInput {
        width: 600,
        height: 200,
        strokes: vec![wave, bar],
    }
}
