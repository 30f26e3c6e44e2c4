//! Who is looking at a page, and proof that a form came from one of ours.
//!
//! A session is a cookie `regflow_session=ID.EXPIRES.SIG`: the public id of the token the
//! person signed in with, an expiry, and the HMAC-SHA256 of both under the service's key —
//! HttpOnly, SameSite=Strict. Each request looks the token up again (through the token
//! cache), so a revoked token ends its sessions. Forms carry a CSRF field: the HMAC of a
//! random `regflow_csrf` cookie (double submit, signed), checked on every POST.

use axum::http::{header, HeaderMap};
use hmac::{Hmac, Mac};
use regflow_executor::Token;
use sha2::Sha256;

use crate::problem::Problem;
use crate::AppState;

const SESSION: &str = "regflow_session";
const CSRF: &str = "regflow_csrf";
/// How long a sign-in lasts.
const SESSION_SECS: i64 = 8 * 3600;

/// The service's signing key for sessions and forms (random at start: signing in again
/// after a restart is the price of never storing it).
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A fresh random key.
    pub fn random() -> Key {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Key(key)
    }

    fn sign(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name`, if the request has it.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// What a page knows about its request: the signed-in token (if any), the CSRF value to
/// put in forms, and cookies to set.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The signed-in person's token.
    pub token: Option<Token>,
    /// The form field every POST must carry.
    pub csrf: String,
    /// `Set-Cookie` values for the answer.
    pub set_cookies: Vec<String>,
}

impl Visit {
    /// Reads the cookies of a request.
    ///
    /// # Errors
    /// A 503 problem when the token cannot be looked up.
    pub async fn of(state: &AppState, headers: &HeaderMap) -> Result<Visit, Problem> {
        let mut set_cookies = Vec::new();
        let raw = match cookie(headers, CSRF).filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit())) {
            Some(c) => c.to_owned(),
            None => {
                let fresh = state.session_key.sign(&uuid::Uuid::new_v4().to_string());
                set_cookies.push(format!("{CSRF}={fresh}; Path=/; HttpOnly; SameSite=Strict"));
                fresh
            }
        };
        let csrf = state.session_key.sign(&format!("csrf:{raw}"));
        let token = match cookie(headers, SESSION).and_then(|v| Self::session_id(state, v)) {
            Some(id) => state.engine.database().live_token(&id).await?,
            None => None,
        };
        Ok(Visit { token, csrf, set_cookies })
    }

    fn session_id(state: &AppState, value: &str) -> Option<String> {
        let (body, sig) = value.rsplit_once('.')?;
        let (id, expires) = body.split_once('.')?;
        let expires: i64 = expires.parse().ok()?;
        let fresh = expires > chrono::Utc::now().timestamp();
        (fresh && equal(sig, &state.session_key.sign(&format!("session:{body}")))).then(|| id.to_owned())
    }

    /// Whether `field`, the CSRF field of a posted form, belongs to this visitor.
    pub fn csrf_ok(&self, field: Option<&str>) -> bool {
        field.is_some_and(|f| equal(f, &self.csrf))
    }

    /// A cookie that signs in the token with public id `id`.
    pub fn sign_in(state: &AppState, id: &str) -> String {
        let body = format!("{id}.{}", chrono::Utc::now().timestamp() + SESSION_SECS);
        let sig = state.session_key.sign(&format!("session:{body}"));
        format!("{SESSION}={body}.{sig}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}")
    }

    /// A cookie that signs out.
    pub fn sign_out() -> String {
        format!("{SESSION}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; regflow_csrf=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "regflow_csrf"), Some("abc"));
        assert_eq!(cookie(&h, "regflow_session"), None);
    }

    #[test]
    fn signatures_depend_on_the_key() {
        let (a, b) = (Key::random(), Key::random());
        assert_ne!(a.sign("x"), b.sign("x"));
        assert_eq!(a.sign("x"), a.sign("x"));
        assert!(equal(&a.sign("x"), &a.sign("x")));
        assert!(!equal(&a.sign("x"), &a.sign("y")));
    }
}
