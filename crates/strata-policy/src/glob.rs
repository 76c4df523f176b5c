//! Path globs for ignore entries (`paths:`), with the syntax Trivy's
//! `.trivyignore.yaml` takes (Go `doublestar`): `*` and `?` within one path
//! segment, `**` as a whole segment for any number of segments, `[a-z]` /
//! `[!a-z]` classes, `{a,b}` alternatives and `\` escapes. A leading `/` is
//! ignored on both sides, so `usr/lib/**` and `/usr/lib/**` are the same.
//!
//! Matching is dynamic programming over segments and characters, so a
//! hostile pattern (`*a*a*a*…`) costs polynomial, not exponential, time.

/// The most alternatives `{…}` may expand to; beyond that the pattern is
/// refused rather than allowed to blow up.
const MAX_ALTERNATIVES: usize = 1024;

/// The deepest `{…}` nesting accepted (expansion recurses once per level).
const MAX_BRACE_DEPTH: usize = 16;

/// The longest pattern accepted.
const MAX_PATTERN_CHARS: usize = 4096;

/// A compiled glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    alternatives: Vec<Vec<Segment>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `**`: zero or more whole segments.
    AnyDepth,
    /// Anything else: matched against one segment.
    Tokens(Vec<Token>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`
    AnyChar,
    /// `*`
    AnyRun,
    /// `[…]`
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Glob {
    /// Compiles `pattern`; the error says what is wrong with it.
    pub(crate) fn new(pattern: &str) -> Result<Glob, String> {
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(format!(
                "pattern longer than {MAX_PATTERN_CHARS} characters"
            ));
        }
        if brace_depth(pattern) > MAX_BRACE_DEPTH {
            return Err(format!(
                "`{pattern}` nests `{{…}}` deeper than {MAX_BRACE_DEPTH} levels"
            ));
        }
        let alternatives = expand_braces(pattern)?
            .iter()
            .map(|alternative| compile(alternative))
            .collect::<Result<_, _>>()?;
        Ok(Glob { alternatives })
    }

    /// Whether `path` matches.
    pub(crate) fn is_match(&self, path: &str) -> bool {
        let parts: Vec<Vec<char>> = segments(path).map(|s| s.chars().collect()).collect();
        self.alternatives
            .iter()
            .any(|segments| match_segments(segments, &parts))
    }
}

/// The segments of a path or pattern: split on `/`, empty ones (leading,
/// trailing, doubled slashes) dropped.
fn segments(text: &str) -> impl Iterator<Item = &str> {
    text.split('/').filter(|s| !s.is_empty())
}

/// The deepest unescaped `{` nesting in `pattern`.
fn brace_depth(pattern: &str) -> usize {
    let (mut depth, mut deepest, mut escaped) = (0usize, 0usize, false);
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`. Escaped braces stay literal.
fn expand_braces(pattern: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut open = None;
    let mut depth = 0usize;
    let mut commas = Vec::new();
    let mut close = None;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '{' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let (Some(open), Some(close)) = (open, close) else {
        if open.is_some() {
            return Err(format!("unclosed `{{` in `{pattern}`"));
        }
        return Ok(vec![pattern.to_owned()]);
    };
    let text = |from: usize, to: usize| -> String {
        chars.get(from..to).unwrap_or_default().iter().collect()
    };
    let prefix = text(0, open);
    let suffix = text(close + 1, chars.len());
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for pair in bounds.windows(2) {
        let [start, end] = pair else { continue };
        let alternative = format!("{prefix}{}{suffix}", text(start + 1, *end));
        for expanded in expand_braces(&alternative)? {
            if out.len() >= MAX_ALTERNATIVES {
                return Err(format!(
                    "`{pattern}` expands to more than {MAX_ALTERNATIVES} alternatives"
                ));
            }
            out.push(expanded);
        }
    }
    Ok(out)
}

fn compile(pattern: &str) -> Result<Vec<Segment>, String> {
    segments(pattern)
        .map(|segment| {
            if segment == "**" {
                Ok(Segment::AnyDepth)
            } else {
                tokens(segment, pattern).map(Segment::Tokens)
            }
        })
        .collect()
}

fn tokens(segment: &str, pattern: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => out.push(Token::Literal(next)),
                None => return Err(format!("`{pattern}` ends with a lone `\\`")),
            },
            '?' => out.push(Token::AnyChar),
            // `**` inside a segment (`a**b`) is a plain `*`.
            '*' => {
                if out.last() != Some(&Token::AnyRun) {
                    out.push(Token::AnyRun);
                }
            }
            '[' => {
                let negated = chars.next_if(|&c| c == '!' || c == '^').is_some();
                let mut ranges = Vec::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    let low = match c {
                        ']' => {
                            closed = true;
                            break;
                        }
                        '\\' => chars
                            .next()
                            .ok_or_else(|| format!("unclosed `[` in `{pattern}`"))?,
                        c => c,
                    };
                    let high = if chars.next_if_eq(&'-').is_some() {
                        match chars.next() {
                            Some('\\') => chars
                                .next()
                                .ok_or_else(|| format!("unclosed `[` in `{pattern}`"))?,
                            Some(']') | None => {
                                return Err(format!("bad range in `[…]` of `{pattern}`"));
                            }
                            Some(c) => c,
                        }
                    } else {
                        low
                    };
                    if high < low {
                        return Err(format!("bad range `{low}-{high}` in `{pattern}`"));
                    }
                    ranges.push((low, high));
                }
                if !closed {
                    return Err(format!("unclosed `[` in `{pattern}`"));
                }
                if ranges.is_empty() {
                    return Err(format!("empty `[]` in `{pattern}`"));
                }
                out.push(Token::Class { negated, ranges });
            }
            c => out.push(Token::Literal(c)),
        }
    }
    Ok(out)
}

