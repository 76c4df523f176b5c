//! Klar's environment variables, read as Klar's `klar.go` (`newConfig`) and
//! `docker/docker.go` (`NewImage`) read them: an empty variable is an unset
//! one (`os.Getenv`), integers and booleans that do not parse silently fall
//! back to their defaults, and only `CLAIR_OUTPUT` and `FORMAT_OUTPUT` are
//! refused.

use std::fmt;
use std::time::Duration;

use super::KlarSeverity;

/// `FORMAT_OUTPUT` (Klar's `formatTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KlarFormat {
    /// `standard`: text, one block per vulnerability (the default).
    Standard,
    /// `json`: `{"LayerCount":N,"Vulnerabilities":{…}}`.
    Json,
    /// `table`: a tablewriter table.
    Table,
}

/// Klar's configuration. Secrets (`DOCKER_PASSWORD`, `DOCKER_TOKEN`, the
/// user-info of `CLAIR_ADDR`) are never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct KlarEnv {
    /// `CLAIR_ADDR`. Klar refuses to run without it; Strata scans locally
    /// without it, and with it talks to that Clair (or Strata) server as Klar.
    pub(crate) clair_addr: Option<String>,
    /// `CLAIR_OUTPUT`: the lowest severity output *and counted* (default `Unknown`).
    pub(crate) clair_output: KlarSeverity,
    /// `CLAIR_THRESHOLD`: how many counted vulnerabilities pass (default 0;
    /// Go `int`, so negative values are kept: `-1` always fails, as in Klar).
    pub(crate) threshold: i64,
    /// `FORMAT_OUTPUT`, or `json` when `JSON_OUTPUT` is true.
    pub(crate) format: KlarFormat,
    /// `DOCKER_USER`.
    pub(crate) docker_user: Option<String>,
    /// `DOCKER_PASSWORD`.
    pub(crate) docker_password: Option<String>,
    /// `DOCKER_TOKEN` (Klar sends it as `Authorization: Basic <token>`).
    pub(crate) docker_token: Option<String>,
    /// `DOCKER_INSECURE`: skip TLS verification.
    pub(crate) docker_insecure: bool,
    /// `REGISTRY_INSECURE`: plain HTTP to the registry.
    pub(crate) registry_insecure: bool,
    /// `DOCKER_PLATFORM_OS` (default `linux`, as in Klar's `NewImage`).
    pub(crate) platform_os: String,
    /// `DOCKER_PLATFORM_ARCH` (default `amd64`).
    pub(crate) platform_arch: String,
    /// `WHITELIST_FILE`.
    pub(crate) whitelist_file: Option<String>,
    /// `IGNORE_UNFIXED`: unfixed vulnerabilities are still printed, but not counted.
    pub(crate) ignore_unfixed: bool,
    /// `DOCKER_TIMEOUT` in minutes (0 or unparsable → 1).
    pub(crate) docker_timeout_minutes: i64,
    /// `CLAIR_TIMEOUT` in minutes (0 or unparsable → 1).
    pub(crate) clair_timeout_minutes: i64,
    /// `KLAR_TRACE` set to anything.
    pub(crate) trace: bool,
}

/// Klar's `priorities`, as its error message lists them (Go's `%v` of a slice).
const PRIORITIES_LIST: &str = "[Unknown Negligible Low Medium High Critical Defcon1]";
/// Klar's `formatTypes`, likewise.
const FORMATS_LIST: &str = "[standard json table]";
/// One minute in nanoseconds (Go's `time.Minute`).
const MINUTE_NANOS: i64 = 60_000_000_000;

impl KlarEnv {
    /// Reads Klar's variables through `lookup` (`std::env::var(..).ok()` in
    /// the CLI). Errors name the variable, then give Klar's own message.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<KlarEnv, String> {
        // os.Getenv: unset and empty are the same.
        let get = |key: &str| lookup(key).filter(|v| !v.is_empty());
        let flag = |key: &str| get(key).is_some_and(|v| go_parse_bool(&v));
        let int = |key: &str| get(key).map_or(0, |v| go_atoi(&v));
        // Klar: a timeout of 0 (unset or unparsable) becomes one minute.
        let minutes = |key: &str| match int(key) {
            0 => 1,
            n => n,
        };

