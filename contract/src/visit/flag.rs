//! Visit authenticity flags: what about a visit's evidence deserves a supervisor's look, with
//! the measurement behind it. The device raises [`Flag`]s as the worker goes (they travel in
//! the sealed record); the server adds the [`ServerFlag`]s only it can see, because only it
//! sees every device. None refuses a record.

use serde::{Deserialize, Serialize};

/// A flag the device raised. Internally tagged: `{"flag": "too_far", "distance_m": .., ..}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// No position was recorded at all.
    NoLocation,
    /// Even the accuracy circle's nearest edge is outside the household's geofence.
    TooFar {
        distance_m: u32,
        accuracy_m: u32,
    },
    MockLocation,
    Inaccurate {
        accuracy_m: u32,
    },
    /// The best fix was taken well before the visit began.
    FixTooOld {
        minutes: i64,
    },
    /// Shorter than the policy's minimum for its outcome.
    TooShort {
        minutes: i64,
    },
    /// From the previous visit's end to this one's start faster than anyone travels.
    ImpossibleSpeed {
        kmh: u32,
    },
    /// The same spot was recorded for another household lately.
    SameSpotOtherHousehold,
    /// The device clock disagreed with the satellites' time.
    ClockSkew {
        seconds: i64,
    },
    /// A photo (near-)identical to one in another visit.
    PhotoReused,
}

/// A flag only the server can raise, across devices; kept beside the record, never in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerFlag {
    /// Another device recorded another household at the same spot lately.
    SameSpotOtherDevice,
    /// A photo (near-)identical to one in another device's visit.
    PhotoReusedOtherDevice,
}

impl ServerFlag {
    pub const ALL: [ServerFlag; 2] = [
        ServerFlag::SameSpotOtherDevice,
        ServerFlag::PhotoReusedOtherDevice,
    ];

    /// The stored and filtered name.
    pub fn code(self) -> &'static str {
        match self {
            ServerFlag::SameSpotOtherDevice => "same_spot_other_device",
            ServerFlag::PhotoReusedOtherDevice => "photo_reused_other_device",
        }
    }

    pub fn parse(code: &str) -> Option<ServerFlag> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

impl Flag {
    /// The kind's name, as the record's `flag` tag and the queue's filter say it.
    pub fn code(&self) -> &'static str {
        match self {
            Flag::NoLocation => "no_location",
            Flag::TooFar { .. } => "too_far",
            Flag::MockLocation => "mock_location",
            Flag::Inaccurate { .. } => "inaccurate",
            Flag::FixTooOld { .. } => "fix_too_old",
            Flag::TooShort { .. } => "too_short",
            Flag::ImpossibleSpeed { .. } => "impossible_speed",
            Flag::SameSpotOtherHousehold => "same_spot_other_household",
            Flag::ClockSkew { .. } => "clock_skew",
            Flag::PhotoReused => "photo_reused",
        }
    }

    /// Every kind's name, in the order a filter lists them.
    pub const CODES: [&'static str; 10] = [
        "too_far",
        "mock_location",
        "too_short",
        "photo_reused",
        "same_spot_other_household",
        "impossible_speed",
        "inaccurate",
        "no_location",
        "fix_too_old",
        "clock_skew",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_the_records_tag() {
        let all = [
            Flag::NoLocation,
            Flag::TooFar {
                distance_m: 1,
                accuracy_m: 1,
            },
            Flag::MockLocation,
            Flag::Inaccurate { accuracy_m: 1 },
            Flag::FixTooOld { minutes: 1 },
            Flag::TooShort { minutes: 1 },
            Flag::ImpossibleSpeed { kmh: 1 },
            Flag::SameSpotOtherHousehold,
            Flag::ClockSkew { seconds: 1 },
            Flag::PhotoReused,
        ];
        for f in &all {
            let v = serde_json::to_value(f).expect("serialise");
            assert_eq!(v["flag"], f.code());
            assert!(Flag::CODES.contains(&f.code()));
            assert_eq!(&serde_json::from_value::<Flag>(v).expect("back"), f);
        }
        assert_eq!(all.len(), Flag::CODES.len());
        for s in ServerFlag::ALL {
            assert_eq!(ServerFlag::parse(s.code()), Some(s));
        }
    }
}
