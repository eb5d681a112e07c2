//! Division names for pages and exports, from the division table (imported with
//! `doorstep admin import-divisions` or the demo): a village reads 城关镇 · 北街村 (its township,
//! then its own name), an area by its name. A code shows only where no name is known, and
//! then as a code, never dressed up as a name.

use std::collections::BTreeMap;

/// The names of the divisions of one supervisor's county, by 12-digit code, and the area
/// (a prefix) the lists of townships and villages keep to.
#[derive(Debug, Clone, Default)]
pub struct Places {
    names: BTreeMap<String, String>,
    area: String,
}

/// The division table's key for an area prefix: 6 (county) or 9 (township) digits padded
/// with zeros to 12.
fn key(code: &str) -> String {
    format!("{code:0<12}")
}

impl Places {
    /// `names` of the county's divisions (a township's area is named by its county and
    /// township, above it), listing only those under `area`.
    pub fn new(names: BTreeMap<String, String>, area: &str) -> Places {
        Places {
            names,
            area: area.to_owned(),
        }
    }

    #[cfg(test)]
    pub fn of(names: &[(&str, &str)], area: &str) -> Places {
        Places::new(
            names
                .iter()
                .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
                .collect(),
            area,
        )
    }

    /// A county's, township's or village's own name.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(&key(code)).map(String::as_str)
    }

    /// A village as people say it: township · village; the code where a name is missing.
    pub fn village(&self, code: &str) -> String {
        let own = self.name(code).unwrap_or(code);
        match code.get(..9).and_then(|t| self.name(t)) {
            Some(township) if code.len() == 12 && !code.ends_with("000") => {
                format!("{township} · {own}")
            }
            _ => own.to_owned(),
        }
    }

    /// The township a village lies in, by name (its code if unnamed).
    pub fn township_of(&self, village: &str) -> String {
        let t = village.get(..9).unwrap_or(village);
        self.name(t).unwrap_or(t).to_owned()
    }

    /// The supervisor's area by name: 兰考县, or 兰考县 城关镇 for a township.
    pub fn area(&self, area: &str) -> String {
        let mut parts = Vec::new();
        for len in [6, 9, 12] {
            if let Some(prefix) = area.get(..len) {
                parts.push(self.name(prefix).unwrap_or(prefix).to_owned());
            }
        }
        if parts.is_empty() {
            return area.to_owned();
        }
        parts.join(" ")
    }

    /// Townships under the area (9-digit prefixes), by code, with their names.
    pub fn townships(&self) -> Vec<(String, &str)> {
        self.names
            .iter()
            .filter(|(c, _)| c.starts_with(self.area.as_str()))
            .filter(|(c, _)| c.ends_with("000") && !c.ends_with("000000"))
            .map(|(c, n)| (c[..9].to_owned(), n.as_str()))
            .collect()
    }

    /// Villages under the area, by 12-digit code, with their names as [`Places::village`]
    /// gives them.
    pub fn villages(&self) -> Vec<(String, String)> {
        self.names
            .keys()
            .filter(|c| c.starts_with(self.area.as_str()) && !c.ends_with("000"))
            .map(|c| (c.clone(), self.village(c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANKAO: [(&str, &str); 5] = [
        ("410225000000", "兰考县"),
        ("410225100000", "城关镇"),
        ("410225100201", "北街村"),
        ("410225101000", "谷营镇"),
        ("410225101201", "谷东村"),
    ];

    fn lankao() -> Places {
        Places::of(&LANKAO[..3], "410225")
    }

    #[test]
    fn villages_read_township_then_village_and_areas_by_name() {
        let p = lankao();
        assert_eq!(p.village("410225100201"), "城关镇 · 北街村");
        assert_eq!(p.area("410225"), "兰考县");
        assert_eq!(p.area("410225100"), "兰考县 城关镇");
        assert_eq!(p.township_of("410225100201"), "城关镇");
        assert_eq!(p.townships(), vec![("410225100".to_owned(), "城关镇")]);
        assert_eq!(
            p.villages(),
            vec![("410225100201".to_owned(), "城关镇 · 北街村".to_owned())]
        );
    }

    #[test]
    fn a_township_is_named_under_its_county_and_lists_only_its_own() {
        let p = Places::of(&LANKAO, "410225101");
        assert_eq!(p.area("410225101"), "兰考县 谷营镇");
        assert_eq!(p.townships(), vec![("410225101".to_owned(), "谷营镇")]);
        assert_eq!(p.villages().len(), 1);
    }

    #[test]
    fn an_unnamed_division_shows_its_code() {
        let p = lankao();
        assert_eq!(p.village("410225100299"), "城关镇 · 410225100299");
        assert_eq!(p.village("410225999201"), "410225999201");
        assert_eq!(p.area("410226"), "410226");
    }
}
