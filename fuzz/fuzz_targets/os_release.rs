#![no_main]

// OS identification from release files of any content.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files = std::collections::BTreeMap::from([
        ("etc/os-release".to_owned(), data.to_vec()),
        ("etc/redhat-release".to_owned(), data.to_vec()),
    ]);
    if let Some(os) = strata_catalog::os::detect(&files, false) {
        let _ = (os.ecosystem(), os.release());
    }
});
