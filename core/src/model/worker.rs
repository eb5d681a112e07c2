//! Field workers: the county and township staff who make the visits.

use serde::{Deserialize, Serialize};

use super::{DivisionCode, Phone};

/// A field worker as the device knows them after enrolment. `area` is the division-code prefix
/// (county or township) whose roster they visit.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    pub id: String,
    pub name: String,
    pub phone: Option<Phone>,
    pub area: String,
    pub home_village: Option<DivisionCode>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("id", &self.id)
            .field("area", &self.area)
            .finish_non_exhaustive()
    }
}
