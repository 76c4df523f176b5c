//! A minimal read-only reader of the SQLite file format, just enough for rpm's
//! `rpmdb.sqlite`: find the `Packages` table in `sqlite_master` and hand over the
//! `blob` column of every row (rpm lib/backend/sqlite.cc creates
//! `Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`).
//! Layout: https://www.sqlite.org/fileformat2.html (database header §1.3, b-tree pages
//! §1.6, payload overflow, record format §2.1).
//!
//! Work is bounded by the file: every b-tree page is visited once, the overflow pages
//! followed never outnumber the file's pages, and the payload bytes read never exceed
//! its size (true of any valid database), so a hostile file cannot loop or amplify.

use std::borrow::Cow;

use super::Sink;

pub(super) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

// B-tree page types (fileformat2 §1.6).
const INTERIOR_TABLE: u8 = 5;
const LEAF_TABLE: u8 = 13;

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// A varint (1 to 9 bytes, big-endian, 7 bits a byte but 8 in the ninth) and its length.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..9 {
        let byte = *b.get(i)?;
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// One column value of a record (§2.1).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value<'p> {
    Null,
    Int(i64),
    Other,
    Text(&'p [u8]),
    Blob(&'p [u8]),
}

/// The columns of a record, or None when its header or bodies do not fit the payload.
fn record(payload: &[u8]) -> Option<Vec<Value<'_>>> {
    let (header_len, mut at) = varint(payload)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut body = header_len;
    let mut values = Vec::new();
    while at < header_len {
        let (serial, n) = varint(payload.get(at..header_len)?)?;
        at += n;
        let size = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None, // reserved
            n => usize::try_from((n - 12) / 2).ok()?,
        };
        let bytes = payload.get(body..body.checked_add(size)?)?;
        body += size;
        values.push(match serial {
            0 => Value::Null,
            1..=6 => {
                // Big-endian two's complement of 1 to 8 bytes.
                let first = i64::from(bytes.first().copied().unwrap_or(0) as i8);
                let rest = bytes.iter().skip(1);
                Value::Int(rest.fold(first, |v, &b| (v << 8) | i64::from(b)))
            }
            8 => Value::Int(0),
            9 => Value::Int(1),
            7 => Value::Other,
            n if n % 2 == 0 => Value::Blob(bytes),
            _ => Value::Text(bytes),
        });
    }
    Some(values)
}

/// Index of the `blob` column in a `CREATE TABLE` statement (the rowid alias `hnum`
/// still takes a place in records, stored as NULL).
fn blob_column(sql: &str) -> Option<usize> {
    let body = sql.get(sql.find('(')?.checked_add(1)?..)?;
    body.split(',').position(|def| {
        def.trim_start()
            .trim_start_matches(['"', '\'', '`', '['])
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ']' | ')'))
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("blob"))
    })
}

/// Called with each row's payload.
type OnRow<'f, 'a> = dyn FnMut(&Db<'a>, &[u8], &mut dyn Sink) + 'f;

struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: u32,
    /// Text encoding of the database (header offset 56): None = UTF-8, Some(true) =
    /// UTF-16le, Some(false) = UTF-16be.
    utf16_le: Option<bool>,
    visited: Vec<bool>,
    overflow_left: u32,
    payload_left: usize,
}

impl<'a> Db<'a> {
    fn open(data: &'a [u8]) -> Result<Db<'a>, String> {
        if data.len() < 100 || !data.starts_with(MAGIC) {
            return Err("truncated SQLite header".into());
        }
        let raw = be16(data, 16).unwrap_or(0);
        let page_size = if raw == 1 { 65536 } else { usize::from(raw) };
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(format!("bad SQLite page size {raw}"));
        }
        let reserved = usize::from(data.get(20).copied().unwrap_or(0));
        let usable = page_size - reserved;
        if usable < 480 {
            return Err(format!("bad SQLite reserved space {reserved}"));
        }
        let utf16_le = match be32(data, 56).unwrap_or(0) {
            0 | 1 => None,
            2 => Some(true),
            3 => Some(false),
            n => return Err(format!("bad SQLite text encoding {n}")),
        };
        // The pages present (a truncated file simply has fewer; references beyond are
        // reported when followed).
        let pages = u32::try_from(data.len() / page_size).unwrap_or(u32::MAX);
        Ok(Db {
            data,
            page_size,
            usable,
            pages,
            utf16_le,
            visited: vec![false; pages as usize + 1],
            overflow_left: pages,
            payload_left: data.len(),
        })
    }

