//! Go modules compiled into executables: the build info the Go linker embeds (what
//! `go version -m` prints). Finding and decoding the blob follows Go's
//! `debug/buildinfo` (src/debug/buildinfo/buildinfo.go); the module lines follow
//! `runtime/debug.ParseBuildInfo`.

use std::borrow::Cow;

use object::{BinaryFormat, Object, ObjectSection, ObjectSegment, SectionFlags, SegmentFlags};

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Executables bigger than this are not read.
const MAX_BINARY: u64 = 512 << 20;
/// The build info blob starts with this, 16-byte aligned, followed by the pointer
/// size, a flags byte and (before Go 1.18) two pointers: a 32-byte header.
const MAGIC: &[u8] = b"\xff Go buildinf:";
const ALIGN: u64 = 16;
const HEADER_SIZE: u64 = 32;
/// Flags bit 0x2: the version and modinfo strings follow the header inline (Go ≥ 1.18).
const FLAG_INLINE: u8 = 0x2;
/// The data range is searched in chunks of this size, as Go does.
const SEARCH_CHUNK: u64 = 1 << 20;
/// `cmd/go` frames the module info with two 16-byte sentinels.
const SENTINEL_LEN: usize = 16;

/// Go build info in executables: the main module, its dependencies and the standard
/// library (`stdlib`, versioned with the Go toolchain version).
#[derive(Debug, Default)]
pub struct GoBinaryCataloger {
    packages: Vec<Package>,
}

impl GoBinaryCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for GoBinaryCataloger {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        file.mode & 0o111 != 0 && file.size <= MAX_BINARY
    }

    fn max_size(&self) -> u64 {
        MAX_BINARY
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        if !is_executable_format(content) {
            return; // scripts and data with an execute bit
        }
        match read_build_info(content) {
            Ok(Some(info)) => self
                .packages
                .extend(packages(file.path, &info, diagnostics)),
            Ok(None) => {}
            Err(reason) => diagnostics.warn(file.path, format!("Go build info: {reason}")),
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

/// ELF, PE or (thin) Mach-O, by the magic numbers `debug/buildinfo` checks.
pub(crate) fn is_executable_format(content: &[u8]) -> bool {
    content.starts_with(b"\x7fELF")
        || content.starts_with(b"MZ")
        || content.starts_with(b"\xfe\xed\xfa")
        || content.get(1..4) == Some(b"\xfa\xed\xfe".as_slice())
}

/// The raw strings of the blob: Go toolchain version and the module info (framing
/// removed; empty when built without modules).
#[derive(Debug)]
struct BuildInfo<'a> {
    go_version: Cow<'a, str>,
    modinfo: Cow<'a, str>,
}

/// The file's loaded segments (file-backed bytes by virtual address) and where the
/// build info should be: Go's `exe` interface.
struct Exe<'a> {
    segments: Vec<(u64, &'a [u8])>,
    data_start: Option<(u64, u64)>,
}

impl<'a> Exe<'a> {
    fn parse(content: &'a [u8]) -> Result<Self, object::Error> {
        let file = object::File::parse(content)?;
        let segments = file
            .segments()
            .filter(|segment| segment.name().ok().flatten() != Some("__PAGEZERO"))
            .filter_map(|segment| Some((segment.address(), segment.data().ok()?)))
            .filter(|(_, data)| !data.is_empty())
            .collect();
        let named = |name: &str| {
            let section = file.section_by_name(name)?;
            Some((section.address(), section.size()))
        };
        let data_start = match file.format() {
            // The `.go.buildinfo` section, else the first writable, non-executable
            // PT_LOAD segment (PF_X = 1, PF_W = 2).
            BinaryFormat::Elf => named(".go.buildinfo").or_else(|| {
                file.segments().find_map(|segment| match segment.flags() {
                    SegmentFlags::Elf { p_flags, .. } if p_flags.0 & 0b11 == 0b10 => {
                        Some((segment.address(), segment.size()))
                    }
                    _ => None,
                })
            }),
            // `__go_buildinfo`, else the first non-empty segment mapped read-write
            // (VM_PROT_READ | VM_PROT_WRITE = 3).
            BinaryFormat::MachO => named("__go_buildinfo").or_else(|| {
                file.segments().find_map(|segment| match segment.flags() {
                    SegmentFlags::MachO {
                        maxprot, initprot, ..
                    } if maxprot.0 == 3
                        && initprot.0 == 3
                        && segment.address() != 0
                        && segment.file_range().1 != 0 =>
                    {
                        Some((segment.address(), segment.size()))
                    }
                    _ => None,
                })
            }),
            // The first section that is initialised, readable, writable data and
            // nothing else (the 32-byte alignment bits aside).
            BinaryFormat::Pe => {
                const WANTED: u32 = 0x40 | 0x4000_0000 | 0x8000_0000;
                const ALIGN_32BYTES: u32 = 0x0060_0000;
                let base = file.relative_address_base();
                file.sections().find_map(|section| match section.flags() {
                    SectionFlags::Coff { characteristics }
                        if characteristics.0 & !ALIGN_32BYTES == WANTED
                            && section.address() != base
                            && section.size() != 0 =>
                    {
                        Some((section.address(), section.size()))
                    }
                    _ => None,
                })
            }
            _ => None,
        };
        Ok(Exe {
            segments,
            data_start,
        })
    }

    /// Up to `size` bytes at `addr`, ending where the segment holding `addr` ends;
    /// `None` when no segment holds it (Go's `readData`).
    fn read(&self, addr: u64, size: u64) -> Option<&'a [u8]> {
        self.segments.iter().find_map(|&(start, data)| {
            let offset = usize::try_from(addr.checked_sub(start)?).ok()?;
            let rest = data.get(offset..).filter(|rest| !rest.is_empty())?;
            let n = usize::try_from(size).unwrap_or(usize::MAX).min(rest.len());
            rest.get(..n)
        })
    }

    /// The address of the first 16-byte aligned magic in `[start, start + size)`.
    fn find_magic(&self, start: u64, size: u64) -> Option<u64> {
        let end = start.checked_add(size)?;
        let mut at = start.checked_add(ALIGN - 1)? & !(ALIGN - 1);
        // Bounded work even when hostile segments map the same bytes many times over.
        let mut chunks = self
            .segments
            .iter()
            .map(|(_, d)| d.len() as u64 / SEARCH_CHUNK + 1)
            .sum::<u64>();
        while at < end && chunks > 0 {
            chunks -= 1;
            let chunk = (end - at).min(SEARCH_CHUNK);
            let data = self.read(at, chunk)?;
            let found = memchr::memmem::find_iter(data, MAGIC)
                .map(|i| i as u64)
                .find(|i| i.is_multiple_of(ALIGN));
            if let Some(i) = found {
                return at.checked_add(i);
            }
            at = at.checked_add(chunk)?;
        }
        None
    }
}

