//! The photo pipeline (JPEG or PNG from the camera or the gallery): any bytes give a photo
//! or a clear refusal, never a panic; a photo it made fits the long edge asked for and is
//! itself a photo the pipeline reads.
#![no_main]

use doorstep_media::photo::process;

const LONG_EDGE: u32 = 256;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(photo) = process(data, LONG_EDGE) {
        assert!(
            photo.width.max(photo.height) <= LONG_EDGE,
            "a photo over the long edge"
        );
        let again = process(&photo.jpeg, LONG_EDGE).expect("the pipeline reads its own JPEG");
        assert_eq!((again.width, again.height), (photo.width, photo.height));
    }
});
