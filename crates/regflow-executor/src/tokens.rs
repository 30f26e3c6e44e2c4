//! Bearer tokens of the service (SPEC 10): each is bound to one actor of one centre —
//! staff or a channel system with its roles, or one applicant by a verified ID number.
//!
//! A token reads `rft_<id>_<secret>`: `id` is public (listed, revoked by), the secret 244
//! random bits. Only the SHA-256 of the whole token is stored and compared, in constant
//! time. A revoked token is refused from the next request on: nothing is cached.

use chrono::{DateTime, Utc};
use regflow_process::{Actor, CentreId, ErrorCode, PartyId, Refusal, Role};

use crate::chain::digest;
use crate::clock::{from_micros, micros};
use crate::error::{Error, Result};
use crate::store::Database;
use crate::store::TokenRow;

const PREFIX: &str = "rft_";

/// A token as listed: who it speaks for, never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The public id (the part after `rft_`).
    pub id: String,
    /// The actor the token speaks for.
    pub actor: Actor,
    /// The applicant's name, for an applicant's token.
    pub name: Option<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly issued token with its secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The stored part.
    pub token: Token,
    /// The whole bearer token, `rft_<id>_<secret>`.
    pub secret: String,
}

/// The SHA-256 of a bearer token as stored: what to key a cache of checked tokens by.
pub fn fingerprint(bearer: &str) -> String {
    digest(bearer)
}

fn hex_random(bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes * 2 {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(bytes * 2);
    out
}

/// Equal strings, compared in time that depends only on their lengths.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_of(row: TokenRow) -> Result<Token> {
    let centre = CentreId::new(row.centre);
    let roles = row
        .roles
        .split(',')
        .map(|r| r.parse::<Role>().map_err(|e| Error::Corrupt(format!("token {}: {e}", row.id))))
        .collect::<Result<Vec<_>>>()?;
    let actor = if roles == [Role::Applicant] {
        Actor::applicant(row.actor, centre)
    } else {
        Actor::new(row.actor, roles, centre)
    };
    Ok(Token {
        id: row.id,
        actor,
        name: row.name,
        created_at: from_micros(row.created_at),
        revoked_at: row.revoked_at.map(from_micros),
    })
}

fn invalid(field: &str, message: String) -> Error {
    Refusal::argument(field, message).into()
}

/// Checks that `actor` can hold a token: staff and channel systems have roles other than
/// `applicant` and `system`; an applicant acts by a valid ID number or credit code.
fn check_holder(actor: &Actor) -> Result<()> {
    if actor.centre().as_str().trim().is_empty() {
        return Err(invalid("centre", "`centre` is empty: name the centre".into()));
    }
    if actor.has(Role::System) {
        return Err(invalid("role", "`system` is the engine's own role; no token speaks for it".into()));
    }
    if actor.has(Role::Applicant) {
        if actor.roles().len() > 1 {
            return Err(invalid(
                "role",
                "an applicant's token holds no staff role: issue a separate staff token".into(),
            ));
        }
        let id = actor.id().as_str();
        if let Err(why) = PartyId::parse_any(id) {
            return Err(Refusal::new(ErrorCode::InvalidIdentifier, format!("applicant: {why}")).into());
        }
    } else if actor.roles().is_empty() {
        return Err(invalid("role", "a staff token needs at least one role".into()));
    } else if actor.id().as_str().trim().is_empty() || actor.id().as_str().contains(',') {
        return Err(invalid("actor", "`actor` must be a non-empty id without commas".into()));
    }
    Ok(())
}

impl Database {
    /// Issues a token for `actor` (an applicant's with their `name`) at `now`.
    ///
    /// # Errors
    /// `invalid_argument` or `invalid_identifier` when the actor cannot hold a token (see
    /// the module docs); [`Error::Database`] when it cannot be stored.
    pub async fn issue_token(&self, actor: &Actor, name: Option<&str>, now: DateTime<Utc>) -> Result<IssuedToken> {
        check_holder(actor)?;
        let id = hex_random(6);
        let secret = format!("{PREFIX}{id}_{}", hex_random(31));
        let roles: Vec<&str> = actor.roles().iter().map(|r| r.as_str()).collect();
        let row = TokenRow {
            id,
            hash: digest(&secret),
            centre: actor.centre().to_string(),
            actor: actor.id().to_string(),
            roles: roles.join(","),
            name: name.map(str::to_owned),
            created_at: micros(now),
            revoked_at: None,
        };
        self.acquire().await?.conn().token_insert(&row).await?;
        Ok(IssuedToken { token: token_of(row)?, secret })
    }

    /// The live token `bearer` is, or `None` when it is malformed, unknown or revoked.
    ///
    /// # Errors
    /// [`Error::Database`] when the tokens cannot be read.
    pub async fn authenticate(&self, bearer: &str) -> Result<Option<Token>> {
        let Some(id) = bearer.strip_prefix(PREFIX).and_then(|rest| rest.split('_').next()) else {
            return Ok(None);
        };
        let Some(row) = self.acquire().await?.conn().token_get(id).await? else {
            return Ok(None);
        };
        if !constant_time_eq(&digest(bearer), &row.hash) || row.revoked_at.is_some() {
            return Ok(None);
        }
        token_of(row).map(Some)
    }

    /// The live token with public id `id` (for a session that remembers only the id), or
    /// `None` when there is none or it was revoked.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn live_token(&self, id: &str) -> Result<Option<Token>> {
        match self.acquire().await?.conn().token_get(id).await? {
            Some(row) if row.revoked_at.is_none() => token_of(row).map(Some),
            _ => Ok(None),
        }
    }

    /// Revokes token `id` at `now`; `false` when there is no live token of that id.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn revoke_token(&self, id: &str, now: DateTime<Utc>) -> Result<bool> {
        self.acquire().await?.conn().token_revoke(id, micros(now)).await
    }

    /// Every token issued, revoked ones included, oldest first.
    ///
    /// # Errors
    /// [`Error::Database`]; [`Error::Corrupt`] for a stored role that is not one.
    pub async fn tokens(&self) -> Result<Vec<Token>> {
        let rows = self.acquire().await?.conn().token_list().await?;
        rows.into_iter().map(token_of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert_eq!(hex_random(31).len(), 62);
    }

    #[test]
    fn holders_are_checked() {
        let c = CentreId::new("xining");
        assert!(check_holder(&Actor::new("clerk-1", [Role::Clerk], c.clone())).is_ok());
        assert!(check_holder(&Actor::applicant("630102198503120015", c.clone())).is_ok());
        assert!(check_holder(&Actor::applicant("91630100MA7512347R", c.clone())).is_ok());
        assert!(check_holder(&Actor::applicant("630102198503120016", c.clone())).is_err());
        assert!(check_holder(&Actor::system(c.clone())).is_err());
        assert!(check_holder(&Actor::new("x", [], c)).is_err());
    }
}
