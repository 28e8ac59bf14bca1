//! The public lookups' rate limit: a token bucket per client address (issue 12: 2 000 lookups
//! in 1.2 s harvested 547 records from sequential codes).
//!
//! Twenty lines of our own rather than `actix-governor`: one bucket kind on two routes needs
//! no generic-cell-rate machinery, its dependencies (governor, dashmap, …) or its header
//! conventions, and keeping it here lets the 429 carry our JSON error body and `Retry-After`.
//! Keyed by the TCP peer address: behind a reverse proxy every client shares the proxy's
//! bucket (headers like `X-Forwarded-For` are not trusted, as anyone can send them).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use super::State;
use crate::error::{ClientError, Error, Kind};

/// Buckets kept before idle ones are dropped.
const MAX_CLIENTS: usize = 10_000;

/// A burst of `burst` lookups, then one more every `refill`.
pub struct RateLimit {
    burst: u32,
    refill: Duration,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(burst: u32, refill: Duration) -> RateLimit {
        RateLimit { burst: burst.max(1), refill: refill.max(Duration::from_millis(1)), buckets: Mutex::default() }
    }

    /// `Ok` and one token taken, or the seconds until the next one.
    pub fn take(&self, client: IpAddr) -> Result<(), u32> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let per_sec = 1.0 / self.refill.as_secs_f64();
        let burst = f64::from(self.burst);
        if buckets.len() >= MAX_CLIENTS {
            // Drop the buckets that have filled up again: they hold nothing worth keeping.
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_sec < burst);
        }
        let (tokens, at) = buckets.entry(client).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_sec).ceil().max(1.0) as u32)
        }
    }
}

/// 429 `rate_limited` with `Retry-After` for a client over its public-lookup budget.
pub async fn limit_public(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<BoxBody>> {
    if req.path().starts_with("/api/v1/public/") {
        let client = req.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        if let Some(state) = req.app_data::<web::Data<State>>() {
            if let Err(secs) = state.public_rate.take(client) {
                let e = Error::Client(
                    ClientError::new(
                        Kind::TooManyRequests,
                        "rate_limited",
                        format!("too many lookups from this address: try again in {secs} s"),
                        format!("查询过于频繁，请 {secs} 秒后再试"),
                    )
                    .retry_after(u16::try_from(secs).unwrap_or(u16::MAX)),
                );
                let (req, _) = req.into_parts();
                return Ok(ServiceResponse::new(req, e.error_response()));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_refill() {
        let r = RateLimit::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(r.take(a).is_ok() && r.take(a).is_ok() && r.take(a).is_ok());
        let wait = r.take(a).unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        assert!(r.take(b).is_ok(), "another client has its own bucket");
    }
}
