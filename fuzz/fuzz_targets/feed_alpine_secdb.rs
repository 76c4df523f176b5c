#![no_main]

// Alpine's secdb, and the same format from Wolfi and Chainguard (no `distroversion`, so
// Alpine refuses them early): read both ways, never a panic.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = strata_vulndb::feeds::alpine::parse_secdb(data, "Alpine");
    let _ = strata_vulndb::feeds::alpine::parse_secdb(data, "Wolfi");
});
