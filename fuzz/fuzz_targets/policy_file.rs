#![no_main]

// A policy file (`--policy`, `PUT /api/v1/policies`): any bytes end in a policy set or an
// error naming the file (and line and field), never a panic; a set that loads writes back
// (YAML) to one that loads to the same policies.

use std::path::Path;

use strata_policy::policy::PolicySet;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(set) = PolicySet::from_text(Path::new("fuzz.yaml"), text) else {
        return;
    };
    let yaml = serde_yaml_ng::to_string(&set.to_file()).expect("a loaded set serialises");
    let again = PolicySet::from_text(Path::new("again.yaml"), &yaml).expect("and loads back");
    assert_eq!(again.policies(), set.policies());
});
