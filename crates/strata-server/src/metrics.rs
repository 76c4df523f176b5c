//! Prometheus metrics, in the text exposition format (a handful of counters and
//! gauges do not need a metrics crate).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// A monotonically increasing counter.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) requests: Counter,
    pub(crate) auth_failures: Counter,
    pub(crate) scans_done: Counter,
    pub(crate) scans_failed: Counter,
    pub(crate) scans_cached: Counter,
    pub(crate) scans_coalesced: Counter,
    pub(crate) scans_rejected: Counter,
    pub(crate) scan_micros: Counter,
    pub(crate) updates_ok: Counter,
    pub(crate) updates_failed: Counter,
}

/// Gauges read at scrape time.
#[derive(Debug)]
pub(crate) struct Gauges {
    pub(crate) pending: usize,
    pub(crate) running: usize,
    pub(crate) db_ready: bool,
    pub(crate) db_built: Option<i64>,
}

impl Metrics {
    pub(crate) fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let n = |c: &Counter| c.get() as f64;
        metric(
            "strata_http_requests_total",
            "counter",
            "API requests received.",
            &[("", n(&self.requests))],
        );
        metric(
            "strata_auth_failures_total",
            "counter",
            "Requests with a missing, unknown, revoked or expired token.",
            &[("", n(&self.auth_failures))],
        );
        metric(
            "strata_scans_total",
            "counter",
            "Scan requests by outcome.",
            &[
                ("{outcome=\"done\"}", n(&self.scans_done)),
                ("{outcome=\"failed\"}", n(&self.scans_failed)),
                ("{outcome=\"cached\"}", n(&self.scans_cached)),
                ("{outcome=\"coalesced\"}", n(&self.scans_coalesced)),
                ("{outcome=\"rejected\"}", n(&self.scans_rejected)),
            ],
        );
        metric(
            "strata_scan_seconds_total",
            "counter",
            "Time spent running scans (pull, index, match).",
            &[("", self.scan_micros.get() as f64 / 1e6)],
        );
        metric(
            "strata_scans_pending",
            "gauge",
            "Scans queued or running.",
            &[("", gauges.pending as f64)],
        );
        metric(
            "strata_scans_running",
            "gauge",
            "Scans running.",
            &[("", gauges.running as f64)],
        );
        metric(
            "strata_db_ready",
            "gauge",
            "1 when a vulnerability database is loaded.",
            &[("", f64::from(u8::from(gauges.db_ready)))],
        );
        if let Some(built) = gauges.db_built {
            metric(
                "strata_db_built_timestamp_seconds",
                "gauge",
                "When the loaded vulnerability database was built.",
                &[("", built as f64)],
            );
        }
        metric(
            "strata_db_updates_total",
            "counter",
            "Background database updates by result.",
            &[
                ("{result=\"ok\"}", n(&self.updates_ok)),
                ("{result=\"failed\"}", n(&self.updates_failed)),
            ],
        );
        out
    }
}
