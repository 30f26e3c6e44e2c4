//! Registration kind ids (SPEC 4).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a registration kind, e.g. `transfer_second_hand`: lowercase snake_case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KindId(String);

/// The ids of the 14 built-in kinds, in SPEC 4 order.
pub const BUILTIN_KIND_IDS: [&str; 14] = [
    "transfer_second_hand",
    "transfer_new_commercial",
    "first_registration",
    "first_registration_homestead",
    "change",
    "mortgage",
    "mortgage_cancellation",
    "cancellation",
    "seizure",
    "seizure_release",
    "information_query",
    "correction",
    "objection",
    "advance_notice",
];

/// Whether `text` is a stable id: 1–64 characters of `a-z`, `0-9` and `_`, starting with a
/// letter.
pub fn is_snake_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl KindId {
    /// Parses a kind id: 1–64 characters of `a-z`, `0-9` and `_`, starting with a letter.
    ///
    /// # Errors
    /// A message saying why the text is not an id.
    pub fn parse(text: &str) -> Result<Self, String> {
        if is_snake_id(text) {
            Ok(KindId(text.to_owned()))
        } else {
            Err(format!("`{text}` is not a kind id (lowercase letters, digits and `_`, starting with a letter)"))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ids of the built-in kinds.
    pub fn builtin() -> Vec<KindId> {
        BUILTIN_KIND_IDS.iter().map(|k| KindId((*k).to_owned())).collect()
    }
}

impl TryFrom<String> for KindId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        KindId::parse(&value)
    }
}

impl From<KindId> for String {
    fn from(value: KindId) -> Self {
        value.0
    }
}

impl fmt::Display for KindId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}
