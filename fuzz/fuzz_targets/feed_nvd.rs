#![no_main]

// An NVD CVE JSON 2.0 document (year feed or API page): never a panic, whatever the bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::nvd::parse(data);
});
