//! Installed Ruby gems: `specifications/*.gemspec` (and `specifications/default/*.gemspec`,
//! the default gems shipped with Ruby), the Ruby source RubyGems writes with
//! `Gem::Specification#to_ruby` when it installs a gem.
//!
//! The file is read textually, never run: the `<var>.name = …`, `<var>.version = …`,
//! `<var>.license(s) = …` and `<var>.platform = …` assignments inside
//! `Gem::Specification.new do |<var>|`, with RubyGems' `# stub: <name> <version>
//! <platform> <require paths>` first line (what `Gem::StubSpecification` reads) as the
//! fallback.

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Finds gems installed by RubyGems.
#[derive(Debug, Default)]
pub struct GemCataloger {
    packages: Vec<Package>,
}

impl GemCataloger {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for GemCataloger {
    fn name(&self) -> &'static str {
        "ruby"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        let Some((dir, name)) = file.path.rsplit_once('/') else {
            return false;
        };
        name.len() > ".gemspec".len()
            && name.ends_with(".gemspec")
            && ["specifications", "specifications/default"]
                .iter()
                .any(|d| {
                    dir == *d
                        || dir
                            .strip_suffix(d)
                            .is_some_and(|parent| parent.ends_with('/'))
                })
    }

    fn max_size(&self) -> u64 {
        16 << 20
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        match parse_gemspec(&String::from_utf8_lossy(content)) {
            Ok(spec) => self.packages.push(spec.into_package(file.path)),
            Err(why) => diagnostics.warn(file.path, why),
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Gemspec {
    name: String,
    version: String,
    licenses: Vec<String>,
    platform: Option<String>,
}

impl Gemspec {
    fn into_package(self, path: &str) -> Package {
        let mut pkg = Package::new(PackageKind::Gem, self.name, self.version, path);
        if !self.licenses.is_empty() {
            pkg.metadata
                .insert("license".into(), self.licenses.join(", "));
        }
        if let Some(platform) = self.platform.filter(|p| p != "ruby") {
            pkg.metadata.insert("platform".into(), platform);
        }
        pkg
    }
}

fn parse_gemspec(text: &str) -> Result<Gemspec, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let var = block_variable(text).unwrap_or("s");
    let mut spec = Gemspec::default();
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        let Some((attribute, value)) = assignment(line.trim_start(), var) else {
            continue;
        };
        match attribute {
            "name" => name = ruby_string(value).map(|(s, _)| s),
            "version" => version = version_value(value),
            "license" => spec.licenses.extend(ruby_string(value).map(|(s, _)| s)),
            "licenses" => spec.licenses.extend(ruby_array(value).unwrap_or_default()),
            "platform" => spec.platform = ruby_string(value).map(|(s, _)| s),
            _ => {}
        }
    }
    // `# stub: name version platform paths`, written first by RubyGems 2.x and later.
    let stub = text
        .lines()
        .take(5)
        .find_map(|line| line.strip_prefix("# stub: "));
    let mut stub_words = stub.map(str::split_whitespace).into_iter().flatten();
    let (stub_name, stub_version, stub_platform) =
        (stub_words.next(), stub_words.next(), stub_words.next());
    let name = name
        .or(stub_name.map(String::from))
        .ok_or("gemspec without a name")?;
    let version = version
        .or(stub_version.map(String::from))
        .ok_or("gemspec without a version")?;
    if !valid_name(&name) {
        return Err(format!("invalid gem name {:?}", truncate(&name)));
    }
    if !valid_version(&version) {
        return Err(format!("invalid gem version {:?}", truncate(&version)));
    }
    spec.name = name;
    spec.version = version;
    if spec.platform.is_none() {
        spec.platform = stub_platform.map(String::from);
    }
    Ok(spec)
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// The block variable of `Gem::Specification.new do |s|` (or `{ |spec|`).
fn block_variable(text: &str) -> Option<&str> {
    let after = text.split_once("Gem::Specification.new")?.1;
    let open = after.get(..200).unwrap_or(after);
    let inner = open.split_once('|')?.1.split_once('|')?.0.trim();
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(inner)
}

/// `s.attribute = value…` → (`attribute`, `value…`); not `==`.
fn assignment<'a>(line: &'a str, var: &str) -> Option<(&'a str, &'a str)> {
    let rest = line.strip_prefix(var)?.strip_prefix('.')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (attribute, rest) = rest.split_at_checked(end)?;
    let value = rest.trim_start().strip_prefix('=')?;
    if value.starts_with(['=', '~']) {
        return None;
    }
    Some((attribute, value.trim_start()))
}

/// `"1.2.3"`, `"1.2.3".freeze` or `Gem::Version.new("1.2.3")`.
fn version_value(value: &str) -> Option<String> {
    let value = value
        .strip_prefix("Gem::Version.new")
        .map_or(value, |v| v.trim_start_matches(['(', ' ']));
    ruby_string(value).map(|(s, _)| s)
}

/// `["MIT".freeze, "Ruby".freeze]`: the string literals of an array.
fn ruby_array(value: &str) -> Option<Vec<String>> {
    let mut rest = value.strip_prefix('[')?.trim_start();
    let mut items = Vec::new();
    loop {
        if rest.starts_with(']') {
            return Some(items);
        }
        let (item, after) = ruby_string(rest)?;
        items.push(item);
        let after = after.trim_start();
        let after = after.strip_prefix(".freeze").unwrap_or(after).trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if after.starts_with(']') => after,
            None => return None,
        };
    }
}

