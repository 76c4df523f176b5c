//! Decoding one rpm "header image" as the rpm database stores it (rpm lib/header.cc,
//! `hdrblobInit`): big-endian `il` (index entry count) and `dl` (data length), `il`
//! index entries of 16 bytes (tag, type, offset, count), then `dl` bytes of data.
//! The checks follow rpm's `hdrblobVerifyLengths/Region/Info`: a header failing them is
//! rejected as a whole, as rpm does.

use std::borrow::Cow;

// Region tags (rpm include/rpm/rpmtag.h): the first entry of a v4 header.
const HEADERIMAGE: u32 = 61;
const HEADERSIGNATURES: u32 = 62;
const HEADERIMMUTABLE: u32 = 63;
/// Tags below this are reserved (rpm `hdrchkTag`).
const HEADERI18NTABLE: u32 = 100;

pub(super) const NAME: u32 = 1000;
pub(super) const VERSION: u32 = 1001;
pub(super) const RELEASE: u32 = 1002;
pub(super) const EPOCH: u32 = 1003;
pub(super) const SIZE: u32 = 1009;
pub(super) const VENDOR: u32 = 1011;
pub(super) const LICENSE: u32 = 1014;
pub(super) const ARCH: u32 = 1022;
pub(super) const OLDFILENAMES: u32 = 1027;
pub(super) const SOURCERPM: u32 = 1044;
pub(super) const DIRINDEXES: u32 = 1116;
pub(super) const BASENAMES: u32 = 1117;
pub(super) const DIRNAMES: u32 = 1118;
pub(super) const LONGSIZE: u32 = 5009;
pub(super) const MODULARITYLABEL: u32 = 5096;

/// The tags this cataloger reads; other entries are checked, then forgotten.
const WANTED: [u32; 15] = [
    NAME,
    VERSION,
    RELEASE,
    EPOCH,
    SIZE,
    VENDOR,
    LICENSE,
    ARCH,
    OLDFILENAMES,
    SOURCERPM,
    DIRINDEXES,
    BASENAMES,
    DIRNAMES,
    LONGSIZE,
    MODULARITYLABEL,
];

// Data types (rpmtag.h `rpmTagType_e`).
const CHAR: u32 = 1;
const INT8: u32 = 2;
const INT16: u32 = 3;
const INT32: u32 = 4;
const INT64: u32 = 5;
const STRING: u32 = 6;
const BIN: u32 = 7;
const STRING_ARRAY: u32 = 8;
const I18NSTRING: u32 = 9;

// Limits of rpm header.cc.
const HEADER_TAGS_MAX: u32 = 0xffff;
const HEADER_DATA_MAX: u32 = 0x0fff_ffff;
const HEADER_ARRAY_MAX: u32 = 0x000f_ffff;
const ENTRY_SIZE: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
    /// Bytes of data the entry covers (checked to fit in the data store).
    len: usize,
}

/// A checked header: the entries of the wanted tags over its data store.
#[derive(Debug)]
pub(super) struct Header<'a> {
    data: &'a [u8],
    entries: Vec<Entry>,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// Alignment rpm requires of a type's data offset (`typeAlign`).
fn align(ty: u32) -> usize {
    match ty {
        INT16 => 2,
        INT32 => 4,
        INT64 => 8,
        _ => 1,
    }
}

/// Length in bytes of `count` items of `ty` at the start of `data`, or None when it
/// does not fit (rpm `dataLength`: strings must be NUL-terminated inside the store).
fn data_length(ty: u32, count: usize, data: &[u8]) -> Option<usize> {
    let fixed = |size: usize| {
        let len = count.checked_mul(size)?;
        (len <= data.len()).then_some(len)
    };
    match ty {
        CHAR | INT8 | BIN => fixed(1),
        INT16 => fixed(2),
        INT32 => fixed(4),
        INT64 => fixed(8),
        STRING | STRING_ARRAY | I18NSTRING => {
            if ty == STRING && count != 1 {
                return None;
            }
            let mut len = 0usize;
            for _ in 0..count {
                let rest = data.get(len..)?;
                let nul = rest.iter().position(|&b| b == 0)?;
                len = len.checked_add(nul)?.checked_add(1)?;
            }
            Some(len)
        }
        _ => None,
    }
}

impl<'a> Header<'a> {
    /// Checks `blob` (exactly one header image) and indexes the wanted tags.
    pub(super) fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let (il, dl) = match (be32(blob, 0), be32(blob, 4)) {
            (Some(il), Some(dl)) => (il, dl),
            _ => return Err(format!("header blob of {} bytes is too short", blob.len())),
        };
        if il == 0 || il > HEADER_TAGS_MAX || dl > HEADER_DATA_MAX {
            return Err(format!("header counts out of range (il {il}, dl {dl})"));
        }
        // Both are bounded above, so this cannot overflow.
        let (il, dl) = (il as usize, dl as usize);
        let index_end = 8 + il * ENTRY_SIZE;
        if index_end + dl != blob.len() {
            return Err(format!(
                "header size mismatch: 8 + 16 * {il} + {dl} != {} bytes",
                blob.len()
            ));
        }
        let index = blob.get(8..index_end).unwrap_or_default();
        let data = blob.get(index_end..).unwrap_or_default();
        let raw = |i: usize| -> (u32, u32, u32, u32) {
            let at = i * ENTRY_SIZE;
            let field = |k: usize| be32(index, at + 4 * k).unwrap_or(0);
            (field(0), field(1), field(2), field(3))
        };

