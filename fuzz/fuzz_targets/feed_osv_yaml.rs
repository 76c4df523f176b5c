#![no_main]

// One OSV YAML record (pypa/advisory-database): alias bombs, deep nesting and odd scalars
// end in a Skipped, never a panic or an unbounded expansion.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::osv::parse_yaml(data, "fuzz");
});
