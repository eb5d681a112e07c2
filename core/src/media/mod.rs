//! Media of a visit: the signer's strokes (validated and rendered to PNG) and photos (made
//! small, upright and free of metadata).

pub mod photo;
pub mod signature;

pub use photo::Photo;
pub use signature::{Signature, SignatureInput, StrokePoint};
