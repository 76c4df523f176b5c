#![no_main]

// Image references and platforms typed by users or found in manifests.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(reference) = strata_image::ImageRef::parse(text) {
        // A parsed reference prints as a reference that parses to itself.
        let again = strata_image::ImageRef::parse(&reference.to_string()).expect("display parses back");
        assert_eq!(again, reference);
    }
    let _ = text.parse::<strata_image::Platform>();
    let _ = text.parse::<strata_image::Digest>();
});