        // The region (rpm `hdrblobVerifyRegion`): a first entry tagged HEADERIMMUTABLE
        // (or IMAGE/SIGNATURES) points at a 16-byte trailer whose negative offset gives
        // the number of entries inside the region.
        let (tag0, ty0, off0, count0) = raw(0);
        let mut region_end = None; // rdl: data bytes covered by the region
        if matches!(tag0, HEADERIMAGE | HEADERSIGNATURES | HEADERIMMUTABLE) {
            let trailer_at = off0 as usize;
            if ty0 != BIN || count0 != 16 || off0 > i32::MAX as u32 || trailer_at + 16 > dl {
                return Err(format!(
                    "bad region tag (type {ty0}, offset {off0}, count {count0})"
                ));
            }
            let t = |k: usize| be32(data, trailer_at + 4 * k).unwrap_or(0);
            let (ttag, tty, toff, tcount) = (t(0), t(1), t(2), t(3));
            let ttag = if tag0 == HEADERSIGNATURES && ttag == HEADERIMAGE {
                tag0
            } else {
                ttag
            };
            let ril_bytes = (toff as i32).unsigned_abs() as usize;
            if ttag != tag0 || tty != BIN || tcount != 16 || (toff as i32) > 0 {
                return Err("bad region trailer".to_string());
            }
            if !ril_bytes.is_multiple_of(ENTRY_SIZE) || ril_bytes / ENTRY_SIZE > il {
                return Err(format!("bad region size ({ril_bytes} bytes of entries)"));
            }
            region_end = Some(trailer_at + 16);
        }

        // Every other entry (rpm `hdrblobVerifyInfo`): known type, sane count, aligned
        // offset inside the store, data that fits, no overlap with the previous entry.
        let first = usize::from(region_end.is_some());
        let mut entries: Vec<Entry> = Vec::new();
        let mut end = 0usize;
        for i in first..il {
            let (tag, ty, offset, count) = raw(i);
            let bad = |why: &str| Err(format!("bad index entry {i} (tag {tag}): {why}"));
            if tag < HEADERI18NTABLE {
                return bad("reserved tag");
            }
            if !(CHAR..=I18NSTRING).contains(&ty) {
                return bad("unknown type");
            }
            let (offset, count) = (offset as usize, count as usize);
            if count < 1 || count > dl || (ty != BIN && count as u32 > HEADER_ARRAY_MAX) {
                return bad("count out of range");
            }
            if offset > dl || offset % align(ty) != 0 {
                return bad("offset out of range or misaligned");
            }
            if end > offset {
                return bad("data overlaps the previous entry");
            }
            let len = match data.get(offset..).and_then(|d| data_length(ty, count, d)) {
                Some(len) if len > 0 => len,
                _ => return bad("data runs past the end of the header"),
            };
            end = offset + len;
            if let Some(rdl) = region_end
                && end > rdl - 16
                && offset < rdl
            {
                return bad("data overlaps the region trailer");
            }
            if WANTED.contains(&tag) {
                // Entries appended after the region ("dribbles") replace region ones.
                entries.retain(|e| e.tag != tag);
                entries.push(Entry {
                    tag,
                    ty,
                    offset,
                    count,
                    len,
                });
            }
        }
        Ok(Header { data, entries })
    }

    fn entry(&self, tag: u32) -> Option<(Entry, &'a [u8])> {
        let e = *self.entries.iter().find(|e| e.tag == tag)?;
        let bytes = self.data.get(e.offset..e.offset.checked_add(e.len)?)?;
        Some((e, bytes))
    }

    /// A string tag (STRING, or the first of an I18NSTRING/STRING_ARRAY), lossily UTF-8.
    pub(super) fn string(&self, tag: u32) -> Option<String> {
        let (e, bytes) = self.entry(tag)?;
        if !matches!(e.ty, STRING | I18NSTRING | STRING_ARRAY) {
            return None;
        }
        let first = bytes.split(|&b| b == 0).next()?;
        Some(String::from_utf8_lossy(first).into_owned())
    }

    /// A STRING_ARRAY tag's strings.
    pub(super) fn strings(&self, tag: u32) -> Option<Vec<Cow<'a, str>>> {
        let (e, bytes) = self.entry(tag)?;
        if e.ty != STRING_ARRAY {
            return None;
        }
        // The data is exactly `count` NUL-terminated strings (checked in parse).
        let body = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        Some(
            body.split(|&b| b == 0)
                .map(String::from_utf8_lossy)
                .collect(),
        )
    }

    /// An INT32 array tag.
    pub(super) fn int32s(&self, tag: u32) -> Option<Vec<u32>> {
        let (e, bytes) = self.entry(tag)?;
        if e.ty != INT32 {
            return None;
        }
        Some((0..e.count).filter_map(|i| be32(bytes, 4 * i)).collect())
    }

    /// The first value of an INT32 tag.
    pub(super) fn int32(&self, tag: u32) -> Option<u32> {
        let (e, bytes) = self.entry(tag)?;
        (e.ty == INT32).then(|| be32(bytes, 0)).flatten()
    }

    /// The first value of an INT64 tag.
    pub(super) fn int64(&self, tag: u32) -> Option<u64> {
        let (e, bytes) = self.entry(tag)?;
        let b: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        (e.ty == INT64).then_some(u64::from_be_bytes(b))
    }
}
