#![no_main]

// One OSV JSON record (golang/vulndb, RustSec, GitHub advisories, an osv.dev zip entry):
// whatever the bytes, Ok or a Skipped, never a panic.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::osv::parse_record(data, "fuzz");
});
