//! Finds the project's shared test data (`shared/data/…`), which sits beside the
//! repository (CI and developers have it at `../shared`).

use std::path::PathBuf;

/// `shared/data/<relative>`, found by walking up from the crate directory.
pub(crate) fn shared_data(relative: &str) -> PathBuf {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/data"))
        .find(|dir| dir.is_dir())
        .map(|dir| dir.join(relative))
        .unwrap_or_else(|| panic!("shared/data not found above {}", start.display()))
}