/// The build info of an executable: `Ok(None)` when it has none (not a Go program),
/// `Err` when it is there but unreadable.
fn read_build_info(content: &[u8]) -> Result<Option<BuildInfo<'_>>, String> {
    let exe = match Exe::parse(content) {
        Ok(exe) => exe,
        // Only worth a warning when the file looks like a Go program.
        Err(_) if memchr::memmem::find(content, MAGIC).is_none() => return Ok(None),
        Err(e) => return Err(format!("unreadable executable headers: {e}")),
    };
    let Some((start, size)) = exe.data_start else {
        return Ok(None);
    };
    let Some(addr) = exe.find_magic(start, size) else {
        return Ok(None);
    };
    let header = exe
        .read(addr, HEADER_SIZE)
        .filter(|h| h.len() as u64 == HEADER_SIZE)
        .ok_or("header truncated")?;
    let (ptr_size, flags) = match header.get(14..16) {
        Some(&[p, f]) => (p, f),
        _ => return Err("header truncated".into()),
    };
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let after = addr.checked_add(HEADER_SIZE).ok_or("address overflow")?;
        let (version, next) = inline_string(&exe, after).map_err(|e| format!("version: {e}"))?;
        let (modinfo, _) = inline_string(&exe, next).map_err(|e| format!("module info: {e}"))?;
        (version, modinfo)
    } else {
        // Before Go 1.18: pointers to the Go strings `runtime.buildVersion` and
        // `runtime.modinfo`, with the binary's pointer size and byte order.
        let width = match ptr_size {
            4 | 8 => usize::from(ptr_size),
            _ => return Err(format!("unsupported pointer size {ptr_size}")),
        };
        let ptrs = Pointers {
            width,
            big_endian: flags & 1 != 0,
        };
        let at = |i: usize| header.get(16 + i * width..).and_then(|b| ptrs.get(b));
        let (Some(version_ptr), Some(modinfo_ptr)) = (at(0), at(1)) else {
            return Err("header truncated".into());
        };
        let version =
            pointed_string(&exe, ptrs, version_ptr).map_err(|e| format!("version: {e}"))?;
        let modinfo =
            pointed_string(&exe, ptrs, modinfo_ptr).map_err(|e| format!("module info: {e}"))?;
        (version, modinfo)
    };
    if version.is_empty() {
        return Err("empty Go version".into());
    }
    // Strip the sentinels: only when the info ends with "\n" + 16-byte sentinel.
    let len = modinfo.len();
    let modinfo = match len
        .checked_sub(SENTINEL_LEN + 1)
        .and_then(|i| modinfo.get(i))
    {
        Some(b'\n') if len > 2 * SENTINEL_LEN => modinfo
            .get(SENTINEL_LEN..len - SENTINEL_LEN)
            .unwrap_or_default(),
        _ => &[],
    };
    Ok(Some(BuildInfo {
        go_version: String::from_utf8_lossy(version),
        modinfo: String::from_utf8_lossy(modinfo),
    }))
}

