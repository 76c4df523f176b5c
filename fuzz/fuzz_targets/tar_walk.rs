#![no_main]

// Layer tars: the walker, the merged view and link resolution on arbitrary bytes.
// Whatever the input, no panic, and every path handed out stays inside the root.

use strata_image::walk::{self, EntryKind};
use strata_image::{Limits, MergedView};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = Limits { entries_per_layer: 10_000, ..Limits::default() };
    let mut view = MergedView::new();
    let mut paths = Vec::new();
    let _ = walk::walk(data, "fuzz", &limits, |entry| {
        assert!(!entry.path.starts_with('/') && !entry.path.split('/').any(|c| c == ".."));
        if let EntryKind::Hardlink(target) = &entry.kind {
            assert!(!target.starts_with('/') && !target.split('/').any(|c| c == ".."));
        }
        paths.push(entry.path.clone());
        view.apply(0, &entry.path, entry.kind.clone(), entry.size);
        Ok(())
    });
    for path in paths.iter().take(50) {
        if let Ok(Some(resolved)) = view.resolve(path, &limits) {
            assert!(!resolved.split('/').any(|c| c == ".."));
        }
    }
});
