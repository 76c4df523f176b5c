#![no_main]

// The Debian security tracker's JSON export: never a panic, whatever the bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::debian::parse_tracker(data);
});
