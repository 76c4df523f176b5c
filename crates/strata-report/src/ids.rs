//! Identifiers the documents need that must not change between runs on the same
//! image (serial numbers, namespaces, per-package references), and the current
//! time in RFC 3339 without a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use strata_catalog::inventory::{Inventory, InventoryPackage};

/// Feeds `field` to `hasher` with its length first, so field boundaries are
/// unambiguous (`ab`+`c` differs from `a`+`bc`).
fn feed(hasher: &mut Sha256, field: &str) {
    hasher.update((field.len() as u64).to_le_bytes());
    hasher.update(field.as_bytes());
}

fn feed_opt(hasher: &mut Sha256, field: Option<&str>) {
    match field {
        Some(value) => {
            hasher.update([1]);
            feed(hasher, value);
        }
        None => hasher.update([0]),
    }
}

/// What identifies one package of an inventory.
fn feed_package(hasher: &mut Sha256, package: &InventoryPackage) {
    feed_package_fields(
        hasher,
        [
            &package.ecosystem,
            &package.name,
            &package.version,
            &package.purl,
        ],
        package.layer.as_deref(),
        &package.paths,
    );
}

/// `[ecosystem, name, version, purl]`, layer diff_id and paths of a package.
fn feed_package_fields(
    hasher: &mut Sha256,
    fields: [&str; 4],
    layer: Option<&str>,
    paths: &[String],
) {
    for field in fields {
        feed(hasher, field);
    }
    feed_opt(hasher, layer);
    hasher.update((paths.len() as u64).to_le_bytes());
    for path in paths {
        feed(hasher, path);
    }
}

/// SHA-256 over the image's identity (its digests, or its reference when it has
/// none) and the package list: equal inputs give equal documents.
fn content_digest(inventory: &Inventory) -> [u8; 32] {
    let mut hasher = Sha256::new();
    feed(&mut hasher, "strata-report/v1");
    let image = &inventory.image;
    feed_opt(&mut hasher, image.manifest_digest.as_deref());
    feed_opt(&mut hasher, image.config_digest.as_deref());
    if image.manifest_digest.is_none() && image.config_digest.is_none() {
        feed(&mut hasher, &image.reference);
    }
    hasher.update((inventory.packages.len() as u64).to_le_bytes());
    for package in &inventory.packages {
        feed_package(&mut hasher, package);
    }
    let mut out = [0u8; 32];
    for (slot, byte) in out.iter_mut().zip(hasher.finalize().iter()) {
        *slot = *byte;
    }
    out
}

/// A UUID (RFC 9562 layout, version 5 and variant bits set) derived from the
/// inventory's content: `8-4-4-4-12` lowercase hex.
pub(crate) fn content_uuid(inventory: &Inventory) -> String {
    let digest = content_digest(inventory);
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    uuid_from_bytes(bytes)
}

/// Formats 16 bytes as a version-5, RFC 4122-variant UUID.
fn uuid_from_bytes(bytes: [u8; 16]) -> String {
    let mut n = u128::from_be_bytes(bytes);
    // Version nibble: the high nibble of octet 6.
    n = (n & !(0xf_u128 << 76)) | (0x5_u128 << 76);
    // Variant: the two high bits of octet 8 are `10`.
    n = (n & !(0b11_u128 << 62)) | (0b10_u128 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        n >> 96,
        (n >> 80) & 0xffff,
        (n >> 64) & 0xffff,
        (n >> 48) & 0xffff,
        n & 0xffff_ffff_ffff
    )
}

/// A short stable id of one package (16 hex digits of SHA-256 over its identity).
pub(crate) fn package_id(package: &InventoryPackage) -> String {
    let mut hasher = Sha256::new();
    feed_package(&mut hasher, package);
    let digest = hasher.finalize();
    hex::encode(digest.iter().take(8).copied().collect::<Vec<u8>>())
}

/// [`package_id`] of a package known only by its fields (`[ecosystem, name,
/// version, purl]`, layer, paths): the same id as the inventory package with
/// those fields.
pub(crate) fn package_id_of(fields: [&str; 4], layer: Option<&str>, paths: &[String]) -> String {
    let mut hasher = Sha256::new();
    feed_package_fields(&mut hasher, fields, layer, paths);
    let digest = hasher.finalize();
    hex::encode(digest.iter().take(8).copied().collect::<Vec<u8>>())
}

/// A UUID (as [`content_uuid`]) over the inventory's content and `extra`
/// fields: documents derived from the same inventory (an SBOM, a scan BOM) get
/// different, still reproducible, serial numbers.
pub(crate) fn derived_uuid(inventory: &Inventory, extra: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(content_digest(inventory));
    hasher.update((extra.len() as u64).to_le_bytes());
    for field in extra {
        feed(&mut hasher, field);
    }
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(hasher.finalize().iter()) {
        *slot = *byte;
    }
    uuid_from_bytes(bytes)
}

/// `text` with every character outside `[A-Za-z0-9.-]` replaced by `-`
/// (SPDX identifiers allow only those); `unnamed` when empty.
pub(crate) fn sanitize(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "unnamed".to_owned()
    } else {
        clean
    }
}

/// The current UTC time as RFC 3339 (`2026-11-23T10:04:05Z`).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    rfc3339(i64::try_from(secs).unwrap_or_default())
}

/// Seconds since the Unix epoch as RFC 3339 UTC.
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        let now = now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.as_str() > "2025-01-01", "{now}");
    }

    #[test]
    fn uuid_layout() {
        assert_eq!(
            uuid_from_bytes([0; 16]),
            "00000000-0000-5000-8000-000000000000"
        );
        assert_eq!(
            uuid_from_bytes([0xff; 16]),
            "ffffffff-ffff-5fff-bfff-ffffffffffff"
        );
        let bytes = [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
            0xde, 0xf0,
        ];
        assert_eq!(
            uuid_from_bytes(bytes),
            "12345678-9abc-5ef0-9234-56789abcdef0"
        );
    }

    #[test]
    fn sanitize_keeps_spdx_id_characters() {
        assert_eq!(sanitize("@babel/core"), "-babel-core");
        assert_eq!(
            sanitize("org.apache.commons:commons-text"),
            "org.apache.commons-commons-text"
        );
        assert_eq!(sanitize("zlib1g"), "zlib1g");
        assert_eq!(sanitize("pé"), "p-");
        assert_eq!(sanitize(""), "unnamed");
    }
}
