//! A roster row as a screen that is not the worker's own may show it: the name, the ID
//! number with its middle hidden, the village, the position, and each subsidy by name —
//! unless it is protected (orphans and children without support, HIV-related), whose name
//! never shows. The rule lives here so that no shell re-derives it.

use std::collections::BTreeMap;

use crate::geo::to_wgs84;
use crate::model::{mask_id_number, Datum, Enrolment, Location};

/// One subsidy line of a household.
#[derive(Clone, PartialEq, Eq)]
pub struct SubsidyLine {
    pub code: String,
    /// None for a protected subsidy: it is shown only as "protected".
    pub name: Option<String>,
    /// The amount due per payment, in fen.
    pub amount_fen: i64,
}

#[derive(Clone, PartialEq)]
pub struct Household {
    pub id: String,
    pub name: String,
    pub id_number_masked: String,
    pub village: String,
    /// WGS-84, when the roster gives a position.
    pub location: Option<(f64, f64)>,
    pub subsidies: Vec<SubsidyLine>,
}

impl Household {
    /// From a roster row's text fields (validated when imported; what cannot be read is left
    /// out rather than guessed).
    pub fn from_fields(fields: &BTreeMap<String, String>) -> Household {
        let get = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("");
        let location = match (get("lat").parse::<f64>(), get("lon").parse::<f64>()) {
            (Ok(lat), Ok(lon)) => Datum::parse(get("datum"))
                .and_then(|d| Location::new(lat, lon, d))
                .ok()
                .map(|l| to_wgs84(&l)),
            _ => None,
        };
        let subsidies = get("enrolments")
            .split(';')
            .filter_map(|raw| Enrolment::parse(raw).ok())
            .map(|e| SubsidyLine {
                name: (!e.protected).then_some(e.short_name),
                code: e.code,
                amount_fen: e.amount_fen,
            })
            .collect();
        Household {
            id: get("id").to_owned(),
            name: get("name").to_owned(),
            id_number_masked: mask_id_number(get("id_number")),
            village: get("village_code").to_owned(),
            location,
            subsidies,
        }
    }

    /// A subsidy's line by code.
    pub fn subsidy(&self, code: &str) -> Option<&SubsidyLine> {
        self.subsidies.iter().find(|s| s.code == code)
    }
}

// Personal: Debug shows the id only.
impl std::fmt::Debug for Household {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Household")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SubsidyLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubsidyLine")
            .field("protected", &self.name.is_none())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protected_subsidy_is_never_named_and_the_id_number_is_masked() {
        let fields: BTreeMap<String, String> = [
            ("id", "A1"),
            ("name", "王秀兰"),
            ("id_number", "41022519400312011X"),
            ("village_code", "410225100201"),
            ("lat", "34.8"),
            ("lon", "114.8"),
            (
                "enrolments",
                "GL01:高龄津贴:100:0;GE03:孤儿基本生活费:1200.5:1",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let h = Household::from_fields(&fields);
        assert_eq!(h.name, "王秀兰");
        assert!(!h.id_number_masked.contains("19400312"));
        assert_eq!(
            h.subsidy("GL01").and_then(|s| s.name.as_deref()),
            Some("高龄津贴")
        );
        assert_eq!(h.subsidy("GE03").map(|s| s.name.is_none()), Some(true));
        assert_eq!(h.subsidy("GE03").map(|s| s.amount_fen), Some(120_050));
        assert!(h.location.is_some());
        let debug = format!("{h:?}{:?}", h.subsidies);
        assert!(!debug.contains("孤儿") && !debug.contains("王秀兰"));
    }
}
