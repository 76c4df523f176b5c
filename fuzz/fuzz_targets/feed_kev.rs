#![no_main]

// CISA's Known Exploited Vulnerabilities catalog: never a panic, whatever the bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::kev::parse(data);
});
