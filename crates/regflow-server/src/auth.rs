//! Who is calling (SPEC 10): the bearer token names the actor, never the body; each token
//! has its own request rate.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use regflow_executor::Token;
use regflow_process::Actor;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::problem::Problem;
use crate::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's public id.
    pub token_id: String,
    /// The actor it speaks for.
    pub actor: Actor,
    /// An applicant's name.
    pub name: Option<String>,
}

/// Per-token token buckets: up to a tenth of a minute's requests at once, refilled evenly.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per token.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let capacity = f64::from((self.per_minute / 10).max(1));
        let per_second = f64::from(self.per_minute) / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_second).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// Tokens checked recently, by the SHA-256 of the bearer: trusted for the configured
/// time, then looked up again (so a revocation takes effect within it). Only live tokens
/// enter, so its size is bounded by the tokens issued.
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Token, Instant)>>,
}

impl TokenCache {
    fn get(&self, key: &str, ttl: Duration) -> Option<Token> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(_, at)| at.elapsed() < ttl).map(|(t, _)| t.clone())
    }

    fn put(&self, key: String, token: Token, ttl: Duration) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= 10_000 {
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        entries.insert(key, (token, Instant::now()));
    }
}

async fn authenticate(state: &AppState, bearer: &str) -> Result<Option<Token>, Problem> {
    let ttl = Duration::from_millis(state.limits.token_cache_ms);
    if ttl.is_zero() {
        return Ok(state.engine.database().authenticate(bearer).await?);
    }
    let key = regflow_executor::tokens::fingerprint(bearer);
    if let Some(token) = state.tokens.get(&key, ttl) {
        return Ok(Some(token));
    }
    let found = state.engine.database().authenticate(bearer).await?;
    if let Some(token) = &found {
        state.tokens.put(key, token.clone(), ttl);
    }
    Ok(found)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(Problem::unauthorized)?;
        let Token { id, actor, name, .. } = authenticate(state, bearer).await?.ok_or_else(Problem::unauthorized)?;
        if let Err(wait) = state.rates.take(&id) {
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("this token is over its rate; retry in {wait} s"),
            );
            p.extra.insert("retry_after".into(), serde_json::json!(wait));
            return Err(p);
        }
        if state.engine.centre(actor.centre()).is_none() {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "wrong_centre",
                format!(
                    "centre `{}` is not served by this service; restart `regflow serve` to add a centre named by a new token",
                    actor.centre()
                ),
            ));
        }
        Ok(Caller { token_id: id, actor, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_empty_and_keys_are_separate() {
        let limiter = RateLimiter::new(60);
        for _ in 0..6 {
            assert!(limiter.take("a").is_ok());
        }
        assert!(limiter.take("a").is_err());
        assert!(limiter.take("b").is_ok());
    }
}
