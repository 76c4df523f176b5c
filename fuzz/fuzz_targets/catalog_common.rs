// Shared body of the cataloger fuzz targets: the input is the content of a file
// at a path the cataloger wants. Nothing may panic, whatever the bytes.

use strata_catalog::{Cataloger, Diagnostics, FileInfo};

pub fn run(mut cataloger: Box<dyn Cataloger>, path: &str, data: &[u8]) {
    let file = FileInfo { path, size: data.len() as u64, mode: 0o755 };
    assert!(cataloger.wants(&file), "{} does not want {path}", cataloger.name());
    let mut diagnostics = Diagnostics::default();
    cataloger.visit(&file, data, &mut diagnostics);
    for package in cataloger.finish(&mut diagnostics) {
        assert!(!package.paths.is_empty());
    }
}
