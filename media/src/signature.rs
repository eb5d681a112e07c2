//! Signatures as the phone captures them (`doorstep_contract::visit::SignatureInput`): strokes
//! of timed, pressure-weighted points on a canvas. Kept as strokes (they are the evidence) and
//! rendered to an anti-aliased PNG for people and for the record's hash. A dot, a straight line or a scribble too short to be
//! anyone's name is refused, with a message saying which.

use doorstep_contract::model::Invalid;
use doorstep_contract::visit::{SignatureInput, StrokePoint};
use serde::{Deserialize, Serialize};

/// Canvas sides a phone can report, in device pixels.
const CANVAS: std::ops::RangeInclusive<u32> = 64..=4096;
/// At most this many points: minutes of writing at 120 Hz, far beyond any name.
const MAX_POINTS: usize = 20_000;
/// Ink shorter than this share of the canvas width is a tick, not a name.
const MIN_INK_OF_WIDTH: f32 = 0.5;
/// Ink spread over less than this share of each side is a dot.
const MIN_SPREAD: f32 = 0.03;
/// Points whose spread across their main direction is below this share of their spread along
/// it lie on a line (the ratio of the principal axes' standard deviations).
const MIN_THICKNESS_RATIO: f32 = 0.05;

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Signature").field(&self.input).finish()
    }
}

/// A signature that passed validation.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    input: SignatureInput,
}

