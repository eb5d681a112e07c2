//! What the worker has to do after a sync, reduced from everything pulled: each visit's
//! latest review decision (a returned visit is to be corrected, unless a correction is
//! already sealed) and each ticket's latest update (what to tell the household).

use std::collections::HashMap;

use chrono::NaiveDate;
use doorstep_contract::wire::{Decision, TicketState};

use crate::error::Result;
use crate::store::{tasks as kept, Store};

/// The decision that stands on one of this device's visits.
#[derive(Clone, PartialEq, Eq)]
pub struct ReviewTask {
    pub visit_id: String,
    pub decision: Decision,
    /// What to correct, or why it was rejected.
    pub comment: String,
    /// Unix seconds.
    pub at: i64,
    /// A correction of this visit is sealed on the device.
    pub corrected: bool,
}

impl ReviewTask {
    /// Returned and not corrected yet: work to do.
    pub fn to_do(&self) -> bool {
        self.decision == Decision::Return && !self.corrected
    }
}

/// Where a ticket this device raised stands now.
#[derive(Clone, PartialEq, Eq)]
pub struct TicketTask {
    pub ticket_id: String,
    pub visit_id: String,
    pub state: TicketState,
    /// What to tell the household.
    pub text: String,
    pub due: Option<NaiveDate>,
}

/// Every task, oldest first within each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tasks {
    pub reviews: Vec<ReviewTask>,
    pub tickets: Vec<TicketTask>,
}

/// Keeps the last of each key, in the order of those lasts.
fn latest<T, K: std::hash::Hash + Eq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut last: HashMap<K, usize> = HashMap::new();
    for (i, t) in items.iter().enumerate() {
        last.insert(key(t), i);
    }
    items
        .into_iter()
        .enumerate()
        .filter(|(i, t)| last.get(&key(t)) == Some(i))
        .map(|(_, t)| t)
        .collect()
}

pub(crate) fn tasks(store: &Store) -> Result<Tasks> {
    let corrected = crate::visit::corrected_visits(store)?;
    let reviews = latest(kept::decisions(store.conn(), store.keys())?, |d| {
        d.visit_id.clone()
    })
    .into_iter()
    .map(|d| ReviewTask {
        corrected: corrected.contains(&d.visit_id),
        visit_id: d.visit_id,
        decision: d.decision,
        comment: d.comment,
        at: d.at,
    })
    .collect();
    let tickets = latest(kept::tickets(store.conn(), store.keys())?, |t| {
        t.ticket_id.clone()
    })
    .into_iter()
    .map(|t| TicketTask {
        ticket_id: t.ticket_id,
        visit_id: t.visit_id,
        state: t.state,
        text: t.text,
        due: t.due,
    })
    .collect();
    Ok(Tasks { reviews, tickets })
}

// Comments and texts may name the household.
impl std::fmt::Debug for ReviewTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReviewTask")
            .field("visit_id", &self.visit_id)
            .field("decision", &self.decision)
            .field("corrected", &self.corrected)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TicketTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketTask")
            .field("ticket_id", &self.ticket_id)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::latest;

    #[test]
    fn the_last_of_each_key_stands_in_order() {
        let items = vec![("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)];
        assert_eq!(latest(items, |t| t.0), vec![("a", 3), ("c", 4), ("b", 5)]);
    }
}
