#![no_main]

// Offline database bundles (`strata db import`): whatever the bytes, Ok or Err, never a
// panic or an unbounded allocation. A refused bundle leaves no `vuln.db` and no temporary
// file behind, and nothing is written outside the process's own temporary directory
// (removed at exit).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use strata_vulndb::bundle::{self, ImportLimits};

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> i32;
}

static DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn remove_dir() {
    if let Some(dir) = DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn dir() -> &'static Path {
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("strata-fuzz-bundle-").tempdir().expect("a temporary directory").keep();
        // SAFETY: registers a plain function with no arguments, run once at exit.
        unsafe { atexit(remove_dir) };
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = dir();
    let db = dir.join("vuln.db");
    let _ = std::fs::remove_file(&db);
    let result = bundle::import(data, Path::new("fuzz"), &db, None, ImportLimits { max_db_bytes: 1 << 20 });
    match result {
        Ok(_) => assert!(db.is_file(), "an accepted bundle left no vuln.db"),
        Err(_) => assert!(!db.exists(), "a refused bundle left a vuln.db"),
    }
    for entry in std::fs::read_dir(dir).expect("the temporary directory") {
        let name = entry.expect("an entry").file_name();
        assert!(name == "vuln.db", "import left {name:?} behind");
    }
    let _ = std::fs::remove_file(&db);
});
