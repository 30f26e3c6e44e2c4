//! Applicant categories: the category selects the policy's promise clock.

use serde::{Deserialize, Serialize};

/// Who applies: individuals carry resident ID numbers, organisations unified social credit
/// codes. Individuals are promised 3 working days, organisations 5 (2018 policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantCategory {
    /// Natural persons (个人).
    Individual,
    /// Organisations and enterprises (单位/企业).
    Organisation,
}

impl ApplicantCategory {
    /// Both categories, in a fixed order.
    pub const ALL: [ApplicantCategory; 2] = [Self::Individual, Self::Organisation];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Organisation => "organisation",
        }
    }
}

crate::ids::stable_id_enum!(ApplicantCategory, "applicant category");
