//! A signature as the phone captures it: strokes of timed, pressure-weighted points on a
//! canvas. The record keeps the strokes (they are the evidence); the core validates them and
//! renders the image whose hash the record also carries.

use serde::{Deserialize, Serialize};

use crate::model::Invalid;

/// One sampled point: canvas pixels, milliseconds since the signature began, pressure 0–1
/// (devices without pressure report none; 0.5 is assumed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t: u32,
    #[serde(default = "half")]
    pub p: f32,
}

// Handwriting is personal: Debug shows the pad and the number of strokes.
impl std::fmt::Debug for SignatureInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureInput")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("strokes", &self.strokes.len())
            .finish()
    }
}

fn half() -> f32 {
    0.5
}

/// What the shell sends: `{"width":W,"height":H,"strokes":[[{"x":..,"y":..,"t":ms,"p":..},..],..]}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureInput {
    pub width: u32,
    pub height: u32,
    pub strokes: Vec<Vec<StrokePoint>>,
}

impl SignatureInput {
    /// Parses the shell's JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Invalid> {
        serde_json::from_slice(bytes).map_err(|_| Invalid::SignatureFormat)
    }
}