        let clair_output = match get("CLAIR_OUTPUT") {
            None => KlarSeverity::Unknown,
            // strings.Title(strings.ToLower(v)) compared with the priorities:
            // a case-insensitive match of the whole word.
            Some(raw) => {
                let lower = raw.to_lowercase();
                KlarSeverity::ALL
                    .into_iter()
                    .find(|s| s.as_str().to_lowercase() == lower)
                    .ok_or_else(|| {
                        format!(
                            "CLAIR_OUTPUT: Clair output level {raw} is not supported, only support {PRIORITIES_LIST}"
                        )
                    })?
            }
        };

        // JSON_OUTPUT=true wins over FORMAT_OUTPUT, even an invalid one (parseFormatTypes).
        let format = if flag("JSON_OUTPUT") {
            KlarFormat::Json
        } else {
            match get("FORMAT_OUTPUT") {
                None => KlarFormat::Standard,
                Some(raw) => match raw.to_lowercase().as_str() {
                    "standard" => KlarFormat::Standard,
                    "json" => KlarFormat::Json,
                    "table" => KlarFormat::Table,
                    _ => {
                        return Err(format!(
                            "FORMAT_OUTPUT: Format type {raw} is not supported, only support {FORMATS_LIST}"
                        ));
                    }
                },
            }
        };

        Ok(KlarEnv {
            clair_addr: get("CLAIR_ADDR"),
            clair_output,
            threshold: int("CLAIR_THRESHOLD"),
            format,
            docker_user: get("DOCKER_USER"),
            docker_password: get("DOCKER_PASSWORD"),
            docker_token: get("DOCKER_TOKEN"),
            docker_insecure: flag("DOCKER_INSECURE"),
            registry_insecure: flag("REGISTRY_INSECURE"),
            platform_os: get("DOCKER_PLATFORM_OS").unwrap_or_else(|| "linux".to_owned()),
            platform_arch: get("DOCKER_PLATFORM_ARCH").unwrap_or_else(|| "amd64".to_owned()),
            whitelist_file: get("WHITELIST_FILE"),
            ignore_unfixed: flag("IGNORE_UNFIXED"),
            docker_timeout_minutes: minutes("DOCKER_TIMEOUT"),
            clair_timeout_minutes: minutes("CLAIR_TIMEOUT"),
            // Klar: `if os.Getenv("KLAR_TRACE") != ""`.
            trace: get("KLAR_TRACE").is_some(),
        })
    }

    /// Klar's `JSONOutput`: JSON mode also silences Klar's informational lines.
    pub(crate) fn json_output(&self) -> bool {
        self.format == KlarFormat::Json
    }

    /// The registry timeout, `None` for none. Klar multiplies the minutes into a
    /// Go `time.Duration` (wrapping on overflow) and Go's HTTP client ignores a
    /// timeout that is not positive.
    pub(crate) fn docker_timeout(&self) -> Option<Duration> {
        positive_duration(go_minutes(self.docker_timeout_minutes))
    }

    /// The Clair request timeout (Klar's `http.Client{Timeout: ClairTimeout}`),
    /// `None` for none, by the same Go rules as [`Self::docker_timeout`].
    pub(crate) fn clair_timeout(&self) -> Option<Duration> {
        positive_duration(go_minutes(self.clair_timeout_minutes))
    }

    /// What Klar prints on stderr before pulling, unless in JSON mode (`main.go`):
    /// both timeouts, then the whitelist file or its absence.
    pub(crate) fn stderr_preamble(&self) -> String {
        if self.json_output() {
            return String::new();
        }
        let mut out = format!(
            "clair timeout {}\ndocker timeout: {}\n",
            go_duration_string(go_minutes(self.clair_timeout_minutes)),
            go_duration_string(go_minutes(self.docker_timeout_minutes)),
        );
        match &self.whitelist_file {
            Some(file) => out.push_str(&format!("whitelist file: {file}\n")),
            None => out.push_str("no whitelist file\n"),
        }
        out
    }
}

impl fmt::Debug for KlarEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("KlarEnv")
            .field(
                "clair_addr",
                &self.clair_addr.as_deref().map(redact_userinfo),
            )
            .field("clair_output", &self.clair_output)
            .field("threshold", &self.threshold)
            .field("format", &self.format)
            .field("docker_user", &self.docker_user)
            .field("docker_password", &redacted(&self.docker_password))
            .field("docker_token", &redacted(&self.docker_token))
            .field("docker_insecure", &self.docker_insecure)
            .field("registry_insecure", &self.registry_insecure)
            .field("platform_os", &self.platform_os)
            .field("platform_arch", &self.platform_arch)
            .field("whitelist_file", &self.whitelist_file)
            .field("ignore_unfixed", &self.ignore_unfixed)
            .field("docker_timeout_minutes", &self.docker_timeout_minutes)
            .field("clair_timeout_minutes", &self.clair_timeout_minutes)
            .field("trace", &self.trace)
            .finish()
    }
}

