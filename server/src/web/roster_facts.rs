//! The roster as the dashboard and the coverage report count it: for each recipient of an
//! area only its village, categories, the roster's last-visit date and position — nothing
//! that names a person. Reading and checking a county's rows takes long (20,000 rows about
//! 100 ms), so the facts are kept in memory per area and read again only when the county's
//! roster changed (its row count or newest version, one indexed query) or the day did (a
//! birthday moves a person into a category).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use doorstep_contract::model::Category;
use doorstep_contract::roster::{to_recipient, RawRow};

use crate::storage::{Result, Storage};

/// One recipient, without a name. (No `Debug`: a household's position is personal.)
#[derive(Clone, PartialEq)]
pub struct Fact {
    pub id: String,
    pub village: String,
    pub categories: Vec<Category>,
    /// The last visit the roster knew of when imported.
    pub roster_last_visit: Option<NaiveDate>,
    /// Where the household lives (WGS-84), when the roster gives it.
    pub position: Option<(f64, f64)>,
}

impl std::fmt::Debug for Fact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fact")
            .field("village", &self.village)
            .field("categories", &self.categories)
            .finish_non_exhaustive()
    }
}

struct Kept {
    stamp: ((i64, i64), NaiveDate),
    facts: Arc<Vec<Fact>>,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("stamp", &self.stamp)
            .field("recipients", &self.facts.len())
            .finish()
    }
}

/// Facts by area, as last read.
#[derive(Debug, Default)]
pub struct RosterFacts {
    areas: Mutex<HashMap<String, Kept>>,
}

/// Recipients whose facts are kept at once, over all areas (about 150 bytes each: some
/// 300 MB at most, a province's busiest counties); past it, the others go before a new
/// area's are kept.
const FACTS_KEPT: usize = 2_000_000;

impl RosterFacts {
    /// The area's recipients as of `today`.
    pub async fn of(
        &self,
        s: &dyn Storage,
        area: &str,
        today: NaiveDate,
    ) -> Result<Arc<Vec<Fact>>> {
        let stamp = (s.roster_stamp(area).await?, today);
        if let Some(k) = self.lock().get(area).filter(|k| k.stamp == stamp) {
            return Ok(k.facts.clone());
        }
        let (rows, _) = s.roster_since(area, 0, usize::MAX >> 1).await?;
        let facts: Vec<Fact> = rows
            .into_iter()
            .filter_map(|row| {
                let village = row.village.clone();
                let fields = row.fields.into_iter().collect();
                // A row the roster import accepted checks again; one that no longer does (a
                // rule changed) is left out of the counts rather than counted wrongly.
                let r = to_recipient(&RawRow { line: 0, fields }, today).ok()?;
                Some(Fact {
                    id: r.id,
                    village,
                    categories: r.categories,
                    roster_last_visit: r.last_visit,
                    position: r.location.map(|l| (l.lat, l.lon)),
                })
            })
            .collect();
        let facts = Arc::new(facts);
        let mut areas = self.lock();
        let kept: usize = areas.values().map(|k| k.facts.len()).sum();
        if kept + facts.len() > FACTS_KEPT {
            areas.clear();
        }
        areas.insert(
            area.to_owned(),
            Kept {
                stamp,
                facts: facts.clone(),
            },
        );
        Ok(facts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        // The map holds plain values: a panic elsewhere cannot leave it half-changed.
        self.areas
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
