#![no_main]

// An osv.dev `all.zip`: truncated archives, overlapping entries, bombs and bad records
// end in Err or a skipped entry, never a panic or an unbounded allocation.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::osv::parse_zip(data, "fuzz");
});
