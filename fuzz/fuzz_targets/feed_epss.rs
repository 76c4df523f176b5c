#![no_main]

// The EPSS scores CSV: never a panic, whatever the bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::epss::parse(data);
});
