//! Prometheus text exposition: request counts and latencies per route, claim lines checked.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// (method, route, status) → (count, seconds).
type Requests = BTreeMap<(String, String, u16), (u64, f64)>;

/// The method as a metrics label: one of HTTP's own, else `OTHER`, so that made-up methods
/// cannot grow the exposition.
pub fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

/// Counters keyed by (method label, route pattern or `unmatched`, status): bounded by the route
/// table, never by what clients send.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
    pub eligibility_lines: AtomicU64,
    pub eligibility_refused: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m.entry((method.to_string(), route.to_string(), status)).or_insert((0, 0.0));
            e.0 += 1;
            e.1 += elapsed.as_secs_f64();
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP jifen_http_requests_total HTTP requests by route and status.\n# TYPE jifen_http_requests_total counter\n");
        let snapshot = self.requests.lock().map(|m| m.clone()).unwrap_or_default();
        for ((method, route, status), (n, _)) in &snapshot {
            let _ = writeln!(
                out,
                "jifen_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP jifen_http_request_seconds_sum Time spent answering, by route.\n# TYPE jifen_http_request_seconds_sum counter\n");
        for ((method, route, status), (_, s)) in &snapshot {
            let _ = writeln!(
                out,
                "jifen_http_request_seconds_sum{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {s:.6}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP jifen_eligibility_lines_total Claim lines screened.\n# TYPE jifen_eligibility_lines_total counter\njifen_eligibility_lines_total {}",
            self.eligibility_lines.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP jifen_eligibility_refused_total Claim lines refused.\n# TYPE jifen_eligibility_refused_total counter\njifen_eligibility_refused_total {}",
            self.eligibility_refused.load(Ordering::Relaxed)
        );
        out
    }
}
