//! The shapes shared by regflow's identifiers: stable snake_case enum ids and string ids.

/// Implements `Display` (the stable id, padded) and `FromStr` (refusing an unknown id with
/// the list of known ones) for an enum with `ALL` and `as_str`.
macro_rules! stable_id_enum {
    ($ty:ident, $what:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
                    let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!(concat!("unknown ", $what, " `{}` (expected one of: {})"), s, known.join(", "))
                })
            }
        }
    };
}

/// Implements `new`, `as_str` and `Display` for a newtype over `String`.
macro_rules! string_id {
    ($ty:ident) => {
        impl $ty {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                $ty(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }
    };
}

pub(crate) use {stable_id_enum, string_id};
