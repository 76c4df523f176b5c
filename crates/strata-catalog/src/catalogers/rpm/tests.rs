use super::*;
use crate::testdata::shared_data;

const SQLITE_PATH: &str = "var/lib/rpm/rpmdb.sqlite";
const BDB_PATH: &str = "var/lib/rpm/Packages";
const NDB_PATH: &str = "usr/lib/sysimage/rpm/Packages.db";

fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
    let mut cataloger = RpmCataloger::new();
    let mut diagnostics = Diagnostics::default();
    let file = FileInfo {
        path,
        size: content.len() as u64,
        mode: 0o644,
    };
    assert!(cataloger.wants(&file));
    cataloger.visit(&file, content, &mut diagnostics);
    let packages = cataloger.finish(&mut diagnostics);
    (packages, diagnostics)
}

fn corpus(rel: &str) -> Vec<u8> {
    std::fs::read(shared_data(&format!("pkgdb/rpm/{rel}"))).unwrap()
}

// ---------------------------------------------------------------- builders

/// A header tag value for the test builder.
enum V<'a> {
    S(&'a str),
    I32(&'a [u32]),
    I64(u64),
    A(&'a [&'a str]),
    /// Raw entry: type, count, bytes.
    Raw(u32, u32, &'a [u8]),
}

fn encode(value: &V<'_>) -> (u32, u32, usize, Vec<u8>) {
    match value {
        V::S(s) => (6, 1, 1, [s.as_bytes(), &[0]].concat()),
        V::I32(v) => (
            4,
            v.len() as u32,
            4,
            v.iter().flat_map(|x| x.to_be_bytes()).collect(),
        ),
        V::I64(x) => (5, 1, 8, x.to_be_bytes().to_vec()),
        V::A(v) => (
            8,
            v.len() as u32,
            1,
            v.iter()
                .flat_map(|s| [s.as_bytes(), &[0]].concat())
                .collect(),
        ),
        V::Raw(ty, count, bytes) => (*ty, *count, 1, bytes.to_vec()),
    }
}

/// A header image as rpm stores it: a HEADERIMMUTABLE region over `region`, then the
/// `dribbles` appended after it (as rpm adds install-time tags).
fn header(region: &[(u32, V<'_>)], dribbles: &[(u32, V<'_>)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    let add = |tag: u32, value: &V<'_>, index: &mut Vec<[u32; 4]>, data: &mut Vec<u8>| {
        let (ty, count, align, bytes) = encode(value);
        while !data.len().is_multiple_of(align) {
            data.push(0);
        }
        index.push([tag, ty, data.len() as u32, count]);
        data.extend_from_slice(&bytes);
    };
    index.push([0; 4]); // region tag, filled below
    for (tag, value) in region {
        add(*tag, value, &mut index, &mut data);
    }
    let ril = index.len() as i32;
    index[0] = [63, 7, data.len() as u32, 16];
    for word in [63u32, 7, (-(ril * 16)) as u32, 16] {
        data.extend_from_slice(&word.to_be_bytes());
    }
    for (tag, value) in dribbles {
        add(*tag, value, &mut index, &mut data);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for entry in &index {
        for word in entry {
            out.extend_from_slice(&word.to_be_bytes());
        }
    }
    out.extend_from_slice(&data);
    out
}

fn simple(name: &str, version: &str, release: &str) -> Vec<u8> {
    header(
        &[
            (1000, V::S(name)),
            (1001, V::S(version)),
            (1002, V::S(release)),
            (1022, V::S("x86_64")),
            (1044, V::S(&format!("{name}-{version}-{release}.src.rpm"))),
        ],
        &[],
    )
}

fn adler(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// An NDB `Packages.db` holding `blobs` (one slot page).
fn ndb(blobs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0u8; 4096];
    out[0..4].copy_from_slice(b"RpmP");
    out[12..16].copy_from_slice(&1u32.to_le_bytes());
    for slot in 2..256 {
        out[slot * 16..slot * 16 + 4].copy_from_slice(b"Slot");
    }
    for (i, blob) in blobs.iter().enumerate() {
        let start = out.len();
        let blocks = (16 + blob.len() + 12).div_ceil(16);
        out.extend_from_slice(b"BlbS");
        out.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        out.extend_from_slice(blob);
        out.resize(start + blocks * 16 - 12, 0);
        let sum = adler(&out[start..]);
        out.extend_from_slice(&sum.to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BlbE");
        let slot = (i + 2) * 16;
        out[slot + 4..slot + 8].copy_from_slice(&(i as u32 + 1).to_le_bytes());
        out[slot + 8..slot + 12].copy_from_slice(&((start / 16) as u32).to_le_bytes());
        out[slot + 12..slot + 16].copy_from_slice(&(blocks as u32).to_le_bytes());
    }
    out
}

/// A hash value: inline bytes, or Err((first overflow page, length)).
type BdbValue<'a> = Result<&'a [u8], (u32, u32)>;
/// A SQLite value: Ok(int) or Err((is_text, bytes)); None = NULL.
type SqlValue<'a> = Option<Result<i64, (bool, &'a [u8])>>;

/// A Berkeley DB hash file of 512-byte pages: page 1 holds key/value pairs (inline, or
/// `Err((first overflow page, length))`), `overflow` pages follow as (next, bytes).
fn bdb(little: bool, pairs: &[(u32, BdbValue<'_>)], overflow: &[(u32, &[u8])]) -> Vec<u8> {
    const PS: usize = 512;
    let w32 = |v: u32| {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let w16 = |v: u16| {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let pages = 2 + overflow.len();
    let mut out = vec![0u8; PS * pages];
    out[12..16].copy_from_slice(&w32(0x061561));
    out[16..20].copy_from_slice(&w32(9));
    out[20..24].copy_from_slice(&w32(PS as u32));
    out[25] = 8;
    out[32..36].copy_from_slice(&w32(pages as u32 - 1));
    // Page 1: items from the end downwards, key then value.
    let page = &mut out[PS..2 * PS];
    page[8..12].copy_from_slice(&w32(1));
    page[20..22].copy_from_slice(&w16(2 * pairs.len() as u16));
    page[25] = 13;
    let mut top = PS;
    for (i, (key, value)) in pairs.iter().enumerate() {
        let mut key_item = vec![1u8];
        key_item.extend_from_slice(&w32(*key));
        let value_item = match value {
            Ok(bytes) => [&[1u8][..], bytes].concat(),
            Err((first, len)) => [&[3u8, 0, 0, 0][..], &w32(*first), &w32(*len)].concat(),
        };
        for (j, item) in [key_item, value_item].iter().enumerate() {
            top -= item.len();
            page[top..top + item.len()].copy_from_slice(item);
            let at = 26 + 2 * (2 * i + j);
            page[at..at + 2].copy_from_slice(&w16(top as u16));
        }
    }
    for (k, (next, bytes)) in overflow.iter().enumerate() {
        let number = 2 + k;
        let page = &mut out[number * PS..(number + 1) * PS];
        page[8..12].copy_from_slice(&w32(number as u32));
        page[16..20].copy_from_slice(&w32(*next));
        page[22..24].copy_from_slice(&w16(bytes.len() as u16));
        page[25] = 7;
        page[26..26 + bytes.len()].copy_from_slice(bytes);
    }
    out
}

fn sql_varint(mut v: u64) -> Vec<u8> {
    let mut groups = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        groups.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    groups.reverse();
    groups
}

/// A record of SQLite values: Ok(int) or Err((is_text, bytes)); None = NULL.
fn sql_record(columns: &[SqlValue<'_>]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut body = Vec::new();
    for column in columns {
        match column {
            None => types.extend(sql_varint(0)),
            Some(Ok(n)) => {
                types.extend(sql_varint(6));
                body.extend_from_slice(&n.to_be_bytes());
            }
            Some(Err((text, bytes))) => {
                let serial = bytes.len() as u64 * 2 + if *text { 13 } else { 12 };
                types.extend(sql_varint(serial));
                body.extend_from_slice(bytes);
            }
        }
    }
    [sql_varint(types.len() as u64 + 1), types, body].concat()
}

const SQL_PS: usize = 512;

/// A table leaf cell; payloads too big for the page spill to `overflow` (first page
/// number), the caller providing the overflow pages.
fn sql_cell(rowid: u64, payload: &[u8], overflow: u32) -> Vec<u8> {
    let u = SQL_PS;
    let (x, m) = (u - 35, (u - 12) * 32 / 255 - 23);
    let p = payload.len();
    let local = if p <= x {
        p
    } else {
        let k = m + (p - m) % (u - 4);
        if k <= x { k } else { m }
    };
    let mut cell = [
        sql_varint(p as u64),
        sql_varint(rowid),
        payload[..local].to_vec(),
    ]
    .concat();
    if local < p {
        cell.extend_from_slice(&overflow.to_be_bytes());
    }
    cell
}

/// A b-tree page: leaf with `cells`, or interior (`Some(rightmost)`) with left children.
fn sql_page(first: bool, rightmost: Option<u32>, cells: &[Vec<u8>]) -> Vec<u8> {
    let mut page = vec![0u8; SQL_PS];
    let h = if first { 100 } else { 0 };
    page[h] = if rightmost.is_some() { 5 } else { 13 };
    page[h + 3..h + 5].copy_from_slice(&(cells.len() as u16).to_be_bytes());
    let pointers = h + if let Some(r) = rightmost {
        page[h + 8..h + 12].copy_from_slice(&r.to_be_bytes());
        12
    } else {
        8
    };
    let mut top = SQL_PS;
    for (i, cell) in cells.iter().enumerate() {
        top -= cell.len();
        page[top..top + cell.len()].copy_from_slice(cell);
        page[pointers + 2 * i..pointers + 2 * i + 2].copy_from_slice(&(top as u16).to_be_bytes());
    }
    page[h + 5..h + 7].copy_from_slice(&(top as u16).to_be_bytes());
    page
}

/// A SQLite file whose page 1 declares `Packages` at root page 2, then `pages`.
fn sqlite(pages: &[Vec<u8>]) -> Vec<u8> {
    let sql =
        b"CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)";
    let master = sql_record(&[
        Some(Err((true, b"table"))),
        Some(Err((true, b"Packages"))),
        Some(Err((true, b"Packages"))),
        Some(Ok(2)),
        Some(Err((true, sql))),
    ]);
    let mut out = sql_page(true, None, &[sql_cell(1, &master, 0)]);
    out[..16].copy_from_slice(b"SQLite format 3\0");
    out[16..18].copy_from_slice(&(SQL_PS as u16).to_be_bytes());
    out[56..60].copy_from_slice(&1u32.to_be_bytes());
    for page in pages {
        out.extend_from_slice(page);
    }
    out
}

fn sql_row(rowid: u64, blob: &[u8], overflow: u32) -> Vec<u8> {
    sql_cell(
        rowid,
        &sql_record(&[None, Some(Err((false, blob)))]),
        overflow,
    )
}

// ---------------------------------------------------------------- corpus

/// Rows of a listing (`*.rpm-qa.tsv` / `*.expected-by-*.tsv`) as column → value, without
/// gpg-pubkey (skipped by design).
fn listing(rel: &str) -> Vec<BTreeMap<String, String>> {
    let text = String::from_utf8(corpus(rel)).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let columns: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|line| {
            columns
                .iter()
                .map(|c| c.to_string())
                .zip(line.split('\t').map(str::to_string))
                .collect()
        })
        .filter(|row: &BTreeMap<String, String>| row["name"] != "gpg-pubkey")
        .collect()
}

/// A package as a listing row: the listing's columns that the package model keeps.
fn as_row(p: &Package, columns: &[&str]) -> BTreeMap<String, String> {
    let none = || "(none)".to_string();
    let meta = |k: &str| p.metadata.get(k).cloned();
    let epoch = meta("epoch");
    let release = meta("release").unwrap();
    let mut version = p.version.as_str();
    if let Some(e) = &epoch {
        version = version.strip_prefix(&format!("{e}:")).unwrap();
    }
    let version = version
        .strip_suffix(&format!("-{release}"))
        .unwrap()
        .to_string();
    let source_version = p
        .source_version
        .clone()
        .unwrap_or_else(|| format!("{version}-{release}"));
    let mut row = BTreeMap::new();
    for column in columns {
        let value = match *column {
            "epoch" => epoch.clone().unwrap_or_else(none),
            "name" => p.name.clone(),
            "version" => version.clone(),
            "release" => release.clone(),
            "arch" => p.arch.clone().unwrap_or_else(none),
            "sourcerpm" => format!(
                "{}-{source_version}.src.rpm",
                p.source_name.as_deref().unwrap()
            ),
            "vendor" => meta("vendor").unwrap_or_else(none),
            "license" => meta("license").unwrap_or_else(none),
            "size" => meta("size").unwrap_or_else(none),
            _ => continue,
        };
        row.insert(column.to_string(), value);
    }
    row
}

/// Every package of `db` against every row of `listing`.
fn check_corpus(db: &str, path: &str, listing_rel: &str) -> Vec<Package> {
    let (packages, diagnostics) = run(path, &corpus(db));
    assert_eq!(diagnostics.warnings, Vec::<String>::new());
    let mut want = listing(listing_rel);
    // Empty vendors print as empty in the listing; the model leaves them out.
    for row in &mut want {
        if row.get("vendor").is_some_and(|v| v.is_empty()) {
            row.insert("vendor".into(), "(none)".into());
        }
    }
    let columns: Vec<&str> = [
        "epoch",
        "name",
        "version",
        "release",
        "arch",
        "sourcerpm",
        "vendor",
        "license",
        "size",
    ]
    .into_iter()
    .filter(|c| want[0].contains_key(*c))
    .collect();
    let mut got: Vec<_> = packages.iter().map(|p| as_row(p, &columns)).collect();
    let mut want: Vec<_> = want
        .into_iter()
        .map(|r| {
            r.into_iter()
                .filter(|(k, _)| columns.contains(&k.as_str()))
                .collect()
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for p in &packages {
        assert_eq!(p.kind, Some(PackageKind::Rpm));
        assert_eq!(p.paths, vec![path.to_string()]);
        assert!(
            p.files.iter().all(|f| !f.starts_with('/') && !f.is_empty()),
            "{}",
            p.name
        );
    }
    packages
}

#[test]
fn mariner_sqlite_every_package() {
    let packages = check_corpus(
        "go-rpmdb-cbl-mariner-2.0/rpmdb.sqlite",
        SQLITE_PATH,
        "go-rpmdb-cbl-mariner-2.0/rpmdb.sqlite.rpm-qa.tsv",
    );
    assert_eq!(packages.len(), 129);
    // Files as go-rpmdb's test lists them (Mariner2CurlInstalledFiles).
    let curl = packages.iter().find(|p| p.name == "curl").unwrap();
    assert_eq!(
        curl.files,
        [
            "usr/bin/curl",
            "usr/bin/curl-config",
            "usr/share/licenses/curl",
            "usr/share/licenses/curl/COPYING",
            "usr/share/man/man1/curl-config.1.gz",
            "usr/share/man/man1/curl.1.gz",
        ]
    );
    assert_eq!(curl.version, "7.76.0-6.cm2");
    assert_eq!(curl.source_name.as_deref(), Some("curl"));
    assert_eq!(curl.source_version, None); // same as version
    // Epoch: in version and metadata; the source version has none.
    let ca = packages
        .iter()
        .find(|p| p.name == "ca-certificates-base")
        .unwrap();
    assert_eq!(ca.version, "1:2.0.0-1.cm2");
    assert_eq!(ca.metadata["epoch"], "1");
    assert_eq!(ca.source_name.as_deref(), Some("ca-certificates"));
    assert_eq!(ca.source_version.as_deref(), Some("2.0.0-1.cm2"));
    assert!(
        packages
            .iter()
            .all(|p| p.metadata.contains_key("epoch") == p.version.contains(':'))
    );
}

#[test]
fn upstream_testsuite_sqlite_skips_gpg_pubkey() {
    let packages = check_corpus(
        "rpm-upstream-testsuite/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "rpm-upstream-testsuite/rpmdb.sqlite.rpm-qa.tsv",
    );
    let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["foo", "hlinktest"]);
    assert!(!packages[0].metadata.contains_key("vendor"));
}

#[test]
fn libuuid_bdb_every_package() {
    let packages = check_corpus(
        "go-rpmdb-libuuid-el8/Packages",
        BDB_PATH,
        "go-rpmdb-libuuid-el8/Packages.rpm-qa.tsv",
    );
    // Files as go-rpmdb's test lists them (LibuuidInstalledFiles).
    assert_eq!(
        packages[0].files,
        [
            "usr/lib/.build-id",
            "usr/lib/.build-id/df/ef6a880adac817216ab9866779a0725e017647",
            "usr/lib64/libuuid.so.1",
            "usr/lib64/libuuid.so.1.3.0",
            "usr/share/licenses/libuuid",
            "usr/share/licenses/libuuid/COPYING",
            "usr/share/licenses/libuuid/COPYING.BSD-3",
        ]
    );
    assert_eq!(packages[0].source_name.as_deref(), Some("util-linux"));
    assert_eq!(packages[0].source_version, None); // same as the binary's
}

#[test]
fn rockylinux_bdb_every_package() {
    let packages = check_corpus(
        "syft-rockylinux9-dive/Packages",
        "usr/lib/sysimage/rpm/Packages",
        "syft-rockylinux9-dive/Packages.rpm-qa.tsv",
    );
    assert_eq!(packages[0].files, ["usr/local/bin/dive"]);
}

#[test]
fn sle15_ndb_every_package() {
    let packages = check_corpus(
        "go-rpmdb-sle15-bci-minimal-15.3/Packages.db",
        NDB_PATH,
        "go-rpmdb-sle15-bci-minimal-15.3/Packages.db.expected-by-go-rpmdb-test.tsv",
    );
    assert_eq!(packages.len(), 35);
}

// ---------------------------------------------------------------- inline samples

#[test]
fn wants_only_database_files() {
    let c = RpmCataloger::new();
    let wants = |path| {
        c.wants(&FileInfo {
            path,
            size: 1,
            mode: 0o644,
        })
    };
    for path in DB_PATHS {
        assert!(wants(path), "{path}");
    }
    for path in [
        "var/lib/rpm/Name",
        "var/lib/rpm/rpmdb.sqlite-wal",
        "/var/lib/rpm/Packages",
        "x/var/lib/rpm/Packages",
        "usr/share/doc/Packages",
    ] {
        assert!(!wants(path), "{path}");
    }
    assert_eq!(c.name(), "rpm");
    assert_eq!(c.max_size(), 512 << 20);
}

#[test]
fn full_header_fields() {
    let blob = header(
        &[
            (1000, V::S("nodejs")),
            (1001, V::S("10.21.0")),
            (1002, V::S("3.module_el8.2.0+391+8da3adc6")),
            (1003, V::I32(&[1])),
            (1009, V::I32(&[1234])),
            (1011, V::S("CentOS")),
            (1014, V::S("MIT and ASL 2.0")),
            (1022, V::S("x86_64")),
            (
                1044,
                V::S("nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm"),
            ),
            (1116, V::I32(&[0, 1, 0])),
            (1117, V::A(&["node", "README", "npm"])),
            (1118, V::A(&["/usr/bin/", "/usr/share/doc/nodejs/"])),
            (5009, V::I64(5_000_000_000)),
            (5096, V::S("nodejs:10:8020020200707141642:6a468ee4")),
        ],
        &[],
    );
    let (packages, diagnostics) = run(NDB_PATH, &ndb(&[blob]));
    assert_eq!(diagnostics.warnings, Vec::<String>::new());
    let p = &packages[0];
    assert_eq!(p.name, "nodejs");
    assert_eq!(p.version, "1:10.21.0-3.module_el8.2.0+391+8da3adc6");
    assert_eq!(p.arch.as_deref(), Some("x86_64"));
    assert_eq!(p.source_name.as_deref(), Some("nodejs"));
    assert_eq!(
        p.source_version.as_deref(),
        Some("10.21.0-3.module_el8.2.0+391+8da3adc6")
    );
    assert_eq!(
        p.files,
        ["usr/bin/node", "usr/share/doc/nodejs/README", "usr/bin/npm"]
    );
    assert_eq!(p.paths, [NDB_PATH]);
    let meta: Vec<(&str, &str)> = p
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        meta,
        [
            ("epoch", "1"),
            ("license", "MIT and ASL 2.0"),
            ("modularity_label", "nodejs:10:8020020200707141642:6a468ee4"),
            ("release", "3.module_el8.2.0+391+8da3adc6"),
            ("size", "5000000000"), // LONGSIZE wins over SIZE
            ("vendor", "CentOS"),
        ]
    );
}

#[test]
fn epoch_zero_is_kept_and_dribbles_replace_region_entries() {
    let blob = header(
        &[
            (1000, V::S("a")),
            (1001, V::S("1")),
            (1002, V::S("2")),
            (1003, V::I32(&[0])),
            (1011, V::S("old")),
        ],
        &[(1011, V::S("new"))],
    );
    let (packages, diagnostics) = run(NDB_PATH, &ndb(&[blob]));
    assert!(
        diagnostics.warnings.is_empty(),
        "{:?}",
        diagnostics.warnings
    );
    assert_eq!(packages[0].version, "0:1-2");
    assert_eq!(packages[0].metadata["vendor"], "new");
    assert_eq!(packages[0].arch, None);
    assert_eq!(packages[0].source_name, None);
}

#[test]
fn old_filenames_and_legacy_header_without_region() {
    // No region tag at all (rpm accepts such headers), OLDFILENAMES instead of BASENAMES.
    let mut blob = Vec::new();
    let entries: [(u32, V<'_>); 3] = [
        (1000, V::S("old")),
        (1001, V::S("1.0")),
        (1027, V::A(&["/bin/sh", "/etc/x"])),
    ];
    let mut data = Vec::new();
    let mut index = Vec::new();
    for (tag, value) in &entries {
        let (ty, count, _, bytes) = encode(value);
        index.extend([*tag, ty, data.len() as u32, count]);
        data.extend(bytes);
    }
    blob.extend(3u32.to_be_bytes());
    blob.extend((data.len() as u32).to_be_bytes());
    index.iter().for_each(|w| blob.extend(w.to_be_bytes()));
    blob.extend(data);
    let (packages, diagnostics) = run(NDB_PATH, &ndb(&[blob]));
    assert!(
        diagnostics.warnings.is_empty(),
        "{:?}",
        diagnostics.warnings
    );
    assert_eq!(packages[0].version, "1.0");
    assert_eq!(packages[0].files, ["bin/sh", "etc/x"]);
}

#[test]
fn gpg_pubkey_is_skipped_silently() {
    let (packages, diagnostics) = run(
        NDB_PATH,
        &ndb(&[
            simple("gpg-pubkey", "1964c5fc", "58e63918"),
            simple("b", "1", "1"),
        ]),
    );
    assert!(diagnostics.warnings.is_empty());
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0].name, "b");
}

#[test]
fn source_rpm_names() {
    assert_eq!(
        parse_source_rpm("glibc-2.34-2.cm2.src.rpm"),
        Some(("glibc", "2.34-2.cm2".to_string()))
    );
    assert_eq!(
        parse_source_rpm("util-linux-ng-2.17-1.nosrc.rpm"),
        Some(("util-linux-ng", "2.17-1".to_string()))
    );
    assert_eq!(parse_source_rpm("foo-1.src.rpm"), None);
    assert_eq!(parse_source_rpm("foo-1-2.rpm"), None);
    assert_eq!(parse_source_rpm("-1-2.src.rpm"), None);
}

#[test]
fn sqlite_built_by_hand_with_overflow() {
    // A header of ~1.5 KiB: bigger than a 512-byte page, so it spills to overflow pages.
    // Page 2: interior (left child: the small row's leaf, right-most: page 3); page 3:
    // leaf with the big row; pages 4..: its overflow chain; then the small row's leaf.
    let long = "x".repeat(1400);
    let big = header(
        &[(1000, V::S("big")), (1001, V::S("1")), (1011, V::S(&long))],
        &[],
    );
    let payload = sql_record(&[None, Some(Err((false, &big)))]);
    let row = sql_row(2, &big, 4);
    let local = row.len() - 4 - sql_varint(payload.len() as u64).len() - sql_varint(2).len();
    let chunks: Vec<&[u8]> = payload[local..].chunks(SQL_PS - 4).collect();
    let small_leaf = 4 + chunks.len() as u32;
    let mut pages = vec![
        sql_page(
            false,
            Some(3),
            &[[&small_leaf.to_be_bytes()[..], &sql_varint(1)].concat()],
        ),
        sql_page(false, None, &[row]),
    ];
    for (i, chunk) in chunks.iter().enumerate() {
        let mut page = vec![0u8; SQL_PS];
        let next = if i + 1 < chunks.len() {
            5 + i as u32
        } else {
            0
        };
        page[..4].copy_from_slice(&next.to_be_bytes());
        page[4..4 + chunk.len()].copy_from_slice(chunk);
        pages.push(page);
    }
    pages.push(sql_page(
        false,
        None,
        &[sql_row(1, &simple("small", "2", "3"), 0)],
    ));
    let (packages, diagnostics) = run(SQLITE_PATH, &sqlite(&pages));
    assert!(
        diagnostics.warnings.is_empty(),
        "{:?}",
        diagnostics.warnings
    );
    let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["small", "big"]); // key order: left child first
    assert_eq!(packages[1].metadata["vendor"], long);
    assert_eq!(packages[0].source_name.as_deref(), Some("small"));
}

#[test]
fn bdb_built_by_hand_both_byte_orders() {
    let a = simple("inline", "1", "1");
    let b = simple("spilled", "2", "2");
    let (b1, b2) = b.split_at(100);
    for little in [true, false] {
        let file = bdb(
            little,
            &[
                (0, Ok(&[7, 0, 0, 0])),
                (1, Ok(&a)),
                (2, Err((2, b.len() as u32))),
            ],
            &[(3, b1), (0, b2)],
        );
        let (packages, diagnostics) = run(BDB_PATH, &file);
        assert!(
            diagnostics.warnings.is_empty(),
            "{little}: {:?}",
            diagnostics.warnings
        );
        let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["inline", "spilled"], "little-endian: {little}");
    }
}

// ---------------------------------------------------------------- hostile inputs

fn record_warnings(blob: Vec<u8>) -> Vec<String> {
    let (packages, diagnostics) = run(NDB_PATH, &ndb(&[blob, simple("good", "1", "1")]));
    // The good record after the bad one is kept.
    assert_eq!(
        packages.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["good"]
    );
    diagnostics.warnings
}

#[test]
fn hostile_headers_are_rejected_with_a_warning() {
    let good = simple("a", "1", "1");
    let set = |blob: &[u8], at: usize, v: u32| {
        let mut b = blob.to_vec();
        b[at..at + 4].copy_from_slice(&v.to_be_bytes());
        b
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("too short", vec![0, 0, 0]),
        ("il out of range", set(&good, 0, 0xffff_ffff)),
        ("il points past the blob", set(&good, 0, 0x100)),
        ("dl out of range", set(&good, 4, 0x7fff_ffff)),
        ("entry offset outside", set(&good, 8 + 16 + 8, 0x7fff_0000)),
        ("entry count huge", set(&good, 8 + 32 + 12, 0xffff_ffff)),
        ("entry type unknown", set(&good, 8 + 32 + 4, 77)),
        ("region trailer offset", set(&good, 8 + 8, 0xffff_fff0)),
        ("truncated", good[..good.len() - 1].to_vec()),
        (
            "string without NUL",
            header(&[(1000, V::Raw(6, 1, b"abc"))], &[]),
        ),
        (
            "string array count beyond data",
            header(&[(1117, V::Raw(8, 50, b"a\0b\0"))], &[]),
        ),
        ("misaligned int32", {
            let mut b = header(&[(1000, V::S("x")), (1003, V::I32(&[1]))], &[]);
            let at = 8 + 2 * 16 + 8; // offset of the EPOCH entry
            let off = u32::from_be_bytes(b[at..at + 4].try_into().unwrap());
            b[at..at + 4].copy_from_slice(&(off - 1).to_be_bytes());
            b
        }),
        ("no name", header(&[(1001, V::S("1"))], &[])),
    ];
    for (what, blob) in cases {
        let warnings = record_warnings(blob);
        assert_eq!(warnings.len(), 1, "{what}: {warnings:?}");
        assert!(
            warnings[0].starts_with(&format!("{NDB_PATH}: package record 1: ")),
            "{what}: {warnings:?}"
        );
    }
}

#[test]
fn hostile_file_lists() {
    // Directory index out of range, and mismatched counts.
    let bad_index = header(
        &[
            (1000, V::S("a")),
            (1001, V::S("1")),
            (1116, V::I32(&[0, 9])),
            (1117, V::A(&["x", "y"])),
            (1118, V::A(&["/d/"])),
        ],
        &[],
    );
    let (packages, d) = run(NDB_PATH, &ndb(&[bad_index]));
    assert_eq!(packages[0].files, ["d/x"]);
    assert!(
        d.warnings[0].contains("directory index out of range"),
        "{:?}",
        d.warnings
    );
    let mismatch = header(
        &[
            (1000, V::S("a")),
            (1001, V::S("1")),
            (1116, V::I32(&[0])),
            (1117, V::A(&["x", "y"])),
            (1118, V::A(&["/"])),
        ],
        &[],
    );
    let (packages, d) = run(NDB_PATH, &ndb(&[mismatch]));
    assert!(packages[0].files.is_empty());
    assert!(
        d.warnings[0].contains("directory indexes"),
        "{:?}",
        d.warnings
    );
    // Many files in one long directory: expansion beyond the budget is cut.
    let dir = format!("/{}/", "d".repeat(60_000));
    let names: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let indexes = vec![0u32; names.len()];
    let blob = header(
        &[
            (1000, V::S("a")),
            (1001, V::S("1")),
            (1116, V::I32(&indexes)),
            (1117, V::A(&names)),
            (1118, V::A(&[&dir])),
        ],
        &[],
    );
    let (packages, d) = run(NDB_PATH, &ndb(std::slice::from_ref(&blob)));
    let total: usize = packages[0].files.iter().map(String::len).sum();
    assert!(total <= 8 * blob.len() + (1 << 20), "{total}");
    assert!(
        d.warnings[0].contains("file list too large"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn sqlite_page_loops_terminate() {
    // Page 2: interior, left child 3, right-most 2 (itself); page 3: interior back to 2.
    let interior = |left: u32, right: u32| {
        sql_page(
            false,
            Some(right),
            &[[&left.to_be_bytes()[..], &sql_varint(1)].concat()],
        )
    };
    let (packages, d) = run(SQLITE_PATH, &sqlite(&[interior(3, 2), interior(2, 3)]));
    assert!(packages.is_empty());
    assert!(
        d.warnings.iter().any(|w| w.contains("referenced twice")),
        "{:?}",
        d.warnings
    );
    // Overflow chain that loops on itself: payload claims far more than the page.
    let mut cell = [sql_varint(100_000), sql_varint(1)].concat();
    cell.extend(vec![0u8; 39]);
    cell.extend(3u32.to_be_bytes());
    let mut looping = vec![0u8; SQL_PS];
    looping[..4].copy_from_slice(&3u32.to_be_bytes());
    let (packages, d) = run(
        SQLITE_PATH,
        &sqlite(&[sql_page(false, None, &[cell]), looping]),
    );
    assert!(packages.is_empty());
    assert!(!d.warnings.is_empty());
    // A pointer to a page past the end, and a non-b-tree page.
    let (_, d) = run(SQLITE_PATH, &sqlite(&[interior(99, 3), vec![0xee; SQL_PS]]));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("1 b-tree pages are outside the file")),
        "{:?}",
        d.warnings
    );
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("not a table b-tree page")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn bdb_overflow_loops_and_bad_items() {
    let b = simple("spilled", "2", "2");
    // An item longer than the file.
    let file = bdb(true, &[(1, Err((2, 100_000)))], &[(0, &b[..100])]);
    let (packages, d) = run(BDB_PATH, &file);
    assert!(packages.is_empty());
    assert!(
        d.warnings[0].contains("overflow item of 100000 bytes"),
        "{:?}",
        d.warnings
    );
    // The overflow chain points back at itself: stops when the file's pages are spent.
    let file = bdb(true, &[(1, Err((2, 1000)))], &[(2, &b[..100])]);
    let (packages, d) = run(BDB_PATH, &file);
    assert!(packages.is_empty());
    assert!(
        d.warnings[0].contains("more overflow pages followed than the file has"),
        "{:?}",
        d.warnings
    );
    // Zero-length overflow page, overflow to a non-overflow page, bad item type.
    let file = bdb(
        true,
        &[(1, Err((2, 10))), (2, Err((1, 10))), (3, Ok(&[]))],
        &[(0, &[])],
    );
    let (packages, d) = run(BDB_PATH, &file);
    assert!(packages.is_empty());
    assert!(
        d.warnings[0].contains("overflow page 2: bad length 0"),
        "{:?}",
        d.warnings
    );
    assert!(
        d.warnings[1].contains("bad overflow page 1"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn ndb_damage() {
    let mut file = ndb(&[simple("a", "1", "1"), simple("b", "1", "1")]);
    // Flip a byte inside the first blob: checksum mismatch, the second one survives.
    file[4096 + 40] ^= 1;
    let (packages, d) = run(NDB_PATH, &file);
    assert_eq!(packages.len(), 1);
    assert!(d.warnings[0].contains("checksum"), "{:?}", d.warnings);
    // Two slots pointing at the same blob: the overlap is refused.
    let mut file = ndb(&[simple("a", "1", "1")]);
    let slot = file[32..48].to_vec();
    file[48..64].copy_from_slice(&slot);
    file[52..56].copy_from_slice(&2u32.to_le_bytes());
    let (packages, d) = run(NDB_PATH, &file);
    assert_eq!(packages.len(), 1);
    assert!(
        d.warnings.iter().any(|w| w.contains("overlaps")),
        "{:?}",
        d.warnings
    );
    // Slot page count beyond the file.
    let mut file = ndb(&[]);
    file[12..16].copy_from_slice(&100u32.to_le_bytes());
    let (_, d) = run(NDB_PATH, &file);
    assert!(
        d.warnings[0].contains("slot page count"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn garbage_and_empty_files() {
    let (packages, d) = run(BDB_PATH, b"");
    assert!(packages.is_empty() && d.warnings.is_empty());
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let mut bdb_magic = noise(8192);
    bdb_magic[12..16].copy_from_slice(&0x061561u32.to_le_bytes());
    for content in [
        noise(5000),
        [&b"SQLite format 3\0"[..], &noise(5000)].concat(),
        [&b"RpmP"[..], &noise(9000)].concat(),
        bdb_magic,
        b"SQLite format 3\0".to_vec(),
        b"RpmP".to_vec(),
    ] {
        let (packages, d) = run(SQLITE_PATH, &content);
        assert!(packages.is_empty());
        assert!(!d.warnings.is_empty());
    }
}

/// Every prefix at many offsets, and random byte damage: no panic, and a truncated
/// database never yields more than the whole one.
#[test]
fn real_databases_truncated_and_damaged() {
    for (db, path) in [
        ("go-rpmdb-cbl-mariner-2.0/rpmdb.sqlite", SQLITE_PATH),
        ("rpm-upstream-testsuite/rpmdb.sqlite", SQLITE_PATH),
        ("go-rpmdb-libuuid-el8/Packages", BDB_PATH),
        ("syft-rockylinux9-dive/Packages", BDB_PATH),
        ("go-rpmdb-sle15-bci-minimal-15.3/Packages.db", NDB_PATH),
    ] {
        let data = corpus(db);
        let (whole, _) = run(path, &data);
        let step = (data.len() / 150).max(1);
        let cuts = (0..200)
            .chain((0..data.len()).step_by(step))
            .chain([data.len() - 1]);
        for cut in cuts.filter(|&c| c < data.len()) {
            let (packages, d) = run(path, &data[..cut]);
            assert!(packages.len() <= whole.len(), "{db} cut at {cut}");
            assert!(
                packages.len() < whole.len() || !d.warnings.is_empty() || cut > data.len() / 2,
                "{db} cut at {cut}"
            );
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ data.len() as u64;
        for _ in 0..60 {
            let mut damaged = data.clone();
            for _ in 0..8 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % damaged.len();
                damaged[at] = (seed >> 17) as u8;
            }
            let _ = run(path, &damaged);
        }
    }
}