/// `CLAIR_ADDR` may carry `login:password@` (Klar's README); hide it.
fn redact_userinfo(addr: &str) -> String {
    let (scheme, rest) = match addr.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), addr),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest.get(..authority_end).and_then(|a| a.rfind('@')) {
        Some(at) => format!("{scheme}<redacted>{}", rest.get(at..).unwrap_or_default()),
        None => addr.to_owned(),
    }
}

/// Go's `strconv.ParseBool`: exactly these spellings; anything else is an
/// error, which Klar's `parseBoolOption` turns into `false`.
fn go_parse_bool(value: &str) -> bool {
    matches!(value, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// Klar's `parseIntOption`: `val, _ = strconv.Atoi(s)` keeps Atoi's value even on
/// error, which is 0 for a syntax error and the clamped bound for a range error
/// (ParseUint stops at the first overflow, before seeing later bad characters).
fn go_atoi(value: &str) -> i64 {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, value.get(1..).unwrap_or_default()),
        Some(b'+') => (false, value.get(1..).unwrap_or_default()),
        _ => (false, value),
    };
    if digits.is_empty() {
        return 0;
    }
    let clamped = if negative { i64::MIN } else { i64::MAX };
    let mut n: u64 = 0;
    for byte in digits.bytes() {
        if !byte.is_ascii_digit() {
            return 0;
        }
        let Some(next) = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(byte - b'0')))
        else {
            return clamped;
        };
        n = next;
    }
    if negative {
        // -(2^63) is the lowest; anything larger in magnitude clamps.
        0i64.checked_sub_unsigned(n).unwrap_or(i64::MIN)
    } else {
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

/// `time.Duration(minutes) * time.Minute` in Go: nanoseconds, wrapping.
fn go_minutes(minutes: i64) -> i64 {
    minutes.wrapping_mul(MINUTE_NANOS)
}

fn positive_duration(nanos: i64) -> Option<Duration> {
    u64::try_from(nanos)
        .ok()
        .filter(|n| *n > 0)
        .map(Duration::from_nanos)
}

/// Go's `time.Duration.String()`: `1m0s`, `1h30m0s`, `-5m0s`, `1.5s`, `250ms`…
fn go_duration_string(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        // Sub-second: the largest unit below a second that fits.
        let (unit, scale_digits) = match u {
            u if u < 1_000 => ("ns", 0),
            u if u < 1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let (int, frac) = split_frac(u, scale_digits);
        return format!("{sign}{int}{frac}{unit}");
    }
    let (seconds, frac) = split_frac(u, 9);
    let mut out = format!("{}{frac}s", seconds % 60);
    let minutes = seconds / 60;
    if minutes > 0 {
        out = format!("{}m{out}", minutes % 60);
        let hours = minutes / 60;
        if hours > 0 {
            out = format!("{hours}h{out}");
        }
    }
    format!("{sign}{out}")
}

/// Go's `fmtFrac`: `v` split at `digits` decimal places; the fraction printed
/// without trailing zeros, and without its point when it is zero.
fn split_frac(v: u64, digits: u32) -> (u64, String) {
    let scale = 10u64.pow(digits);
    let (int, frac) = (v / scale, v % scale);
    if frac == 0 {
        return (int, String::new());
    }
    let width = usize::try_from(digits).unwrap_or(0);
    let text = format!("{frac:0width$}");
    (int, format!(".{}", text.trim_end_matches('0')))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<KlarEnv, String> {
        KlarEnv::from_lookup(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_are_klars() {
        let e = env(&[]).unwrap();
        assert_eq!(e.clair_addr, None);
        assert_eq!(e.clair_output, KlarSeverity::Unknown);
        assert_eq!(e.threshold, 0);
        assert_eq!(e.format, KlarFormat::Standard);
        assert!(!e.json_output());
        assert_eq!(e.platform_os, "linux");
        assert_eq!(e.platform_arch, "amd64");
        assert_eq!(e.docker_timeout_minutes, 1);
        assert_eq!(e.clair_timeout_minutes, 1);
        assert_eq!(e.docker_timeout(), Some(Duration::from_secs(60)));
        assert!(!e.ignore_unfixed && !e.docker_insecure && !e.registry_insecure && !e.trace);
        assert_eq!(e.whitelist_file, None);
        assert_eq!(
            e.stderr_preamble(),
            "clair timeout 1m0s\ndocker timeout: 1m0s\nno whitelist file\n"
        );
    }

    #[test]
    fn all_variables_are_read() {
        let e = env(&[
            ("CLAIR_ADDR", "http://clair:6060"),
            ("CLAIR_OUTPUT", "HIGH"),
            ("CLAIR_THRESHOLD", "10"),
            ("FORMAT_OUTPUT", "Table"),
            ("DOCKER_USER", "ci"),
            ("DOCKER_PASSWORD", "hunter2"),
            ("DOCKER_TOKEN", "dG9rZW4="),
            ("DOCKER_INSECURE", "true"),
            ("REGISTRY_INSECURE", "1"),
            ("DOCKER_PLATFORM_OS", "linux"),
            ("DOCKER_PLATFORM_ARCH", "arm64"),
            ("WHITELIST_FILE", "wl.yaml"),
            ("IGNORE_UNFIXED", "T"),
            ("DOCKER_TIMEOUT", "90"),
            ("CLAIR_TIMEOUT", "5"),
            ("KLAR_TRACE", "no"),
        ])
        .unwrap();
        assert_eq!(e.clair_addr.as_deref(), Some("http://clair:6060"));
        assert_eq!(e.clair_output, KlarSeverity::High);
        assert_eq!(e.threshold, 10);
        assert_eq!(e.format, KlarFormat::Table);
        assert_eq!(e.docker_user.as_deref(), Some("ci"));
        assert_eq!(e.docker_password.as_deref(), Some("hunter2"));
        assert_eq!(e.docker_token.as_deref(), Some("dG9rZW4="));
        assert!(e.docker_insecure && e.registry_insecure && e.ignore_unfixed);
        assert!(e.trace, "KLAR_TRACE is on when set to anything");
        assert_eq!(e.platform_arch, "arm64");
        assert_eq!(e.whitelist_file.as_deref(), Some("wl.yaml"));
        assert_eq!(e.docker_timeout(), Some(Duration::from_secs(90 * 60)));
        assert_eq!(
            e.stderr_preamble(),
            "clair timeout 5m0s\ndocker timeout: 1h30m0s\nwhitelist file: wl.yaml\n"
        );
    }

    #[test]
    fn clair_output_is_case_insensitive_and_checked() {
        for (raw, want) in [
            ("unknown", KlarSeverity::Unknown),
            ("nEgLiGiBlE", KlarSeverity::Negligible),
            ("Low", KlarSeverity::Low),
            ("MEDIUM", KlarSeverity::Medium),
            ("critical", KlarSeverity::Critical),
            ("DEFCON1", KlarSeverity::Defcon1),
        ] {
            assert_eq!(
                env(&[("CLAIR_OUTPUT", raw)]).unwrap().clair_output,
                want,
                "{raw}"
            );
        }
        // Empty is unset (os.Getenv).
        assert_eq!(
            env(&[("CLAIR_OUTPUT", "")]).unwrap().clair_output,
            KlarSeverity::Unknown
        );
        for bad in ["Important", "high ", "moderate", "5"] {
            let err = env(&[("CLAIR_OUTPUT", bad)]).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "CLAIR_OUTPUT: Clair output level {bad} is not supported, only support [Unknown Negligible Low Medium High Critical Defcon1]"
                )
            );
        }
    }

    #[test]
    fn format_output_and_json_output() {
        assert_eq!(
            env(&[("FORMAT_OUTPUT", "JSON")]).unwrap().format,
            KlarFormat::Json
        );
        assert_eq!(
            env(&[("FORMAT_OUTPUT", "standard")]).unwrap().format,
            KlarFormat::Standard
        );
        let err = env(&[("FORMAT_OUTPUT", "sarif")]).unwrap_err();
        assert_eq!(
            err,
            "FORMAT_OUTPUT: Format type sarif is not supported, only support [standard json table]"
        );
        // JSON_OUTPUT=true overrides FORMAT_OUTPUT, even an invalid one.
        let e = env(&[("JSON_OUTPUT", "true"), ("FORMAT_OUTPUT", "sarif")]).unwrap();
        assert_eq!(e.format, KlarFormat::Json);
        assert_eq!(e.stderr_preamble(), "", "JSON mode is silent");
        // A JSON_OUTPUT that is not a Go bool is false.
        assert_eq!(
            env(&[("JSON_OUTPUT", "yes"), ("FORMAT_OUTPUT", "table")])
                .unwrap()
                .format,
            KlarFormat::Table
        );
    }

    #[test]
    fn booleans_follow_go_parse_bool() {
        for yes in ["1", "t", "T", "TRUE", "true", "True"] {
            assert!(
                env(&[("IGNORE_UNFIXED", yes)]).unwrap().ignore_unfixed,
                "{yes}"
            );
        }
        for no in ["0", "false", "yes", "on", "tRuE", " true", "2"] {
            assert!(
                !env(&[("IGNORE_UNFIXED", no)]).unwrap().ignore_unfixed,
                "{no}"
            );
        }
    }

    #[test]
    fn integers_follow_klars_atoi() {
        let threshold = |v: &str| env(&[("CLAIR_THRESHOLD", v)]).unwrap().threshold;
        assert_eq!(threshold("7"), 7);
        assert_eq!(threshold("+7"), 7);
        assert_eq!(threshold("-1"), -1);
        assert_eq!(threshold("007"), 7);
        // Syntax errors: 0, silently.
        for bad in ["abc", "1.5", " 3", "3 ", "1_000", "+", "-", "0x10", "٣"] {
            assert_eq!(threshold(bad), 0, "{bad:?}");
        }
        // Range errors keep Atoi's clamped value.
        assert_eq!(threshold("99999999999999999999"), i64::MAX);
        assert_eq!(threshold("-99999999999999999999"), i64::MIN);
        assert_eq!(threshold("9223372036854775807"), i64::MAX);
        assert_eq!(threshold("-9223372036854775808"), i64::MIN);
        assert_eq!(threshold("9223372036854775808"), i64::MAX);
        // ParseUint returns at the overflow, before the bad character.
        assert_eq!(threshold("99999999999999999999x"), i64::MAX);
        assert_eq!(threshold("9x9999999999999999999"), 0);
    }

    #[test]
    fn timeouts_default_to_a_minute_and_keep_go_semantics() {
        let e = env(&[("DOCKER_TIMEOUT", "0"), ("CLAIR_TIMEOUT", "soon")]).unwrap();
        assert_eq!((e.docker_timeout_minutes, e.clair_timeout_minutes), (1, 1));
        let e = env(&[("DOCKER_TIMEOUT", "-5")]).unwrap();
        assert_eq!(e.docker_timeout_minutes, -5);
        assert_eq!(
            e.docker_timeout(),
            None,
            "Go's client ignores a negative timeout"
        );
        assert!(e.stderr_preamble().contains("docker timeout: -5m0s\n"));
        let e = env(&[("CLAIR_TIMEOUT", "1500")]).unwrap();
        assert_eq!(
            e.stderr_preamble().lines().next(),
            Some("clair timeout 25h0m0s")
        );
    }

    #[test]
    fn go_duration_strings() {
        assert_eq!(go_duration_string(0), "0s");
        assert_eq!(go_duration_string(MINUTE_NANOS), "1m0s");
        assert_eq!(go_duration_string(61 * MINUTE_NANOS), "1h1m0s");
        assert_eq!(go_duration_string(1_500_000_000), "1.5s");
        assert_eq!(go_duration_string(250_000_000), "250ms");
        assert_eq!(go_duration_string(1_500), "1.5µs");
        assert_eq!(go_duration_string(-42), "-42ns");
        assert_eq!(go_duration_string(i64::MIN), "-2562047h47m16.854775808s");
        // Huge minute counts wrap like Go's multiplication.
        assert_eq!(go_minutes(i64::MAX), i64::MAX.wrapping_mul(MINUTE_NANOS));
    }

    #[test]
    fn debug_hides_secrets() {
        let e = env(&[
            ("DOCKER_PASSWORD", "hunter2"),
            ("DOCKER_TOKEN", "s3cr3t-token"),
            ("CLAIR_ADDR", "https://admin:pa55@clair.example:6060/x"),
        ])
        .unwrap();
        let shown = format!("{e:?} {e:#?}");
        for secret in ["hunter2", "s3cr3t-token", "pa55", "admin"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(shown.contains("https://<redacted>@clair.example:6060/x"));
        assert!(shown.contains("docker_password: Some(\"<redacted>\")"));
        assert_eq!(redact_userinfo("clair:6060"), "clair:6060");
        assert_eq!(redact_userinfo("u:p@clair"), "<redacted>@clair");
    }
}