/// `segments` against `parts`: `matched[i][j]` is "pattern from segment i
/// matches path from part j", filled from the end.
fn match_segments(segments: &[Segment], parts: &[Vec<char>]) -> bool {
    let width = parts.len() + 1;
    let mut matched = vec![false; (segments.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    if let Some(cell) = matched.get_mut(at(segments.len(), parts.len())) {
        *cell = true;
    }
    for (i, segment) in segments.iter().enumerate().rev() {
        for j in (0..=parts.len()).rev() {
            let next = |i: usize, j: usize| matched.get(at(i, j)).copied().unwrap_or(false);
            let value = match segment {
                // Zero segments, or one more and stay on `**`.
                Segment::AnyDepth => next(i + 1, j) || (j < parts.len() && next(i, j + 1)),
                Segment::Tokens(tokens) => {
                    j < parts.len()
                        && parts.get(j).is_some_and(|part| match_tokens(tokens, part))
                        && next(i + 1, j + 1)
                }
            };
            if let Some(cell) = matched.get_mut(at(i, j)) {
                *cell = value;
            }
        }
    }
    matched.first().copied().unwrap_or(false)
}

/// One segment: `matched[t][c]` is "tokens from t match chars from c".
fn match_tokens(tokens: &[Token], chars: &[char]) -> bool {
    let width = chars.len() + 1;
    let mut matched = vec![false; (tokens.len() + 1) * width];
    let at = |t: usize, c: usize| t * width + c;
    if let Some(cell) = matched.get_mut(at(tokens.len(), chars.len())) {
        *cell = true;
    }
    for (t, token) in tokens.iter().enumerate().rev() {
        for c in (0..=chars.len()).rev() {
            let next = |t: usize, c: usize| matched.get(at(t, c)).copied().unwrap_or(false);
            let one = |accept: &dyn Fn(char) -> bool| {
                chars.get(c).is_some_and(|&ch| accept(ch)) && next(t + 1, c + 1)
            };
            let value = match token {
                Token::Literal(literal) => one(&|ch| ch == *literal),
                Token::AnyChar => one(&|_| true),
                Token::AnyRun => next(t + 1, c) || (c < chars.len() && next(t, c + 1)),
                Token::Class { negated, ranges } => one(&|ch| {
                    ranges.iter().any(|&(low, high)| (low..=high).contains(&ch)) != *negated
                }),
            };
            if let Some(cell) = matched.get_mut(at(t, c)) {
                *cell = value;
            }
        }
    }
    matched.first().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_match(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).unwrap().is_match(path)
    }

    const METADATA: &str =
        "/usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA";

    #[test]
    fn trivy_documentation_examples() {
        // From Trivy's `.trivyignore.yaml` docs: an exact path and a `**` glob.
        assert!(is_match(
            "usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA",
            METADATA
        ));
        assert!(is_match(
            "usr/local/lib/python3.9/site-packages/**",
            METADATA
        ));
        assert!(!is_match("usr/lib/**", METADATA));
    }

    #[test]
    fn star_stays_within_a_segment() {
        assert!(is_match("usr/*/lib/**", METADATA));
        assert!(!is_match("usr/*/METADATA", METADATA));
        assert!(is_match("**/METADATA", METADATA));
        assert!(is_match("**/*.dist-info/*", METADATA));
        assert!(is_match(
            "/usr/**/setuptools-*.dist-info/METADATA",
            METADATA
        ));
        assert!(!is_match("**/*.egg-info/*", METADATA));
        assert!(is_match("**", METADATA));
        assert!(
            is_match("usr/local/**", "usr/local"),
            "`**` matches zero segments"
        );
        assert!(
            is_match("usr/l**l/lib/**", METADATA),
            "`**` inside a segment is `*`"
        );
    }

    #[test]
    fn question_mark_classes_braces_escapes() {
        assert!(is_match("usr/local/lib/python3.?/**", METADATA));
        assert!(is_match("usr/local/lib/python3.[0-9]/**", METADATA));
        assert!(!is_match("usr/local/lib/python3.[!9]/**", METADATA));
        assert!(is_match("usr/local/lib/python3.[^8]/**", METADATA));
        assert!(is_match("{opt,usr}/local/**", METADATA));
        assert!(is_match("{opt,usr/{share,local}}/lib/**", METADATA));
        assert!(!is_match("{opt,var}/**", METADATA));
        assert!(is_match("a/\\*", "a/*"));
        assert!(!is_match("a/\\*", "a/b"));
        assert!(is_match("a/\\{b\\}", "a/{b}"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in ["a/[b", "a/{b,c", "a/[]", "a/[z-a]", "a\\", "a/[b-]"] {
            assert!(Glob::new(bad).is_err(), "{bad} accepted");
        }
        let bomb = "{a,b}".repeat(11);
        assert!(Glob::new(&bomb).unwrap_err().contains("alternatives"));
        let deep = "{".repeat(20) + &"}".repeat(20);
        assert!(Glob::new(&deep).unwrap_err().contains("nests"));
        assert!(Glob::new(&"a".repeat(5000)).is_err());
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let pattern = format!("{}b", "*a".repeat(200));
        let path = "a".repeat(2000);
        assert!(!is_match(&pattern, &path));
        let pattern = "**/".repeat(100) + "x";
        let path = "d/".repeat(1000) + "y";
        assert!(!is_match(&pattern, &path));
    }
}
