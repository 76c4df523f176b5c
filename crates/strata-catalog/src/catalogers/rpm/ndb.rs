//! rpm's own "ndb" package database (`Packages.db`, SUSE), as rpm
//! lib/backend/ndb/rpmpkg.c lays it out (go-rpmdb pkg/ndb reads it the same way), all
//! numbers little-endian:
//! - a 32-byte header (`RpmP`, version 0, generation, slot page count, next index);
//! - slot pages of 4096 bytes holding 16-byte slots (`Slot`, package index, block
//!   offset, block count), the first two slots of page 0 being the header; a slot with
//!   block offset 0 is free;
//! - blobs in 16-byte blocks: head (`BlbS`, package index, generation, length), the
//!   header image, padding, then a tail at the end of the blocks (Adler-32 of all that
//!   precedes it, length, `BlbE`).

use super::Sink;

const HEADER_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: u64 = 16;
const BLOB_HEAD: u64 = 16;
const BLOB_TAIL: u64 = 12;

pub(super) fn is_ndb(data: &[u8]) -> bool {
    data.starts_with(HEADER_MAGIC)
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Adler-32 (RFC 1950), as rpmpkg.c checks blobs with.
fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes keep the sums below 2^32 between reductions (zlib's NMAX).
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    index: u32,
    blk_off: u64,
    blk_cnt: u64,
}

/// The header image of `slot`, after the checks of rpmpkg.c `rpmpkgReadBlob`.
fn blob(data: &[u8], slot: Slot) -> Result<&[u8], String> {
    let start = slot.blk_off * BLK_SIZE;
    let end = (slot.blk_off + slot.blk_cnt) * BLK_SIZE;
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err("blob outside the file".into());
    };
    let Some(block) = data.get(start..end) else {
        return Err("blob outside the file".into());
    };
    if !block.starts_with(BLOB_HEAD_MAGIC) || le32(block, 4) != Some(slot.index) {
        return Err("bad blob head".into());
    }
    let len = u64::from(le32(block, 12).unwrap_or(0));
    if slot.blk_cnt != (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLK_SIZE) {
        return Err(format!(
            "blob length {len} does not match its {} blocks",
            slot.blk_cnt
        ));
    }
    // The block count matches the length, so head, blob and tail fit in `block`.
    let tail_at = block.len().saturating_sub(BLOB_TAIL as usize);
    let (body, tail) = block.split_at(tail_at);
    if le32(tail, 4) != Some(len as u32) || tail.get(8..12) != Some(&BLOB_TAIL_MAGIC[..]) {
        return Err("bad blob tail".into());
    }
    if le32(tail, 0) != Some(adler32(body)) {
        return Err("blob checksum mismatch".into());
    }
    body.get(BLOB_HEAD as usize..BLOB_HEAD as usize + len as usize)
        .ok_or_else(|| "blob outside the file".into())
}

/// Hands every package blob of the database to `sink`. Err: nothing readable.
pub(super) fn read(data: &[u8], sink: &mut dyn Sink) -> Result<(), String> {
    if !is_ndb(data) || data.len() < 32 {
        return Err("truncated NDB header".into());
    }
    let version = le32(data, 4).unwrap_or(0);
    let slot_pages = le32(data, 12).unwrap_or(0) as usize;
    if version != 0 {
        return Err(format!("unsupported NDB version {version}"));
    }
    let slots_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&end| end > 0 && end <= data.len());
    let Some(slots_end) = slots_end else {
        return Err(format!(
            "bad NDB slot page count {slot_pages} for {} bytes",
            data.len()
        ));
    };
    let file_blocks = data.len() as u64 / BLK_SIZE;
    let first_blob_block = slots_end as u64 / BLK_SIZE;

    // Slots (rpmpkg.c `rpmpkgReadSlots`); the first two are the header.
    let mut slots = Vec::new();
    for at in (2 * SLOT_SIZE..slots_end).step_by(SLOT_SIZE) {
        if data.get(at..at + 4) != Some(&SLOT_MAGIC[..]) {
            return Err(format!("bad NDB slot magic at offset {at}"));
        }
        let field = |k: usize| u64::from(le32(data, at + 4 * k).unwrap_or(0));
        let slot = Slot {
            index: field(1) as u32,
            blk_off: field(2),
            blk_cnt: field(3),
        };
        if slot.blk_off == 0 {
            continue; // free slot
        }
        if slot.index == 0
            || slot.blk_cnt == 0
            || slot.blk_off < first_blob_block
            || slot.blk_off + slot.blk_cnt > file_blocks
        {
            sink.warn(format!(
                "NDB slot at offset {at}: bad entry (package {}, blocks {}+{})",
                slot.index, slot.blk_off, slot.blk_cnt
            ));
            continue;
        }
        slots.push(slot);
    }

    // Blobs must not overlap: with that, the bytes read never exceed the file's size.
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| slots.get(i).map(|s| s.blk_off));
    let mut overlapping = vec![false; slots.len()];
    let mut end = 0;
    for i in order {
        let Some(slot) = slots.get(i) else { continue };
        if slot.blk_off < end {
            if let Some(flag) = overlapping.get_mut(i) {
                *flag = true;
            }
        } else {
            end = slot.blk_off + slot.blk_cnt;
        }
    }

    for (slot, overlaps) in slots.iter().zip(overlapping) {
        if overlaps {
            sink.warn(format!(
                "NDB package {}: blob overlaps another one; skipped",
                slot.index
            ));
            continue;
        }
        match blob(data, *slot) {
            Ok(blob) => sink.blob(blob),
            Err(why) => sink.warn(format!("NDB package {}: {why}", slot.index)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler() {
        // RFC 1950 / zlib reference value.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(&vec![0xff; 100_000]), {
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 255) % 65521;
                b = (b + a) % 65521;
            }
            ((b << 16) | a) as u32
        });
    }
}
