//! Klar's `FORMAT_OUTPUT=table` layout: the `olekukonko/tablewriter` version
//! vendored in Klar, configured as Klar's `tableFormat` does (left-aligned
//! header and cells, a `-` line between rows, borders, header auto-format, and
//! the library's default auto-wrap of every cell at 30 columns with its
//! minimal-raggedness line breaking and reflow of multi-line cells).
//!
//! Widths follow `go-runewidth` in a non-CJK locale: exact for ASCII; for other
//! text an approximation (zero-width controls and combining marks, double-width
//! East Asian and emoji blocks) of its tables. ANSI colour codes count as zero
//! width when padding, as tablewriter strips them there.

/// tablewriter's `MAX_ROW_WIDTH`: the wrap width of every cell.
const WRAP_WIDTH: usize = 30;
/// tablewriter's penalty for a line longer than the limit.
const TOO_LONG_PENALTY: i64 = 100_000;

/// One cell split into lines, and the width it asks of its column.
struct Cell {
    lines: Vec<String>,
    width: usize,
}

/// The table: header (upper-cased, as auto-format does), then each row, every
/// row followed by a separator line.
pub(super) fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<Cell> = header.iter().map(|h| parse_cell(h)).collect();
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| row.iter().map(|c| parse_cell(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|c| c.width).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(cell.width),
                None => widths.push(cell.width),
            }
        }
    }

    let separator = {
        let mut line = String::from("+");
        for w in &widths {
            line.push_str(&"-".repeat(w + 2));
            line.push('+');
        }
        line.push('\n');
        line
    };
    let mut out = separator.clone();
    // Header lines missing in a column are blank; row lines are padded with
    // two spaces (tablewriter appends "  " to short cells).
    write_lines(&mut out, &header, &widths, "", |h| {
        // Title(): `_` (and `.` between letters) to spaces, trimmed, upper-cased.
        h.replace('_', " ").trim().to_uppercase()
    });
    out.push_str(&separator);
    for row in &rows {
        write_lines(&mut out, row, &widths, "  ", str::to_owned);
        out.push_str(&separator);
    }
    out
}

fn write_lines(
    out: &mut String,
    cells: &[Cell],
    widths: &[usize],
    filler: &str,
    shape: impl Fn(&str) -> String,
) {
    let height = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    for x in 0..height {
        for (cell, width) in cells.iter().zip(widths) {
            let text = cell
                .lines
                .get(x)
                .map_or_else(|| filler.to_owned(), |l| shape(l));
            out.push_str("| ");
            out.push_str(&text);
            out.push_str(&" ".repeat(width.saturating_sub(display_width(&text))));
            out.push(' ');
        }
        out.push_str("|\n");
    }
}

/// tablewriter's `parseDimension` with auto-wrap and reflow on.
fn parse_cell(text: &str) -> Cell {
    let raw: Vec<&str> = text.split('\n').collect();
    let widest = raw.iter().map(|l| display_width(l)).max().unwrap_or(0);
    let limit = widest.min(WRAP_WIDTH);
    let lines = wrap_string(&raw.join(" "), limit);
    let width = lines
        .iter()
        .map(|l| display_width(l))
        .fold(limit, usize::max);
    Cell { lines, width }
}

/// tablewriter's `WrapString`: words split on single spaces (so runs of spaces
/// are empty words), the limit raised to the widest word, then `WrapWords`.
fn wrap_string(text: &str, limit: usize) -> Vec<String> {
    let text = text.replace('\n', " ");
    let words: Vec<&str> = text.split(' ').collect();
    let widths: Vec<i64> = words.iter().map(|w| to_i64(string_width(w))).collect();
    let limit = widths.iter().copied().fold(to_i64(limit), i64::max);
    let breaks = wrap_words(&widths, limit);
    let mut lines = Vec::new();
    let mut start = 0;
    for end in breaks {
        lines.push(words.get(start..end).unwrap_or_default().join(" "));
        start = end;
    }
    lines
}

