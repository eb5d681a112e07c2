//! Media of a visit: the signer's strokes (validated and rendered to PNG). Photos join here
//! with the photo pipeline.

pub mod signature;

pub use signature::{Signature, SignatureInput, StrokePoint};