    fn page(&self, number: u32) -> Option<&'a [u8]> {
        if number == 0 || number > self.pages {
            return None;
        }
        let start = (number as usize - 1).checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }

    fn text(&self, bytes: &[u8]) -> String {
        match self.utf16_le {
            None => String::from_utf8_lossy(bytes).into_owned(),
            Some(le) => {
                let units = bytes.chunks_exact(2).map(|c| match c {
                    [a, b] if le => u16::from_le_bytes([*a, *b]),
                    [a, b] => u16::from_be_bytes([*a, *b]),
                    _ => 0,
                });
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or('\u{fffd}'))
                    .collect()
            }
        }
    }

    /// The whole payload of the table-leaf cell at `off` in `page`, following its
    /// overflow chain. Err(true) when a file-wide budget ran out (stop reading).
    fn payload(&mut self, page: &'a [u8], off: usize) -> Result<Cow<'a, [u8]>, (bool, String)> {
        let bad = |why: &str| Err((false, format!("cell at offset {off}: {why}")));
        let Some((size, n1)) = page.get(off..).and_then(varint) else {
            return bad("truncated cell");
        };
        let Some((_rowid, n2)) = page.get(off + n1..).and_then(varint) else {
            return bad("truncated cell");
        };
        let start = off + n1 + n2;
        let size = match usize::try_from(size) {
            Ok(size) if size <= self.payload_left => size,
            _ => return Err((true, "payloads add up to more than the file's size".into())),
        };
        self.payload_left -= size;
        // How much is stored on the page itself (fileformat2 §1.6, table b-tree leaf).
        let u = self.usable;
        let x = u - 35;
        let local = if size <= x {
            size
        } else {
            let m = (u - 12) * 32 / 255 - 23;
            let k = m + (size - m) % (u - 4);
            if k <= x { k } else { m }
        };
        let Some(local_bytes) = page.get(start..start + local) else {
            return bad("payload runs past the page");
        };
        if local == size {
            return Ok(Cow::Borrowed(local_bytes));
        }
        let Some(mut next) = be32(page, start + local) else {
            return bad("truncated overflow pointer");
        };
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(local_bytes);
        while out.len() < size {
            if self.overflow_left == 0 {
                return Err((
                    true,
                    "more overflow pages followed than the file has".into(),
                ));
            }
            self.overflow_left -= 1;
            let Some(overflow) = self.page(next) else {
                return bad(&format!("overflow page {next} is outside the file"));
            };
            next = be32(overflow, 0).unwrap_or(0);
            let take = (u - 4).min(size - out.len());
            match overflow.get(4..4 + take) {
                Some(bytes) => out.extend_from_slice(bytes),
                None => return bad("short overflow page"),
            }
        }
        Ok(Cow::Owned(out))
    }

    /// Every row payload of the table b-tree rooted at `root`, in rowid order.
    fn rows(
        &mut self,
        root: u32,
        sink: &mut dyn Sink,
        on_row: &mut OnRow<'_, 'a>,
    ) -> Result<(), String> {
        let mut stack = vec![root];
        let mut missing = 0usize;
        while let Some(number) = stack.pop() {
            let Some(page) = self.page(number) else {
                missing += 1;
                continue;
            };
            match self.visited.get_mut(number as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => {
                    sink.warn(format!("SQLite page {number} is referenced twice; skipped"));
                    continue;
                }
            }
            let header = if number == 1 { 100 } else { 0 };
            let kind = page.get(header).copied().unwrap_or(0);
            let cells = usize::from(be16(page, header + 3).unwrap_or(0));
            let pointers = header + if kind == INTERIOR_TABLE { 12 } else { 8 };
            let cell = |i: usize| be16(page, pointers + 2 * i).map(usize::from);
            match kind {
                INTERIOR_TABLE => {
                    // Children in key order: each cell's left child, then the right-most
                    // pointer; pushed in reverse onto the stack.
                    stack.push(be32(page, header + 8).unwrap_or(0));
                    for i in (0..cells).rev() {
                        match cell(i).and_then(|off| be32(page, off)) {
                            Some(child) => stack.push(child),
                            None => sink.warn(format!("SQLite page {number}: bad cell {i}")),
                        }
                    }
                }
                LEAF_TABLE => {
                    for i in 0..cells {
                        let Some(off) = cell(i) else {
                            sink.warn(format!("SQLite page {number}: bad cell pointer {i}"));
                            continue;
                        };
                        match self.payload(page, off) {
                            Ok(payload) => on_row(self, &payload, sink),
                            Err((false, why)) => sink.warn(format!("SQLite page {number}: {why}")),
                            Err((true, why)) => return Err(format!("SQLite page {number}: {why}")),
                        }
                    }
                }
                other => sink.warn(format!(
                    "SQLite page {number}: not a table b-tree page (type {other})"
                )),
            }
        }
        if missing > 0 {
            let pages = self.pages;
            sink.warn(format!(
                "{missing} b-tree pages are outside the file's {pages} pages (truncated?)"
            ));
        }
        Ok(())
    }
}