/// tablewriter's `WrapWords` (one space between words): minimal raggedness,
/// the cost of a line being the square of its shortfall, scanned from the last
/// word back, the first best break winning ties. Returns each line's end.
fn wrap_words(widths: &[i64], limit: i64) -> Vec<usize> {
    let n = widths.len();
    // prefix[k]: total width of the first k words.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0i64);
    for w in widths {
        prefix.push(prefix.last().copied().unwrap_or(0) + w);
    }
    let at = |k: usize| prefix.get(k).copied().unwrap_or(0);
    // Width of words i..=j on one line.
    let length = |i: usize, j: usize| at(j + 1) - at(i) + to_i64(j - i);

    let mut cost = vec![i64::from(i32::MAX); n];
    let mut next_break = vec![n; n];
    for i in (0..n).rev() {
        if length(i, n - 1) <= limit {
            if let Some(c) = cost.get_mut(i) {
                *c = 0;
            }
            continue;
        }
        let mut best = i64::from(i32::MAX);
        let mut best_j = i + 1;
        for j in i + 1..n {
            let line = length(i, j - 1);
            let shortfall = limit - line;
            let mut c = shortfall
                .saturating_mul(shortfall)
                .saturating_add(cost.get(j).copied().unwrap_or(0));
            if line > limit {
                c = c.saturating_add(TOO_LONG_PENALTY);
            }
            if c < best {
                best = c;
                best_j = j;
            }
        }
        if let Some(c) = cost.get_mut(i) {
            *c = best;
        }
        if let Some(b) = next_break.get_mut(i) {
            *b = best_j;
        }
    }
    let mut ends = Vec::new();
    let mut i = 0;
    while i < n {
        // Always moves forward (Go would loop forever on absurdly long text).
        let end = next_break.get(i).copied().unwrap_or(n).max(i + 1);
        ends.push(end);
        i = end;
    }
    ends
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// tablewriter's `DisplayWidth`: ANSI SGR/EL sequences removed, then measured.
pub(super) fn display_width(s: &str) -> usize {
    string_width(&strip_ansi(s))
}

/// Removes what tablewriter's `\033\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]` matches.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\u{1b}') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let after = rest.get(pos..).unwrap_or_default();
        match ansi_len(after) {
            Some(len) => rest = after.get(len..).unwrap_or_default(),
            None => {
                out.push('\u{1b}');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// Length of the escape sequence at the start of `s`, if it is one.
fn ansi_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.get(..2) != Some(b"\x1b[") {
        return None;
    }
    let digits_at = |from: usize| {
        bytes
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = 2;
    let first = digits_at(i);
    if first > 0 {
        i += first;
        while bytes.get(i) == Some(&b';') && digits_at(i + 1) > 0 {
            i += 1 + digits_at(i + 1);
        }
    }
    matches!(bytes.get(i), Some(b'm' | b'|' | b'K')).then_some(i + 1)
}

/// go-runewidth's `StringWidth` (variation selectors skipped).
fn string_width(s: &str) -> usize {
    s.chars()
        .filter(|c| !matches!(c, '\u{fe0e}' | '\u{fe0f}'))
        .map(rune_width)
        .sum()
}

fn rune_width(c: char) -> usize {
    let c = u32::from(c);
    let within = |ranges: &[(u32, u32)]| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
    if within(ZERO_WIDTH) {
        0
    } else if within(DOUBLE_WIDTH) {
        2
    } else {
        1
    }
}

/// Non-printing characters (go-runewidth's `nonprint`) and the main combining
/// mark blocks.
const ZERO_WIDTH: &[(u32, u32)] = &[
    (0x0000, 0x001f),
    (0x007f, 0x009f),
    (0x00ad, 0x00ad),
    (0x0300, 0x036f),
    (0x0483, 0x0489),
    (0x0591, 0x05bd),
    (0x0610, 0x061a),
    (0x064b, 0x065f),
    (0x070f, 0x070f),
    (0x180b, 0x180e),
    (0x1ab0, 0x1aff),
    (0x1dc0, 0x1dff),
    (0x200b, 0x200f),
    (0x2028, 0x202e),
    (0x206a, 0x206f),
    (0x20d0, 0x20ff),
    (0xfe00, 0xfe0f),
    (0xfe20, 0xfe2f),
    (0xfeff, 0xfeff),
    (0xfff9, 0xfffb),
    (0xfffe, 0xffff),
];

/// East Asian wide and fullwidth blocks, and the main emoji blocks.
const DOUBLE_WIDTH: &[(u32, u32)] = &[
    (0x1100, 0x115f),
    (0x2e80, 0x303e),
    (0x3041, 0x33ff),
    (0x3400, 0x4dbf),
    (0x4e00, 0x9fff),
    (0xa000, 0xa4cf),
    (0xac00, 0xd7a3),
    (0xf900, 0xfaff),
    (0xfe30, 0xfe4f),
    (0xff00, 0xff60),
    (0xffe0, 0xffe6),
    (0x1f300, 0x1f64f),
    (0x1f900, 0x1f9ff),
    (0x20000, 0x2fffd),
    (0x30000, 0x3fffd),
];

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn ansi_codes_have_no_width() {
        assert_eq!(display_width("\x1b[0;33mMedium\x1b[0m"), 6);
        assert_eq!(display_width("\x1b[1;31mCritical\x1b[0m"), 8);
        assert_eq!(display_width("\x1b[mX\x1b[K"), 1);
        // Not a match: four digits; the ESC itself is zero-width, the rest counts.
        assert_eq!(display_width("\x1b[1234mX"), 7);
        assert_eq!(string_width("\x1b[0;33mMedium\x1b[0m"), 15);
        assert_eq!(display_width("漢字"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
    }

    #[test]
    fn wraps_with_minimal_raggedness() {
        // Greedy would give "aaa bb" / "cc" / "dddd"; the DP balances the lines.
        assert_eq!(wrap_string("aaa bb cc dddd", 6), ["aaa", "bb cc", "dddd"]);
        assert_eq!(wrap_string("aaaa bb cc", 5), ["aaaa", "bb cc"]);
        // A word longer than the limit raises the limit.
        assert_eq!(
            wrap_string("https://example.com/very/long x", 5),
            ["https://example.com/very/long", "x"]
        );
        // Runs of spaces are empty words, kept.
        assert_eq!(wrap_string("a  b", 30), ["a  b"]);
        assert_eq!(wrap_string("", 0), [""]);
    }

    #[test]
    fn cells_wrap_at_thirty() {
        let text = "Stack-based buffer overflow in nscd's netgroup cache when the cache is full";
        let cell = parse_cell(text);
        assert!(cell.lines.iter().all(|l| l.len() <= 30), "{:?}", cell.lines);
        assert_eq!(cell.width, 30);
        assert_eq!(cell.lines.join(" "), text);
        // Lines are joined, then wrapped at the widest original line.
        let cell = parse_cell("one\ntwo");
        assert_eq!(cell.lines, ["one", "two"]);
        assert_eq!(cell.width, 3);
        let cell = parse_cell("");
        assert_eq!((cell.lines.len(), cell.width), (1, 0));
    }

    #[test]
    fn table_layout() {
        let out = render_table(
            &["Severity", "Name"],
            &[vec![
                "\x1b[0;94mLow\x1b[0m".to_owned(),
                "CVE-1\nx".to_owned(),
            ]],
        );
        assert_eq!(
            out,
            "+----------+-------+\n\
             | SEVERITY | NAME  |\n\
             +----------+-------+\n\
             | \x1b[0;94mLow\x1b[0m      | CVE-1 |\n\
             |          | x     |\n\
             +----------+-------+\n"
        );
        let out = render_table(
            &["Col", "B"],
            &[vec![
                "x".to_owned(),
                "aaaa bbbb cccc dddd eeee ffff gggg".to_owned(),
            ]],
        );
        assert_eq!(
            out,
            "+-----+--------------------------------+\n\
             | COL | B                              |\n\
             +-----+--------------------------------+\n\
             | x   | aaaa bbbb cccc dddd eeee ffff  |\n\
             |     | gggg                           |\n\
             +-----+--------------------------------+\n"
        );
    }
}