/// A Ruby string literal at the start of `value`: `"…"`, `'…'`, `%q<…>`, `%Q{…}`, `%(…)`.
/// Returns the string and what follows it. Interpolation (`#{…}`) is kept as text.
fn ruby_string(value: &str) -> Option<(String, &str)> {
    let mut chars = value.char_indices();
    let (_, first) = chars.next()?;
    let (open, double_quoted) = match first {
        '"' => ('"', true),
        '\'' => ('\'', false),
        '%' => {
            let (_, mut next) = chars.next()?;
            let double = next != 'q';
            if matches!(next, 'q' | 'Q') {
                next = chars.next()?.1;
            }
            if next.is_alphanumeric() || next.is_whitespace() {
                return None;
            }
            (next, double)
        }
        _ => return None,
    };
    let close = match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        other => other,
    };
    let mut out = String::new();
    let mut depth = 0usize;
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, escaped) = chars.next()?;
                if double_quoted {
                    out.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        'u' => unicode_escape(&mut chars)?,
                        other => other,
                    });
                } else {
                    // Single quotes only escape the quote and the backslash.
                    if escaped != close && escaped != '\\' {
                        out.push('\\');
                    }
                    out.push(escaped);
                }
            }
            c if c == close && depth == 0 => return Some((out, value.get(at + c.len_utf8()..)?)),
            c => {
                if open != close && c == open {
                    depth += 1;
                } else if open != close && c == close {
                    depth = depth.saturating_sub(1);
                }
                out.push(c);
            }
        }
    }
    None
}

/// `\u00E9` or `\u{E9}` (after the `u`).
fn unicode_escape(chars: &mut std::str::CharIndices<'_>) -> Option<char> {
    let mut rest = chars.clone();
    let hex: String = if rest.next()?.1 == '{' {
        let hex: String = rest
            .by_ref()
            .map(|(_, c)| c)
            .take_while(|&c| c != '}')
            .take(6)
            .collect();
        *chars = rest;
        hex
    } else {
        let hex: String = chars.clone().map(|(_, c)| c).take(4).collect();
        for _ in 0..hex.chars().count() {
            chars.next();
        }
        hex
    };
    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
}

