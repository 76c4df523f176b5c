//! Berkeley DB hash databases (`var/lib/rpm/Packages` before rpm 4.16), read as rpm's
//! own read-only backend (lib/backend/bdb_ro.cc) and go-rpmdb's pkg/bdb do: a metadata
//! page, hash pages of key/value item pairs, values stored inline (H_KEYDATA) or on a
//! chain of overflow pages (H_OFFPAGE). Layouts: libdb src/dbinc/db_page.h. Numbers are
//! in the byte order of the machine that wrote the file; the magic tells which.
//!
//! Hash pages are scanned in file order (as go-rpmdb does) rather than by bucket, so no
//! page chain can loop; overflow chains are bounded by the file's page count.

use super::Sink;

const HASH_MAGIC: u32 = 0x0006_1561;
// Page types (db_page.h).
const HASH_UNSORTED: u8 = 2;
const OVERFLOW: u8 = 7;
const HASH_META: u8 = 8;
const HASH: u8 = 13;
// Hash item types (db_page.h).
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
/// Every page starts with a 26-byte header (lsn, pgno, prev, next, entries, hf_offset,
/// level, type); the item offsets follow it.
const PAGE_HEADER: usize = 26;

/// Whether `data` starts like a Berkeley DB hash database (either byte order).
pub(super) fn is_bdb(data: &[u8]) -> bool {
    matches!(data.get(12..16), Some(m) if m == HASH_MAGIC.to_le_bytes() || m == HASH_MAGIC.to_be_bytes())
}

struct Db<'a> {
    data: &'a [u8],
    little: bool,
    page_size: usize,
    pages: usize,
}

impl<'a> Db<'a> {
    fn u16(&self, b: &[u8], at: usize) -> Option<u16> {
        let raw = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        })
    }

    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        let raw = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    }

    /// Page `number`, when it is in the file and says it is that page (as bdb_ro checks).
    fn page(&self, number: u32) -> Option<&'a [u8]> {
        let index = number as usize;
        if index == 0 || index >= self.pages {
            return None;
        }
        let start = index.checked_mul(self.page_size)?;
        let page = self.data.get(start..start.checked_add(self.page_size)?)?;
        (self.u32(page, 8)? == number).then_some(page)
    }

    /// An H_OFFPAGE value: `len` bytes spread over overflow pages from `number` on, each
    /// holding `hf_offset` bytes after its header (bdb_ro `ovfl_get`). Err(true) when the
    /// file-wide budget of overflow pages is spent.
    fn overflow(
        &self,
        mut number: u32,
        len: u32,
        budget: &mut usize,
    ) -> Result<Vec<u8>, (bool, String)> {
        let len = len as usize;
        if len == 0 || len > self.data.len() {
            return Err((
                false,
                format!(
                    "overflow item of {len} bytes (file has {})",
                    self.data.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if *budget == 0 {
                return Err((
                    true,
                    "more overflow pages followed than the file has".into(),
                ));
            }
            *budget -= 1;
            let page = match self.page(number) {
                Some(page) if page.get(25) == Some(&OVERFLOW) => page,
                _ => return Err((false, format!("bad overflow page {number}"))),
            };
            let on_page = usize::from(self.u16(page, 22).unwrap_or(0));
            let bytes = match page.get(PAGE_HEADER..PAGE_HEADER + on_page) {
                Some(bytes) if on_page > 0 && on_page <= len - out.len() => bytes,
                _ => {
                    return Err((
                        false,
                        format!("overflow page {number}: bad length {on_page}"),
                    ));
                }
            };
            out.extend_from_slice(bytes);
            number = self.u32(page, 16).unwrap_or(0);
        }
        Ok(out)
    }
}

/// Hands every value of the hash database to `sink`. Err: nothing (more) readable.
pub(super) fn read(data: &[u8], sink: &mut dyn Sink) -> Result<(), String> {
    if !is_bdb(data) || data.len() < 512 {
        return Err("truncated Berkeley DB metadata page".into());
    }
    let little = data.get(12..16) == Some(&HASH_MAGIC.to_le_bytes()[..]);
    let mut db = Db {
        data,
        little,
        page_size: 0,
        pages: 0,
    };
    let meta = |at| db.u32(data, at).unwrap_or(0);
    let (version, page_size, last_page) = (meta(16), meta(20), meta(32));
    if !(8..=10).contains(&version) {
        return Err(format!("unsupported Berkeley DB hash version {version}"));
    }
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(format!("bad Berkeley DB page size {page_size}"));
    }
    if data.get(24) != Some(&0) {
        return Err("encrypted Berkeley DB".into());
    }
    if data.get(25) != Some(&HASH_META) {
        return Err("not a Berkeley DB hash metadata page".into());
    }
    db.page_size = page_size as usize;
    let in_file = data.len() / db.page_size;
    db.pages = (last_page as usize).saturating_add(1).min(in_file);
    if db.pages < (last_page as usize).saturating_add(1) {
        sink.warn(format!(
            "truncated: {in_file} pages present, last page is {last_page}"
        ));
    }
    let mut budget = db.pages;

    for number in 1..db.pages {
        let Ok(number) = u32::try_from(number) else {
            break;
        };
        let Some(page) = db.page(number) else {
            continue;
        };
        if !matches!(page.get(25), Some(&HASH) | Some(&HASH_UNSORTED)) {
            continue;
        }
        let entries = usize::from(db.u16(page, 20).unwrap_or(0));
        if PAGE_HEADER + 2 * entries > db.page_size {
            sink.warn(format!(
                "Berkeley DB page {number}: bad entry count {entries}"
            ));
            continue;
        }
        let offset = |i: usize| usize::from(db.u16(page, PAGE_HEADER + 2 * i).unwrap_or(0));
        // Items are key/value pairs laid out downwards from the page end; an item ends
        // where the previous one starts (bdb_ro `hash_next`).
        for pair in (0..entries / 2).map(|p| 2 * p) {
            let key_off = offset(pair);
            let value_off = offset(pair + 1);
            let key_end = if pair == 0 {
                db.page_size
            } else {
                offset(pair - 1)
            };
            let item = |off: usize, end: usize| page.get(off..end).filter(|b| !b.is_empty());
            let (Some(key), Some(value)) = (item(key_off, key_end), item(value_off, key_off))
            else {
                sink.warn(format!(
                    "Berkeley DB page {number}: bad item offsets at {pair}"
                ));
                continue;
            };
            // Key 0 of rpm's Packages holds the header instance counter, not a header.
            if key == [H_KEYDATA, 0, 0, 0, 0] {
                continue;
            }
            match value {
                [H_KEYDATA, inline @ ..] => sink.blob(inline),
                [H_OFFPAGE, ..] if value.len() == 12 => {
                    let (first, len) =
                        (db.u32(value, 4).unwrap_or(0), db.u32(value, 8).unwrap_or(0));
                    match db.overflow(first, len, &mut budget) {
                        Ok(blob) => sink.blob(&blob),
                        Err((false, why)) => sink.warn(format!("Berkeley DB page {number}: {why}")),
                        Err((true, why)) => {
                            return Err(format!("Berkeley DB page {number}: {why}"));
                        }
                    }
                }
                [kind, ..] => sink.warn(format!(
                    "Berkeley DB page {number}: unsupported item type {kind}"
                )),
                [] => {}
            }
        }
    }
    Ok(())
}