/// How the pre-1.18 header's pointers are stored.
#[derive(Clone, Copy)]
struct Pointers {
    width: usize,
    big_endian: bool,
}

impl Pointers {
    fn get(self, bytes: &[u8]) -> Option<u64> {
        let bytes = bytes.get(..self.width)?;
        let mut buf = [0u8; 8];
        if self.big_endian {
            buf.get_mut(8 - self.width..)?.copy_from_slice(bytes);
            Some(u64::from_be_bytes(buf))
        } else {
            buf.get_mut(..self.width)?.copy_from_slice(bytes);
            Some(u64::from_le_bytes(buf))
        }
    }
}

/// A Go string header (data pointer, length) at `addr`, and the bytes it points to.
fn pointed_string<'a>(exe: &Exe<'a>, ptrs: Pointers, addr: u64) -> Result<&'a [u8], &'static str> {
    let header = exe
        .read(addr, 2 * ptrs.width as u64)
        .ok_or("string header outside the file's segments")?;
    let data = header.get(..ptrs.width).and_then(|b| ptrs.get(b));
    let len = header.get(ptrs.width..).and_then(|b| ptrs.get(b));
    let (Some(data), Some(len)) = (data, len) else {
        return Err("string header truncated");
    };
    if len == 0 {
        return Ok(&[]); // e.g. no module info: its pointer may be null
    }
    match exe.read(data, len) {
        Some(bytes) if bytes.len() as u64 == len => Ok(bytes),
        _ => Err("string outside the file's segments"),
    }
}

/// A varint-length-prefixed string at `addr`, and the address after it (Go ≥ 1.18).
fn inline_string<'a>(exe: &Exe<'a>, addr: u64) -> Result<(&'a [u8], u64), &'static str> {
    let prefix = exe
        .read(addr, 10)
        .ok_or("string outside the file's segments")?;
    let (len, n) = uvarint(prefix).ok_or("bad length varint")?;
    let start = addr.checked_add(n as u64).ok_or("address overflow")?;
    if len == 0 {
        return Ok((&[], start));
    }
    match exe.read(start, len) {
        Some(bytes) if bytes.len() as u64 == len => {
            Ok((bytes, start.checked_add(len).ok_or("address overflow")?))
        }
        _ => Err("string runs past the end of its segment"),
    }
}

/// Go's `binary.Uvarint`: the value and the bytes it took; `None` when truncated or
/// overflowing 64 bits.
fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return None; // overflow
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A `mod`/`dep` line: path, version, optional checksum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Module<'a> {
    path: &'a str,
    version: &'a str,
    sum: &'a str,
    replace: Option<(&'a str, &'a str, &'a str)>,
}

/// `ParseBuildInfo`'s module lines: the main module and the dependencies. A bad line
/// is reported and skipped (Go rejects the whole info); unknown lines are ignored.
fn parse_modinfo<'a>(
    text: &'a str,
    mut warn: impl FnMut(String),
) -> (Option<Module<'a>>, Vec<Module<'a>>) {
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut main = None;
    let mut deps: Vec<Module<'a>> = Vec::new();
    let mut last = Last::None;
    // Like Go, a last line without "\n" is ignored.
    let mut rest = text;
    let mut line_no = 0usize;
    while let Some((line, tail)) = rest.split_once('\n') {
        rest = tail;
        line_no += 1;
        if let Some(columns) = line.strip_prefix("mod\t") {
            last = Last::None;
            match module(columns) {
                Some(m) => (main, last) = (Some(m), Last::Main),
                None => warn(format!("line {line_no}: expected 2 or 3 columns")),
            }
        } else if let Some(columns) = line.strip_prefix("dep\t") {
            last = Last::None;
            match module(columns) {
                Some(m) => {
                    deps.push(m);
                    last = Last::Dep;
                }
                None => warn(format!("line {line_no}: expected 2 or 3 columns")),
            }
        } else if let Some(columns) = line.strip_prefix("=>\t") {
            let mut it = columns.split('\t');
            let replacement = match (it.next(), it.next(), it.next(), it.next()) {
                (Some(path), Some(version), Some(sum), None) => Some((path, version, sum)),
                _ => None,
            };
            let target = match last {
                Last::Main => main.as_mut(),
                Last::Dep => deps.last_mut(),
                Last::None => None,
            };
            match (replacement, target) {
                (Some(r), Some(m)) => m.replace = Some(r),
                (None, _) => warn(format!(
                    "line {line_no}: expected 3 columns for replacement"
                )),
                (_, None) => warn(format!(
                    "line {line_no}: replacement with no module on previous line"
                )),
            }
            last = Last::None;
        }
        // `path` and `build` lines describe the build, not modules.
    }
    (main, deps)
}

