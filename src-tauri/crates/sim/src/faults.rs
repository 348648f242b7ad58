//! Fault injection: what a flaky network or a sick node does to an API client.
//!
//! Rules are set per listener by tests (or through the harness-only control endpoint) and
//! matched against each request's method and path; every matching rule applies.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Wait this long before answering.
    Latency { ms: u64 },
    /// Answer with this status instead (500, 595 "no route to host", 596 "broken pipe"…).
    Status { status: u16 },
    /// Drop the TCP connection with a reset instead of answering.
    Reset,
    /// Send only the first half of the body.
    Truncate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `*` matches any run of characters: `/api2/json/nodes/*/status`. Empty matches all.
    #[serde(default)]
    pub path: String,
    /// Only this method (GET, POST, …); `None` for all.
    #[serde(default)]
    pub method: Option<String>,
    pub fault: Fault,
    /// Chance in 0..=1 that a matching request is hit; 1 when absent.
    #[serde(default = "always")]
    pub probability: f64,
    /// Stop after this many hits; unlimited when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

fn always() -> f64 {
    1.0
}

impl FaultRule {
    pub fn new(path: &str, fault: Fault) -> Self {
        Self {
            path: path.to_owned(),
            method: None,
            fault,
            probability: 1.0,
            times: None,
        }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// The rules of one listener, and how many API requests it is answering right now (for
/// benchmarks that check a client's bounded concurrency).
#[derive(Debug)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    rng: Mutex<u64>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rules: Mutex::new(Vec::new()),
            rng: Mutex::new(0x9E37_79B9_7F4A_7C15),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }
}

/// Counts one request as in flight until dropped.
pub struct InFlight<'a>(&'a Faults);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What to do to one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Verdict {
    pub delay: Duration,
    pub status: Option<u16>,
    pub reset: bool,
    pub truncate: bool,
}

impl Faults {
    /// Marks a request in flight (the fault layer does, for every API request).
    pub fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak.fetch_max(now, Ordering::AcqRel);
        InFlight(self)
    }

    /// The most API requests answered at once since the last [`Faults::reset_peak`].
    pub fn peak_in_flight(&self) -> usize {
        self.peak.load(Ordering::Acquire)
    }

    /// API requests being answered right now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    pub fn reset_peak(&self) {
        self.peak.store(0, Ordering::Release);
    }

    pub fn add(&self, rule: FaultRule) {
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(rule);
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn verdict(&self, method: &str, path: &str) -> Verdict {
        let mut verdict = Verdict::default();
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        for rule in rules.iter_mut() {
            if rule.times == Some(0)
                || rule
                    .method
                    .as_deref()
                    .is_some_and(|m| !m.eq_ignore_ascii_case(method))
                || !glob_match(&rule.path, path)
                || (rule.probability < 1.0 && self.next_unit() >= rule.probability)
            {
                continue;
            }
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            match rule.fault {
                Fault::Latency { ms } => verdict.delay += Duration::from_millis(ms),
                Fault::Status { status } => verdict.status = Some(status),
                Fault::Reset => verdict.reset = true,
                Fault::Truncate => verdict.truncate = true,
            }
        }
        verdict
    }

    /// A uniform number in [0, 1) from splitmix64: deterministic, so a test with an error
    /// rate sees the same sequence every run.
    fn next_unit(&self) -> f64 {
        let mut s = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `*` matches any run of characters (including `/`); everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields one part at least");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(i) => remaining = &remaining[i + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("", "/anything"));
        assert!(glob_match("/api2/json/version", "/api2/json/version"));
        assert!(!glob_match("/api2/json/version", "/api2/json/versions"));
        assert!(glob_match(
            "/api2/json/nodes/*/status",
            "/api2/json/nodes/pve1/status"
        ));
        assert!(!glob_match(
            "/api2/json/nodes/*/status",
            "/api2/json/nodes/pve1/qemu"
        ));
        assert!(glob_match("*", "/x"));
        assert!(glob_match("/a*c*e", "/abcde"));
        assert!(!glob_match("/a*c*e", "/abcd"));
    }

    #[test]
    fn rules_apply_by_method_path_and_count() {
        let f = Faults::default();
        f.add(FaultRule::new(
            "/api2/json/cluster/*",
            Fault::Latency { ms: 50 },
        ));
        f.add(
            FaultRule::new("*", Fault::Status { status: 595 })
                .method("post")
                .times(1),
        );
        let v = f.verdict("GET", "/api2/json/cluster/resources");
        assert_eq!(v.delay, Duration::from_millis(50));
        assert_eq!(v.status, None);
        assert_eq!(f.verdict("POST", "/api2/json/x").status, Some(595));
        assert_eq!(f.verdict("POST", "/api2/json/x").status, None, "used up");
        f.clear();
        assert_eq!(
            f.verdict("GET", "/api2/json/cluster/resources"),
            Verdict::default()
        );
    }

    #[test]
    fn probability_gives_roughly_that_share() {
        let f = Faults::default();
        f.add(FaultRule::new("*", Fault::Status { status: 500 }).probability(0.3));
        let hits = (0..10_000)
            .filter(|_| f.verdict("GET", "/x").status.is_some())
            .count();
        assert!((2_700..3_300).contains(&hits), "{hits}");
    }
}
