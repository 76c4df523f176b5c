#![no_main]

// Manifests, indexes and configs from untrusted registries and archives: parsing,
// platform selection and history pairing must never panic.

use strata_image::manifest::Manifest;
use strata_image::{ImageConfig, Platform};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(Manifest::Index(index)) = Manifest::parse(data, None, "fuzz") {
        let _ = index.select(&Platform::host(), "fuzz");
    }
    if let Ok(config) = ImageConfig::parse(data, "fuzz") {
        let _ = config.layer_history();
    }
});
