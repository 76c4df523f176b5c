use super::*;
use crate::testdata::shared_data;

fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
    let mut cataloger = RpmCataloger::new();
    let mut diagnostics = Diagnostics::default();
    let file = FileInfo { path, size: content.len() as u64, mode: 0o644 };
    assert!(cataloger.wants(&file));
    cataloger.visit(&file, content, &mut diagnostics);
    let packages = cataloger.finish(&mut diagnostics);
    (packages, diagnostics)
}

#[test]
fn dump() {
    for (rel, path) in [
        ("pkgdb/rpm/go-rpmdb-cbl-mariner-2.0/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"),
        ("pkgdb/rpm/rpm-upstream-testsuite/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"),
        ("pkgdb/rpm/go-rpmdb-libuuid-el8/Packages", "var/lib/rpm/Packages"),
        ("pkgdb/rpm/syft-rockylinux9-dive/Packages", "var/lib/rpm/Packages"),
        ("pkgdb/rpm/go-rpmdb-sle15-bci-minimal-15.3/Packages.db", "usr/lib/sysimage/rpm/Packages.db"),
    ] {
        let data = std::fs::read(shared_data(rel)).unwrap();
        let (p, d) = run(path, &data);
        println!("{rel}: {} packages, warnings {:?}", p.len(), d.warnings);
        for x in p.iter().take(3) { println!("  {} {} {:?} {:?} {:?} {:?} files={}", x.name, x.version, x.arch, x.source_name, x.source_version, x.metadata, x.files.len()); }
    }
}