/// RubyGems' `Gem::Specification#validate` name rule: letters, digits, `.`, `-`, `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// `Gem::Version::VERSION_PATTERN`: digits first, then alphanumerics, `.` and `-`.
fn valid_version(version: &str) -> bool {
    version.len() <= 256
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(relative: &str) -> Vec<u8> {
        let path = crate::testdata::shared_data(&format!("pkgdb/lang/ruby/{relative}"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut cataloger = GemCataloger::new();
        let file = FileInfo {
            path,
            size: content.len() as u64,
            mode: 0o644,
        };
        let mut diagnostics = Diagnostics::default();
        if cataloger.wants(&file) {
            cataloger.visit(&file, content, &mut diagnostics);
        }
        (cataloger.finish(&mut diagnostics), diagnostics)
    }

    fn one(path: &str, content: &[u8]) -> Package {
        let (packages, diagnostics) = run(path, content);
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        assert_eq!(packages.len(), 1);
        packages.into_iter().next().unwrap()
    }

    #[test]
    fn wants_installed_specifications() {
        let c = GemCataloger::new();
        let wants = |path| {
            c.wants(&FileInfo {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants(
            "usr/local/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec"
        ));
        assert!(wants(
            "usr/lib/ruby/gems/3.1.0/specifications/default/yaml-0.2.1.gemspec"
        ));
        assert!(wants(
            "app/vendor/bundle/ruby/3.2.0/specifications/rack-3.0.8.gemspec"
        ));
        assert!(wants("specifications/x-1.gemspec"));
        assert!(
            !wants("src/mygem/mygem.gemspec"),
            "a source checkout's gemspec is not installed"
        );
        assert!(!wants(
            "usr/lib/ruby/gems/3.1.0/myspecifications/x-1.gemspec"
        ));
        assert!(!wants("usr/lib/ruby/gems/3.1.0/specifications/.gemspec"));
        assert!(!wants(
            "usr/lib/ruby/gems/3.1.0/specifications/x-1.gemspec.bak"
        ));
    }

    #[test]
    fn syft_bundler() {
        let p = one(
            "usr/lib/ruby/gems/2.7.0/specifications/bundler-2.1.4.gemspec",
            &shared("syft/bundler.gemspec"),
        );
        assert_eq!(p.kind, Some(PackageKind::Gem));
        assert_eq!((p.name.as_str(), p.version.as_str()), ("bundler", "2.1.4"));
        assert_eq!(
            p.paths,
            vec!["usr/lib/ruby/gems/2.7.0/specifications/bundler-2.1.4.gemspec"]
        );
        assert_eq!(p.metadata["license"], "MIT");
        assert!(!p.metadata.contains_key("platform"));
    }

    #[test]
    fn syft_formatador_frozen_version() {
        let p = one(
            "specifications/formatador-1.1.0.gemspec",
            &shared("syft/formatador.gemspec"),
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("formatador", "1.1.0")
        );
        assert_eq!(p.metadata["license"], "MIT");
    }

    #[test]
    fn scalibr_default_gems() {
        let p = one(
            "usr/lib/ruby/gems/3.1.0/specifications/default/rss-0.2.9.gemspec",
            &shared("osv-scalibr/rss-0.2.9.gemspec"),
        );
        assert_eq!((p.name.as_str(), p.version.as_str()), ("rss", "0.2.9"));
        assert_eq!(p.metadata["license"], "BSD-2-Clause");
        let p = one(
            "usr/lib/ruby/gems/3.1.0/specifications/default/yaml-0.2.1.gemspec",
            &shared("osv-scalibr/yaml-0.2.1.gemspec"),
        );
        assert_eq!((p.name.as_str(), p.version.as_str()), ("yaml", "0.2.1"));
        assert_eq!(p.metadata["license"], "Ruby, BSD-2-Clause");
    }

    #[test]
    fn older_and_other_forms() {
        // RubyGems 1.x wrote %q{} literals and Gem::Version-free versions; other block names.
        let text = b"Gem::Specification.new do |spec|\n  spec.name = %q{rake}\n  spec.version = \"0.8.7\"\n  spec.license = 'MIT'\n  spec.platform = %q{java}\nend\n";
        let p = one("specifications/rake-0.8.7-java.gemspec", text);
        assert_eq!((p.name.as_str(), p.version.as_str()), ("rake", "0.8.7"));
        assert_eq!(p.metadata["license"], "MIT");
        assert_eq!(p.metadata["platform"], "java");
        let text = b"Gem::Specification.new { |g|\n g.name = %q<nokogiri>.freeze\n g.version = Gem::Version.new(\"1.15.4\")\n g.licenses = [%q<MIT>.freeze]\n}\n";
        let p = one("specifications/nokogiri-1.15.4-x86_64-linux.gemspec", text);
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("nokogiri", "1.15.4")
        );
        // The stub line alone is enough.
        let text = b"# -*- encoding: utf-8 -*-\n# stub: ffi 1.16.3 x86_64-linux lib\n";
        let p = one("specifications/ffi-1.16.3-x86_64-linux.gemspec", text);
        assert_eq!((p.name.as_str(), p.version.as_str()), ("ffi", "1.16.3"));
        assert_eq!(p.metadata["platform"], "x86_64-linux");
        // Comparisons and unrelated receivers are not assignments.
        let text = b"Gem::Specification.new do |s|\n  s.name = \"a\"\n  s.version == \"9\"\n  x.version = \"8\"\n  s.version = \"1.0\"\nend\n";
        assert_eq!(one("specifications/a-1.0.gemspec", text).version, "1.0");
    }

    #[test]
    fn ruby_literals() {
        assert_eq!(
            ruby_string(r#""Andr\u00E9".freeze"#),
            Some(("Andr\u{e9}".into(), ".freeze"))
        );
        assert_eq!(
            ruby_string(r#""a\u{1F600}b""#).map(|x| x.0),
            Some("a\u{1f600}b".into())
        );
        assert_eq!(ruby_string(r#""q\"x""#).map(|x| x.0), Some("q\"x".into()));
        assert_eq!(
            ruby_string(r"'it\'s \n'").map(|x| x.0),
            Some("it's \\n".into())
        );
        assert_eq!(
            ruby_string("%q(a (b) c) tail"),
            Some(("a (b) c".into(), " tail"))
        );
        assert_eq!(ruby_string("%Q|x|").map(|x| x.0), Some("x".into()));
        assert_eq!(ruby_string("\"unterminated"), None);
        assert_eq!(ruby_string("nil"), None);
        assert_eq!(
            ruby_array(r#"["Ruby".freeze, "BSD-2-Clause".freeze]"#),
            Some(vec!["Ruby".into(), "BSD-2-Clause".into()])
        );
        assert_eq!(ruby_array("[]"), Some(vec![]));
        assert_eq!(ruby_array("[x]"), None);
    }

    #[test]
    fn hostile_inputs() {
        let cases: &[&[u8]] = &[
            b"",
            b"\xff\xfe\x00garbage",
            b"Gem::Specification.new do |s|\n  s.name = \"x\n",
            b"Gem::Specification.new do |s|\n  s.name = \"bad name\"\n  s.version = \"1\"\nend",
            b"Gem::Specification.new do |s|\n  s.name = \"ok\"\n  s.version = \"v1; rm -rf\"\nend",
            b"# stub: \n",
            b"Gem::Specification.new do ||\n s.name = \"\\u\"\n",
            b"s.name = %\n s.version = %q\n s.licenses = [\"a\",\n",
        ];
        for text in cases {
            let (packages, diagnostics) = run("specifications/x-1.gemspec", text);
            assert!(packages.is_empty(), "{:?}", String::from_utf8_lossy(text));
            assert_eq!(
                diagnostics.warnings.len(),
                1,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let huge = format!("s.name = \"{}\"\ns.version = \"1\"\n", "a".repeat(1 << 20));
        let (packages, diagnostics) = run("specifications/x-1.gemspec", huge.as_bytes());
        assert!(packages.is_empty());
        assert!(diagnostics.warnings[0].len() < 200);
        let many_licenses = format!(
            "s.name = \"a\"\ns.version = \"1\"\ns.licenses = [{}\"x\"]\n",
            "\"MIT\", ".repeat(10_000)
        );
        let p = one("specifications/a-1.gemspec", many_licenses.as_bytes());
        assert_eq!(p.name, "a");
    }
}