fn module(columns: &str) -> Option<Module<'_>> {
    let mut it = columns.split('\t');
    let (path, version) = (it.next()?, it.next()?);
    let sum = it.next().unwrap_or_default();
    it.next().is_none().then_some(Module {
        path,
        version,
        sum,
        replace: None,
    })
}

/// The packages of one binary's build info.
fn packages(path: &str, info: &BuildInfo<'_>, diagnostics: &mut Diagnostics) -> Vec<Package> {
    let go_version = info.go_version.as_ref();
    let mut out = vec![Package::new(PackageKind::Go, "stdlib", go_version, path)];
    let (main, deps) = parse_modinfo(&info.modinfo, |m| {
        diagnostics.warn(path, format!("Go module info: {m}"))
    });
    let modules = main
        .into_iter()
        .map(|m| (m, true))
        .chain(deps.into_iter().map(|m| (m, false)));
    for (m, is_main) in modules {
        let mut package = match m.replace {
            Some((new_path, new_version, new_sum)) => {
                let mut p = Package::new(PackageKind::Go, new_path, new_version, path);
                let original = match m.version {
                    "" => m.path.to_string(),
                    v => format!("{}@{v}", m.path),
                };
                p.metadata.insert("replaced".into(), original);
                if !new_sum.is_empty() {
                    p.metadata.insert("sum".into(), new_sum.into());
                }
                p
            }
            None => {
                let mut p = Package::new(PackageKind::Go, m.path, m.version, path);
                if !m.sum.is_empty() {
                    p.metadata.insert("sum".into(), m.sum.into());
                }
                p
            }
        };
        if package.name.is_empty() {
            diagnostics.warn(path, "Go module info: module with an empty path");
            continue;
        }
        if is_main {
            package.metadata.insert("main_module".into(), "true".into());
        }
        package
            .metadata
            .insert("go_version".into(), go_version.into());
        out.push(package);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const INFO_START: &[u8] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    pub(crate) const INFO_END: &[u8] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    /// A test file of this crate (`test-data/…`).
    pub(crate) fn test_data(relative: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test-data")
            .join(relative);
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if relative.ends_with(".gz") {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(raw.as_slice()), &mut out)
                .unwrap();
            out
        } else {
            raw
        }
    }

    /// A minimal little-endian ELF64 executable: each `(name, address, data)` is a
    /// PROGBITS section with its own read-write PT_LOAD segment.
    pub(crate) fn elf64(sections: &[(&str, u64, &[u8])]) -> Vec<u8> {
        let phoff = 64u64;
        let mut body = Vec::new();
        let data_start = phoff + 56 * sections.len() as u64;
        let mut placed = Vec::new();
        for (_, _, data) in sections {
            while !(data_start as usize + body.len()).is_multiple_of(16) {
                body.push(0);
            }
            placed.push(data_start + body.len() as u64);
            body.extend_from_slice(data);
        }
        let mut shstrtab = vec![0u8];
        let mut name_offsets = Vec::new();
        for (name, _, _) in sections {
            name_offsets.push(shstrtab.len() as u32);
            shstrtab.extend_from_slice(name.as_bytes());
            shstrtab.push(0);
        }
        let shstrtab_name = shstrtab.len() as u32;
        shstrtab.extend_from_slice(b".shstrtab\0");
        let shstrtab_off = data_start + body.len() as u64;
        body.extend_from_slice(&shstrtab);
        while !body.len().is_multiple_of(8) {
            body.push(0);
        }
        let shoff = data_start + body.len() as u64;

        let mut out = Vec::new();
        out.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        out.extend_from_slice(&62u16.to_le_bytes()); // x86-64
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // entry
        out.extend_from_slice(&phoff.to_le_bytes());
        out.extend_from_slice(&shoff.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for v in [
            64u16,
            56,
            sections.len() as u16,
            64,
            sections.len() as u16 + 2,
            sections.len() as u16 + 1,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for ((_, addr, data), off) in sections.iter().zip(&placed) {
            out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
            out.extend_from_slice(&6u32.to_le_bytes()); // PF_R | PF_W
            for v in [*off, *addr, *addr, data.len() as u64, data.len() as u64, 16] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&body);
        out.extend_from_slice(&[0u8; 64]); // null section
        let shdr = |out: &mut Vec<u8>,
                    name: u32,
                    kind: u32,
                    flags: u64,
                    addr: u64,
                    off: u64,
                    size: u64| {
            out.extend_from_slice(&name.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            for v in [flags, addr, off, size] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&[0u8; 8]); // link, info
            out.extend_from_slice(&16u64.to_le_bytes());
            out.extend_from_slice(&0u64.to_le_bytes());
        };
        for (((_, addr, data), off), name) in sections.iter().zip(&placed).zip(&name_offsets) {
            shdr(&mut out, *name, 1, 3, *addr, *off, data.len() as u64);
        }
        shdr(
            &mut out,
            shstrtab_name,
            3,
            0,
            0,
            shstrtab_off,
            shstrtab.len() as u64,
        );
        out
    }

    /// A minimal PE32+ executable (image base 0x140000000) with the given sections
    /// `(name ≤ 8 bytes, relative address, characteristics, data)`.
    pub(crate) fn pe64(sections: &[(&str, u32, u32, &[u8])]) -> Vec<u8> {
        let mut out = vec![0u8; 64];
        out[..2].copy_from_slice(b"MZ");
        out[0x3c..0x40].copy_from_slice(&64u32.to_le_bytes());
        out.extend_from_slice(b"PE\0\0");
        out.extend_from_slice(&0x8664u16.to_le_bytes());
        out.extend_from_slice(&(sections.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0u8; 12]); // time, symbol table, symbol count
        out.extend_from_slice(&240u16.to_le_bytes()); // optional header size
        out.extend_from_slice(&0x22u16.to_le_bytes()); // executable, large address aware
        let headers_end = out.len() + 240 + 40 * sections.len();
        let file_align = 0x200usize;
        let first_raw = headers_end.div_ceil(file_align) * file_align;
        let mut opt = Vec::new();
        opt.extend_from_slice(&0x20bu16.to_le_bytes());
        opt.extend_from_slice(&[0u8; 2 + 4 * 5]); // linker version, sizes, entry, code base
        opt.extend_from_slice(&0x1_4000_0000u64.to_le_bytes());
        opt.extend_from_slice(&0x1000u32.to_le_bytes()); // section alignment
        opt.extend_from_slice(&(file_align as u32).to_le_bytes());
        opt.extend_from_slice(&[0u8; 16]); // versions, win32 version
        opt.extend_from_slice(&0x10_0000u32.to_le_bytes()); // size of image
        opt.extend_from_slice(&(first_raw as u32).to_le_bytes()); // size of headers
        opt.extend_from_slice(&[0u8; 4]); // checksum
        opt.extend_from_slice(&3u16.to_le_bytes()); // console
        opt.extend_from_slice(&[0u8; 2 + 8 * 4 + 4]); // dll flags, stack/heap, loader flags
        opt.extend_from_slice(&16u32.to_le_bytes());
        opt.extend_from_slice(&[0u8; 16 * 8]);
        assert_eq!(opt.len(), 240);
        out.extend_from_slice(&opt);
        let mut raw = Vec::new();
        for (name, rva, characteristics, data) in sections {
            let mut n = [0u8; 8];
            n[..name.len()].copy_from_slice(name.as_bytes());
            out.extend_from_slice(&n);
            let size = data.len().div_ceil(file_align) * file_align;
            for v in [
                data.len() as u32,
                *rva,
                size as u32,
                (first_raw + raw.len()) as u32,
                0,
                0,
            ] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&[0u8; 4]); // relocation/line counts
            out.extend_from_slice(&characteristics.to_le_bytes());
            raw.extend_from_slice(data);
            raw.resize(raw.len().div_ceil(file_align) * file_align, 0);
        }
        out.resize(first_raw, 0);
        out.extend_from_slice(&raw);
        out
    }

    /// A minimal little-endian Mach-O 64 executable: one read-write `__DATA` segment
    /// at `addr` holding the given sections back to back.
    pub(crate) fn macho64(addr: u64, sections: &[(&str, &[u8])]) -> Vec<u8> {
        let cmd_size = 72 + 80 * sections.len();
        let data_off = (32 + cmd_size).div_ceil(16) * 16;
        let total: usize = sections
            .iter()
            .map(|(_, d)| d.len().div_ceil(16) * 16)
            .sum();
        let mut out = Vec::new();
        for v in [0xfeed_facfu32, 0x0100_0007, 3, 2, 1, cmd_size as u32, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&0x19u32.to_le_bytes()); // LC_SEGMENT_64
        out.extend_from_slice(&(cmd_size as u32).to_le_bytes());
        let mut name = [0u8; 16];
        name[..6].copy_from_slice(b"__DATA");
        out.extend_from_slice(&name);
        for v in [addr, total as u64, data_off as u64, total as u64] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [3u32, 3, sections.len() as u32, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let mut offset = data_off;
        for (sect, data) in sections {
            let mut n = [0u8; 16];
            n[..sect.len()].copy_from_slice(sect.as_bytes());
            out.extend_from_slice(&n);
            out.extend_from_slice(&name);
            let sect_addr = addr + (offset - data_off) as u64;
            out.extend_from_slice(&sect_addr.to_le_bytes());
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
            for v in [offset as u32, 4, 0, 0, 0, 0, 0, 0] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            offset += data.len().div_ceil(16) * 16;
        }
        out.resize(data_off, 0);
        for (_, data) in sections {
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(16) * 16, 0);
        }
        out
    }

    fn varint(mut n: u64, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push(n as u8 | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn framed(modinfo: &str) -> Vec<u8> {
        [INFO_START, modinfo.as_bytes(), INFO_END].concat()
    }

    /// A Go ≥ 1.18 blob: header then inline strings.
    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, FLAG_INLINE]);
        blob.resize(32, 0);
        varint(version.len() as u64, &mut blob);
        blob.extend_from_slice(version.as_bytes());
        varint(modinfo.len() as u64, &mut blob);
        blob.extend_from_slice(modinfo);
        blob
    }

    const MODINFO: &str = "path\texample.com/app/cmd/app\n\
        mod\texample.com/app\t(devel)\t\n\
        dep\tgolang.org/x/net\tv0.17.0\th1:pCy7ePSW4dgmJ1cBy1xmpS3gsY4ET9mXe39qdHcAmSZ=\n\
        dep\tgithub.com/old/lib\tv1.0.0\n\
        =>\tgithub.com/new/lib\tv1.2.0\th1:abc=\n\
        dep\tgopkg.in/yaml.v2\tv2.2.2\n\
        =>\t./gopkg.in/yaml\t(devel)\t\n\
        build\t-compiler=gc\n\
        build\tGOOS=linux\n";

    fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut cataloger = GoBinaryCataloger::new();
        let mut diagnostics = Diagnostics::default();
        let file = FileInfo {
            path,
            size: content.len() as u64,
            mode: 0o755,
        };
        assert!(cataloger.wants(&file));
        cataloger.visit(&file, content, &mut diagnostics);
        (cataloger.finish(&mut diagnostics), diagnostics)
    }

    fn summary(packages: &[Package]) -> Vec<String> {
        packages
            .iter()
            .map(|p| {
                let meta: Vec<String> = p
                    .metadata
                    .iter()
                    .filter(|(k, _)| *k != "go_version" && *k != "sum")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!("{} {} [{}]", p.name, p.version, meta.join(","))
            })
            .collect()
    }

    fn expected_modinfo_packages() -> Vec<String> {
        vec![
            "stdlib go1.21.3 []".to_string(),
            "example.com/app (devel) [main_module=true]".into(),
            "golang.org/x/net v0.17.0 []".into(),
            "github.com/new/lib v1.2.0 [replaced=github.com/old/lib@v1.0.0]".into(),
            "./gopkg.in/yaml (devel) [replaced=gopkg.in/yaml.v2@v2.2.2]".into(),
        ]
    }

    #[test]
    fn real_debian_binary() {
        // golang-docker-credential-helpers 0.6.4+ds1-1+b6 (Debian 12), Go 1.19.8,
        // built in GOPATH mode: a `path` line and build settings, no modules.
        let content = test_data("go/docker-credential-secretservice.gz");
        let (packages, diagnostics) = run("usr/bin/docker-credential-secretservice", &content);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(
            packages,
            vec![Package::new(
                PackageKind::Go,
                "stdlib",
                "go1.19.8",
                "usr/bin/docker-credential-secretservice"
            )]
        );
    }

    #[test]
    fn other_executables_are_skipped_silently() {
        // The cargo-auditable Rust binary of the rust.rs tests: no Go build info.
        let (packages, diagnostics) = run("usr/local/bin/vulnapp", &test_data("rust/vulnapp.gz"));
        assert!(packages.is_empty() && diagnostics.warnings.is_empty());
    }

    #[test]
    fn inline_format_in_go_buildinfo_section() {
        let blob = inline_blob("go1.21.3", &framed(MODINFO));
        let elf = elf64(&[
            (".text", 0x401000, b"\x90\x90"),
            (".go.buildinfo", 0x500000, &blob),
        ]);
        let (packages, diagnostics) = run("app", &elf);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(summary(&packages), expected_modinfo_packages());
        let net = &packages[2];
        assert_eq!(net.paths, vec!["app"]);
        assert_eq!(net.kind, Some(PackageKind::Go));
        assert_eq!(net.metadata["go_version"], "go1.21.3");
        assert_eq!(
            net.metadata["sum"],
            "h1:pCy7ePSW4dgmJ1cBy1xmpS3gsY4ET9mXe39qdHcAmSZ="
        );
    }

    #[test]
    fn pointer_format_little_and_big_endian() {
        // Pre-1.18: the header points at Go string headers {data, len} elsewhere.
        let modinfo = framed(MODINFO);
        for (width, big) in [(8usize, false), (4, true), (4, false), (8, true)] {
            let base = 0x600000u64;
            let ptr = |v: u64| -> Vec<u8> {
                let b = if big {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                };
                if big {
                    b[8 - width..].to_vec()
                } else {
                    b[..width].to_vec()
                }
            };
            // data segment: [blob header 32][version hdr][modinfo hdr][version][modinfo]
            let hdrs = 32 + 2 * 2 * width as u64;
            let version = b"go1.16.5";
            let mut seg = MAGIC.to_vec();
            seg.extend_from_slice(&[width as u8, u8::from(big)]);
            seg.extend(ptr(base + 32));
            seg.extend(ptr(base + 32 + 2 * width as u64));
            seg.resize(32, 0);
            seg.extend(ptr(base + hdrs));
            seg.extend(ptr(version.len() as u64));
            seg.extend(ptr(base + hdrs + version.len() as u64));
            seg.extend(ptr(modinfo.len() as u64));
            seg.extend_from_slice(version);
            seg.extend_from_slice(&modinfo);
            // No `.go.buildinfo` section: found via the first writable segment.
            let elf = elf64(&[(".data", base, &seg)]);
            let (packages, diagnostics) = run("old", &elf);
            assert!(
                diagnostics.warnings.is_empty(),
                "{width} {big} {diagnostics:?}"
            );
            let mut expected = expected_modinfo_packages();
            expected[0] = "stdlib go1.16.5 []".into();
            assert_eq!(summary(&packages), expected, "{width} {big}");
        }
    }

    #[test]
    fn pe_and_macho() {
        let blob = inline_blob("go1.22.0", &framed(MODINFO));
        // `.text` (code, execute, read), `.data` (initialised data, read, write).
        let pe = pe64(&[
            (".text", 0x1000, 0x6000_0020, b"\xc3"),
            (".data", 0x2000, 0xc000_0040, &blob),
        ]);
        let (packages, diagnostics) = run("app.exe", &pe);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(packages.len(), 5);
        assert_eq!(packages[0].version, "go1.22.0");

        let macho = macho64(
            0x1_0000_0000,
            &[("__data", b"xxxx"), ("__go_buildinfo", &blob)],
        );
        let (packages, diagnostics) = run("app", &macho);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(summary(&packages)[1..], expected_modinfo_packages()[1..]);
        // Without the named section: the read-write segment is searched.
        let macho = macho64(
            0x1_0000_0000,
            &[("__data", &[&[7u8; 48][..], &blob].concat())],
        );
        let (packages, _) = run("app", &macho);
        assert_eq!(packages.len(), 5);
    }

    #[test]
    fn magic_must_be_aligned() {
        let blob = inline_blob("go1.21.3", &framed(MODINFO));
        let mut data = vec![0u8; 8];
        data.extend_from_slice(&blob); // misaligned copy: skipped
        data.resize(64, 0);
        data.extend_from_slice(&blob);
        let (packages, diagnostics) = run("app", &elf64(&[(".go.buildinfo", 0x500000, &data)]));
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(packages.len(), 5);
        let (packages, diagnostics) =
            run("app", &elf64(&[(".go.buildinfo", 0x500000, &data[..60])]));
        assert!(packages.is_empty() && diagnostics.warnings.is_empty());
    }

    #[test]
    fn no_modules_and_unframed_modinfo() {
        let elf = elf64(&[(".go.buildinfo", 0x500000, &inline_blob("go1.20", b""))]);
        assert_eq!(summary(&run("a", &elf).0), vec!["stdlib go1.20 []"]);
        // Module info without its sentinels is ignored, as Go does.
        let elf = elf64(&[(
            ".go.buildinfo",
            0x500000,
            &inline_blob("go1.20", MODINFO.as_bytes()),
        )]);
        assert_eq!(summary(&run("a", &elf).0), vec!["stdlib go1.20 []"]);
    }

    #[test]
    fn bad_module_lines_are_skipped() {
        let modinfo = "mod\tonly-one-column\n\
            =>\tx\tv1\th1:\n\
            dep\ta\tv1\th1:a\textra\n\
            dep\tgood\tv1.0.0\n\
            =>\ttwo\tcolumns\n\
            dep\t\tv1\n";
        let elf = elf64(&[(
            ".go.buildinfo",
            0x500000,
            &inline_blob("go1.21.0", &framed(modinfo)),
        )]);
        let (packages, diagnostics) = run("bin", &elf);
        assert_eq!(
            summary(&packages),
            vec!["stdlib go1.21.0 []", "good v1.0.0 []"]
        );
        assert_eq!(
            diagnostics.warnings,
            vec![
                "bin: Go module info: line 1: expected 2 or 3 columns",
                "bin: Go module info: line 2: replacement with no module on previous line",
                "bin: Go module info: line 3: expected 2 or 3 columns",
                "bin: Go module info: line 5: expected 3 columns for replacement",
                "bin: Go module info: module with an empty path",
            ]
        );
        // Like Go, a last line without its newline is ignored.
        let (main, deps) = parse_modinfo("mod\tm\tv1\ndep\tlast\tv2.0.0", |w| panic!("{w}"));
        assert_eq!((main.map(|m| m.path), deps), (Some("m"), vec![]));
    }

    #[test]
    fn hostile_inputs() {
        let good = inline_blob("go1.21.3", &framed(MODINFO));
        let warned = |content: &[u8], needle: &str| {
            let (packages, diagnostics) = run("x", content);
            assert!(packages.is_empty(), "{packages:?}");
            assert_eq!(diagnostics.warnings.len(), 1, "{diagnostics:?}");
            assert!(
                diagnostics.warnings[0].contains(needle),
                "{diagnostics:?} lacks {needle}"
            );
        };
        // Truncated inline strings and header.
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &good[..40])]),
            "runs past the end",
        );
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &good[..32])]),
            "outside the file's segments",
        );
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &good[..20])]),
            "header truncated",
        );
        // Varint lengths: overflowing 64 bits, absurdly large.
        let mut blob = good[..32].to_vec();
        blob.extend_from_slice(&[0xff; 11]);
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &blob)]),
            "bad length varint",
        );
        let mut blob = good[..32].to_vec();
        blob.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &blob)]),
            "runs past the end",
        );
        // Pointer format: bad pointer size, pointers outside the segments, huge length.
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[3, 0]);
        blob.resize(32, 0);
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &blob)]),
            "unsupported pointer size 3",
        );
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, 0]);
        blob.extend_from_slice(&0xdead_beefu64.to_le_bytes());
        blob.extend_from_slice(&u64::MAX.to_le_bytes());
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &blob)]),
            "version: string header outside",
        );
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, 0]);
        blob.extend_from_slice(&0x500020u64.to_le_bytes());
        blob.extend_from_slice(&0x500020u64.to_le_bytes());
        blob.extend_from_slice(&0x500000u64.to_le_bytes()); // data: the blob itself
        blob.extend_from_slice(&u64::MAX.to_le_bytes()); // length: everything
        warned(
            &elf64(&[(".go.buildinfo", 0x500000, &blob)]),
            "version: string outside",
        );
        // Addresses at the top of the address space must not overflow.
        let elf = elf64(&[(".go.buildinfo", u64::MAX - 15, &good)]);
        let _ = run("x", &elf);
        let (packages, _) = run("x", &elf64(&[(".go.buildinfo", u64::MAX - 40, &good)]));
        assert!(packages.is_empty());

        // Truncated or garbage executables: silent unless they show the Go magic.
        let real = test_data("go/docker-credential-secretservice.gz");
        for cut in [16, 64, 1000, 100_000] {
            let (packages, diagnostics) = run("x", &real[..cut]);
            assert!(
                packages.is_empty() && diagnostics.warnings.is_empty(),
                "{cut}"
            );
        }
        let mut broken = real.clone();
        broken[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
        let (_, diagnostics) = run("x", &broken);
        assert!(
            diagnostics
                .warnings
                .iter()
                .all(|w| w.contains("Go build info"))
        );
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in [0usize, 3, 17, 64, 1000, 70_000] {
            for prefix in [
                &b"\x7fELF\x02\x01\x01"[..],
                b"\x7fELF\x01\x02\x01",
                b"MZ",
                b"\xcf\xfa\xed\xfe",
                b"\xfe\xed\xfa\xce",
            ] {
                let mut bytes = prefix.to_vec();
                while bytes.len() < len {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    bytes.push(state as u8);
                }
                let (packages, _) = run("x", &bytes);
                assert!(packages.is_empty());
            }
        }
        // Not an executable format at all: skipped silently.
        let (packages, diagnostics) = run("script.sh", b"#!/bin/sh\necho \xff Go buildinf:\n");
        assert!(packages.is_empty() && diagnostics.warnings.is_empty());
    }

    #[test]
    fn uvarint_matches_go() {
        assert_eq!(uvarint(&[0x00]), Some((0, 1)));
        assert_eq!(uvarint(&[0x96, 0x01]), Some((150, 2)));
        assert_eq!(
            uvarint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            Some((u64::MAX, 10))
        );
        assert_eq!(
            uvarint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            None
        );
        assert_eq!(uvarint(&[0x80, 0x80]), None);
        assert_eq!(uvarint(&[]), None);
    }

    #[test]
    fn wants_executables_only() {
        let cataloger = GoBinaryCataloger::new();
        assert!(cataloger.wants(&FileInfo {
            path: "usr/bin/x",
            size: 10,
            mode: 0o100
        }));
        assert!(!cataloger.wants(&FileInfo {
            path: "usr/bin/x",
            size: 10,
            mode: 0o644
        }));
        assert!(!cataloger.wants(&FileInfo {
            path: "usr/bin/x",
            size: MAX_BINARY + 1,
            mode: 0o755
        }));
    }
}
