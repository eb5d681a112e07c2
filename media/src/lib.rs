//! doorstep-media: the pictures of a visit. Photos are decoded in bounded memory, shrunk,
//! turned upright and re-encoded without metadata (libjpeg-turbo and a SIMD resize); the
//! signer's strokes are validated and rendered to an anti-aliased PNG. A crate of its own so
//! that the server and `doorstep verify` never build the photo codec, and so that its inner
//! loops can be optimised even in debug builds.
#![forbid(unsafe_code)]

pub mod photo;
pub mod signature;

pub use photo::Photo;
pub use signature::Signature;

#[cfg(test)]
mod testing;