fn validate(input: &SignatureInput) -> Result<(), Invalid> {
    if !CANVAS.contains(&input.width) || !CANVAS.contains(&input.height) {
        return Err(Invalid::SignatureCanvas);
    }
    let points: usize = input.strokes.iter().map(Vec::len).sum();
    if points > MAX_POINTS {
        return Err(Invalid::SignatureFormat);
    }
    let (w, h) = (input.width as f32, input.height as f32);
    for stroke in &input.strokes {
        for pt in stroke {
            let inside = pt.x.is_finite()
                && pt.y.is_finite()
                && (0.0..=w).contains(&pt.x)
                && (0.0..=h).contains(&pt.y)
                && (0.0..=1.0).contains(&pt.p);
            if !inside {
                return Err(Invalid::SignatureOutside);
            }
        }
        if stroke.windows(2).any(|s| s[1].t < s[0].t) {
            return Err(Invalid::SignatureTime);
        }
    }
    let ink: f32 = input
        .strokes
        .iter()
        .flat_map(|s| s.windows(2))
        .map(|s| (s[1].x - s[0].x).hypot(s[1].y - s[0].y))
        .sum();
    if ink < MIN_INK_OF_WIDTH * w {
        return Err(Invalid::SignatureTooLittle);
    }
    let all = || input.strokes.iter().flatten();
    let (min_x, max_x) = all().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.x), b.max(p.x)));
    let (min_y, max_y) = all().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.y), b.max(p.y)));
    if max_x - min_x < MIN_SPREAD * w && max_y - min_y < MIN_SPREAD * h {
        return Err(Invalid::SignatureDot);
    }
    // Principal axes of the point cloud: a line has almost no spread across its direction,
    // whatever its angle.
    let n = points as f32;
    let (mx, my) = (
        all().map(|p| p.x).sum::<f32>() / n,
        all().map(|p| p.y).sum::<f32>() / n,
    );
    let (mut sxx, mut syy, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
    for p in all() {
        let (dx, dy) = (p.x - mx, p.y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let (sxx, syy, sxy) = (sxx / n, syy / n, sxy / n);
    let mean = (sxx + syy) / 2.0;
    let spread = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    let (major, minor) = (mean + spread, (mean - spread).max(0.0));
    if minor.sqrt() < MIN_THICKNESS_RATIO * major.sqrt() {
        return Err(Invalid::SignatureLine);
    }
    Ok(())
}

impl Signature {
    pub fn new(input: SignatureInput) -> Result<Self, Invalid> {
        validate(&input)?;
        Ok(Self { input })
    }

    pub fn input(&self) -> &SignatureInput {
        &self.input
    }

    /// Renders black ink on white, anti-aliased, at the canvas size. Deterministic: the same
    /// strokes give the same bytes, so the image's SHA-256 can go into a sealed record.
    pub fn render_png(&self) -> Vec<u8> {
        let (w, h) = (self.input.width, self.input.height);
        let mut coverage = vec![0.0f32; (w * h) as usize];
        // Pen width scales with the canvas (a 600-pixel-wide pad draws about 3-pixel lines).
        let base = (w.min(h) as f32 / 100.0).max(1.0);
        for stroke in &self.input.strokes {
            match stroke.as_slice() {
                [] => {}
                [only] => draw_segment(&mut coverage, w, h, only, only, base),
                _ => {
                    for s in stroke.windows(2) {
                        draw_long_segment(&mut coverage, w, h, &s[0], &s[1], base);
                    }
                }
            }
        }
        let pixels: Vec<u8> = coverage
            .iter()
            .map(|c| 255 - (c.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        image::ImageEncoder::write_image(encoder, &pixels, w, h, image::ExtendedColorType::L8)
            .expect("an in-memory PNG of a validated canvas size always encodes");
        out
    }
}

/// Draws a segment as pieces no longer than the pen is wide: each piece's bounding box is
/// then small, so the work grows with the ink's length, not with the area a long diagonal
/// spans (a corner-to-corner zig-zag on a 4096² pad would otherwise take minutes).
fn draw_long_segment(cov: &mut [f32], w: u32, h: u32, a: &StrokePoint, b: &StrokePoint, base: f32) {
    let len = (b.x - a.x).hypot(b.y - a.y);
    let pieces = (len / base.max(1.0)).ceil().clamp(1.0, 100_000.0) as u32;
    let at = |i: u32| {
        let t = i as f32 / pieces as f32;
        StrokePoint {
            x: a.x + t * (b.x - a.x),
            y: a.y + t * (b.y - a.y),
            t: a.t,
            p: a.p + t * (b.p - a.p),
        }
    };
    for i in 0..pieces {
        draw_segment(cov, w, h, &at(i), &at(i + 1), base);
    }
}

/// Adds a round-capped segment whose radius follows the pressure, with one pixel of
/// anti-aliasing: coverage falls from 1 to 0 over the pixel straddling the edge.
fn draw_segment(cov: &mut [f32], w: u32, h: u32, a: &StrokePoint, b: &StrokePoint, base: f32) {
    let radius = |p: f32| base * (0.5 + p);
    let r = radius(a.p).max(radius(b.p));
    let x0 = (a.x.min(b.x) - r - 1.0).floor().max(0.0) as u32;
    let x1 = ((a.x.max(b.x) + r + 1.0).ceil() as u32).min(w - 1);
    let y0 = (a.y.min(b.y) - r - 1.0).floor().max(0.0) as u32;
    let y1 = ((a.y.max(b.y) + r + 1.0).ceil() as u32).min(h - 1);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let t = if len2 > 0.0 {
                (((px - a.x) * dx + (py - a.y) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (cx, cy) = (a.x + t * dx, a.y + t * dy);
            let d = (px - cx).hypot(py - cy);
            let rad = radius(a.p + t * (b.p - a.p));
            let c = (rad + 0.5 - d).clamp(0.0, 1.0);
            let cell = &mut cov[(y * w + x) as usize];
            *cell = cell.max(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f32, y: f32, t: u32) -> StrokePoint {
        StrokePoint { x, y, t, p: 0.5 }
    }

    fn name() -> SignatureInput {
        crate::testing::signature_input()
    }

    #[test]
    fn a_name_passes_and_renders_a_deterministic_png_with_ink() {
        let sig = Signature::new(name()).expect("a real signature");
        let png = sig.render_png();
        assert_eq!(png, sig.render_png(), "same strokes, same bytes");
        let img = image::load_from_memory(&png).expect("valid PNG").to_luma8();
        assert_eq!(img.dimensions(), (600, 200));
        let dark = img.pixels().filter(|p| p.0[0] < 128).count();
        let grey = img.pixels().filter(|p| p.0[0] > 0 && p.0[0] < 255).count();
        assert!(dark > 1500, "ink drawn: {dark}");
        assert!(grey > dark / 4, "edges anti-aliased: {grey}");
        // Corners far from any stroke stay white.
        assert_eq!(img.get_pixel(0, 0).0[0], 255);
        assert_eq!(img.get_pixel(599, 199).0[0], 255);
    }

    #[test]
    fn a_long_diagonal_zigzag_renders_quickly() {
        // Corner to corner on the largest pad, forty times: valid, and once rendered pixel by
        // bounding box, minutes of work.
        let strokes = vec![(0..41u32)
            .map(|i| {
                pt(
                    if i % 2 == 0 { 0.0 } else { 4096.0 },
                    i as f32 * 100.0,
                    i * 10,
                )
            })
            .collect()];
        let sig = Signature::new(SignatureInput {
            width: 4096,
            height: 4096,
            strokes,
        })
        .expect("valid");
        let started = std::time::Instant::now();
        let png = sig.render_png();
        assert!(!png.is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn json_round_trip_and_missing_pressure() {
        let json = br#"{"width":600,"height":200,"strokes":[[{"x":1,"y":2,"t":0}]]}"#;
        let input = SignatureInput::from_json(json).expect("parse");
        assert_eq!(input.strokes[0][0].p, 0.5);
        assert_eq!(
            SignatureInput::from_json(b"{\"width\":1}"),
            Err(Invalid::SignatureFormat)
        );
    }

    #[test]
    fn dots_lines_ticks_and_bad_points_are_refused_with_reasons() {
        let mut dot = name();
        dot.strokes = vec![(0..200)
            .map(|i| pt(300.0 + (i % 3) as f32, 100.0 + (i % 2) as f32 * 2.0, i))
            .collect()];
        // A dot can carry much ink by going back and forth in one place.
        assert_eq!(Signature::new(dot), Err(Invalid::SignatureDot));

        let mut line = name();
        line.strokes = vec![(0..100)
            .map(|i| pt(50.0 + i as f32 * 5.0, 20.0 + i as f32 * 1.6, i))
            .collect()];
        assert_eq!(Signature::new(line), Err(Invalid::SignatureLine));

        let mut tick = name();
        tick.strokes = vec![vec![pt(10.0, 10.0, 0), pt(30.0, 40.0, 5), pt(60.0, 5.0, 9)]];
        assert_eq!(Signature::new(tick), Err(Invalid::SignatureTooLittle));

        let mut outside = name();
        outside.strokes[0][3].x = 601.0;
        assert_eq!(Signature::new(outside), Err(Invalid::SignatureOutside));

        let mut nan = name();
        nan.strokes[1][0].y = f32::NAN;
        assert_eq!(Signature::new(nan), Err(Invalid::SignatureOutside));

        let mut backwards = name();
        backwards.strokes[0][5].t = 1;
        assert_eq!(Signature::new(backwards), Err(Invalid::SignatureTime));

        let mut huge = name();
        huge.width = 100_000;
        assert_eq!(Signature::new(huge), Err(Invalid::SignatureCanvas));

        let mut empty = name();
        empty.strokes.clear();
        assert_eq!(Signature::new(empty), Err(Invalid::SignatureTooLittle));
    }
}