/// Hands every `Packages.blob` of the database to `sink`. Err: nothing (more) readable.
pub(super) fn read(data: &[u8], sink: &mut dyn Sink) -> Result<(), String> {
    let mut db = Db::open(data)?;
    // sqlite_master (root page 1): type, name, tbl_name, rootpage, sql.
    let mut table = None;
    db.rows(1, sink, &mut |db, payload, _sink| {
        let Some(columns) = record(payload) else {
            return;
        };
        if let [
            Value::Text(kind),
            Value::Text(name),
            _,
            Value::Int(root),
            rest @ ..,
        ] = columns.as_slice()
            && db.text(kind) == "table"
            && db.text(name).eq_ignore_ascii_case("Packages")
        {
            let sql = match rest.first() {
                Some(Value::Text(sql)) => db.text(sql),
                _ => String::new(),
            };
            table = Some((*root, blob_column(&sql).unwrap_or(1)));
        }
    })?;
    let Some((root, column)) = table else {
        return Err("no Packages table in the SQLite schema".into());
    };
    let root = u32::try_from(root).map_err(|_| format!("bad Packages root page {root}"))?;
    db.rows(
        root,
        sink,
        &mut |_db, payload, sink| match record(payload) {
            Some(columns) => match columns.get(column) {
                Some(Value::Blob(blob)) => sink.blob(blob),
                _ => sink.warn("Packages row without a blob".into()),
            },
            None => sink.warn("corrupt Packages record".into()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn records() {
        // header 4 bytes: serial types NULL, int8, blob(2); body: 0x2a, 0xde 0xad.
        let payload = [4, 0, 1, 16, 0x2a, 0xde, 0xad];
        assert_eq!(
            record(&payload),
            Some(vec![
                Value::Null,
                Value::Int(42),
                Value::Blob(&[0xde, 0xad])
            ])
        );
        assert_eq!(record(&[4, 0, 1, 16, 0x2a]), None);
        assert_eq!(record(&[2, 1, 0xff]), Some(vec![Value::Int(-1)]));
    }

    #[test]
    fn blob_columns() {
        let sql =
            "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)";
        assert_eq!(blob_column(sql), Some(1));
        assert_eq!(blob_column("CREATE TABLE x (\"blob\" BLOB)"), Some(0));
        assert_eq!(blob_column("CREATE TABLE x (a, b)"), None);
    }
}
