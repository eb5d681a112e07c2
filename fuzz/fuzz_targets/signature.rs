//! Signatures drawn on the pad: strokes decoded from the fuzzer's bytes (a canvas, then
//! points of 7 bytes each, a zero byte between strokes) are refused or rendered to a PNG of
//! the canvas's size, never a panic.
#![no_main]

use doorstep_contract::visit::{SignatureInput, StrokePoint};
use doorstep_media::Signature;

fn strokes(data: &[u8]) -> Option<SignatureInput> {
    let (canvas, mut rest) = data.split_at_checked(4)?;
    // Canvases up to 1,100 pixels a side: the pad's sizes and just past its limits.
    let side = |b: &[u8]| u32::from(u16::from_le_bytes([b[0], b[1]])) % 1100;
    let (width, height) = (side(&canvas[..2]), side(&canvas[2..]));
    let mut all = vec![Vec::new()];
    let mut t = 0u32;
    while let Some((&head, tail)) = rest.split_first() {
        if head == 0 {
            all.push(Vec::new());
            rest = tail;
            continue;
        }
        let Some((p, tail)) = rest.split_at_checked(7) else {
            break;
        };
        rest = tail;
        let coord = |b: &[u8], side: u32| {
            f32::from(u16::from_le_bytes([b[0], b[1]])) / 65535.0 * (side as f32 + 8.0) - 4.0
        };
        t = t.wrapping_add(u32::from(p[6]) * 4).wrapping_sub(8);
        all.last_mut()?.push(StrokePoint {
            x: coord(&p[1..3], width),
            y: coord(&p[3..5], height),
            t,
            p: f32::from(p[5]) / 250.0,
        });
    }
    Some(SignatureInput {
        width,
        height,
        strokes: all,
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The shell's JSON too, as the core reads it.
    let _ = SignatureInput::from_json(data);
    let Some(input) = strokes(data) else {
        return;
    };
    let (w, h) = (input.width, input.height);
    if let Ok(signature) = Signature::new(input) {
        let png = signature.render_png();
        let image = image::load_from_memory(&png).expect("the rendered PNG decodes");
        assert_eq!((image.width(), image.height()), (w, h));
    }
});
