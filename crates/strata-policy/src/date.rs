//! Calendar dates (ignore-entry expiry) and RFC 3339 timestamps (ordering
//! OpenVEX statements), without a date-time dependency: both are small and
//! only need parsing and comparing.

use std::fmt;

/// A calendar date (proleptic Gregorian), as written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, when it exists (`2024-02-30` does not).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        (1..=12).contains(&month).then_some(())?;
        (1..=days_in_month(year, month))
            .contains(&day)
            .then_some(())?;
        Some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10
            || bytes.get(4) != Some(&b'-')
            || bytes.get(7) != Some(&b'-')
            || !text
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        {
            return None;
        }
        let year = text.get(0..4)?.parse().ok()?;
        let month = text.get(5..7)?.parse().ok()?;
        let day = text.get(8..10)?.parse().ok()?;
        Date::new(year, month, day)
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's
    /// `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`] (`civil_from_days`).
    pub(crate) fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Date, String> {
        Date::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
    }
}

/// Written `YYYY-MM-DD` (policy exclusions, check results).
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An RFC 3339 date-time (`2023-01-08T18:02:03.647787998-06:00`) as
/// nanoseconds since the epoch, so timestamps with different offsets compare
/// correctly. `None` when it is not one.
pub(crate) fn parse_timestamp(text: &str) -> Option<i128> {
    let date = Date::parse(text.get(0..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let number = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let hour = number(rest.get(0..2)?)?;
    let minute = number(rest.get(3..5)?)?;
    let second = number(rest.get(6..8)?)?;
    if rest.get(2..3) != Some(":") || rest.get(5..6) != Some(":") {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = rest.get(8..)?;
    let mut nanos: i128 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let (fraction, tail) = fraction.split_at(digits);
        // Nanosecond precision is plenty to order statements.
        let kept: String = fraction
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        nanos = kept.parse().ok()?;
        rest = tail;
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4) != Some(":") {
                return None;
            }
            let hours = number(rest.get(1..3)?)?;
            let minutes = number(rest.get(4..6)?)?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let seconds =
        date.days_since_epoch() * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(i128::from(seconds) * 1_000_000_000 + nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert!(Date::parse("2024-02-29").is_some());
        assert_eq!(Date::parse("2023-02-29"), None, "2023 is not a leap year");
        assert_eq!(Date::parse("1900-02-29"), None, "1900 is not a leap year");
        assert!(Date::parse("2000-02-29").is_some(), "2000 is");
        assert_eq!(Date::parse("2024-13-01"), None);
        assert_eq!(Date::parse("2024-04-31"), None);
        assert_eq!(Date::parse("2024-4-30"), None);
        assert_eq!(Date::parse("2024-04-30T00:00:00Z"), None);
        assert_eq!(Date::parse("+024-04-30"), None);
        assert_eq!(Date::parse("2024-04-30").unwrap().to_string(), "2024-04-30");
    }

    #[test]
    fn days_since_epoch_round_trips() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Date::new(1969, 12, 31).unwrap().days_since_epoch(), -1);
        for days in [-800_000, -1, 0, 59, 60, 11_016, 19_782, 2_932_896] {
            assert_eq!(
                Date::from_days_since_epoch(days).days_since_epoch(),
                days,
                "{days}"
            );
        }
        assert_eq!(
            Date::from_days_since_epoch(19_782).to_string(),
            "2024-02-29"
        );
    }

    #[test]
    fn today_is_a_plausible_date() {
        let today = Date::today_utc();
        assert!(today > Date::new(2024, 1, 1).unwrap(), "{today}");
        assert_eq!(Date::parse(&today.to_string()), Some(today));
    }

    #[test]
    fn timestamps_compare_across_offsets() {
        // The OpenVEX spec's sample timestamps.
        let a = parse_timestamp("2023-01-08T18:02:03.647787998-06:00").unwrap();
        let b = parse_timestamp("2023-01-09T00:02:03.647787998Z").unwrap();
        assert_eq!(a, b);
        let c = parse_timestamp("2023-01-09T09:08:42-06:00").unwrap();
        assert!(c > a);
        assert_eq!(parse_timestamp("1970-01-01T00:00:01Z"), Some(1_000_000_000));
        assert_eq!(parse_timestamp("2023-01-09"), None);
        assert_eq!(parse_timestamp("2023-01-09T25:00:00Z"), None);
        assert_eq!(parse_timestamp("2023-01-09T10:00:00+0100"), None);
        assert_eq!(parse_timestamp("2023-01-09T10:00:00."), None);
    }
}
