//! Where a case comes in, and how urgent it is.

use serde::{Deserialize, Serialize};

use crate::actor::Role;

/// The channel a case is opened on (SPEC 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The one window (一窗受理).
    Window,
    /// The online portal: apply, pre-review, then one visit (最多跑一次).
    Online,
    /// A bank branch: mortgages and mortgage cancellations.
    Bank,
    /// A self-service kiosk: information queries.
    Kiosk,
    /// A home visit by appointment (预约上门).
    HomeVisit,
    /// A court's commission (依嘱托): seizures and releases.
    Court,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 6] =
        [Channel::Window, Channel::Online, Channel::Bank, Channel::Kiosk, Channel::HomeVisit, Channel::Court];

    /// The channels every kind may be opened on.
    pub const GENERAL: [Channel; 3] = [Channel::Window, Channel::Online, Channel::HomeVisit];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Window => "window",
            Channel::Online => "online",
            Channel::Bank => "bank",
            Channel::Kiosk => "kiosk",
            Channel::HomeVisit => "home_visit",
            Channel::Court => "court",
        }
    }

    /// The role that accepts on this channel.
    pub const fn serving_role(self) -> Role {
        match self {
            Channel::Window | Channel::Online | Channel::HomeVisit => Role::Clerk,
            Channel::Bank => Role::Bank,
            Channel::Kiosk => Role::Kiosk,
            Channel::Court => Role::Court,
        }
    }
}

/// Queue priority: green channel and military cases come before standard ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// The elderly, sick, disabled and pregnant (绿色通道).
    GreenChannel,
    /// Military personnel (军人优先).
    Military,
    /// Everyone else.
    Standard,
}

impl Priority {
    /// Every priority.
    pub const ALL: [Priority; 3] = [Priority::GreenChannel, Priority::Military, Priority::Standard];

    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::GreenChannel => "green_channel",
            Priority::Military => "military",
            Priority::Standard => "standard",
        }
    }

    /// The queue class: 0 for green channel and military, 1 for standard.
    pub const fn class(self) -> u8 {
        match self {
            Priority::GreenChannel | Priority::Military => 0,
            Priority::Standard => 1,
        }
    }
}

crate::ids::stable_id_enum!(Channel, "channel");

crate::ids::stable_id_enum!(Priority, "priority");
