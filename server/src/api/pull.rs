//! What devices pull since a cursor: the roster of their area (with the checklist template
//! and the policy), and review decisions on their visits.

use axum::extract::{Query, State};
use axum::Json;
use doorstep_core::model::ChecklistTemplate;
use doorstep_core::policy::Policy;
use serde::{Deserialize, Serialize};

use super::auth::Signed;
use super::{blocking, AppState};
use crate::error::ApiError;
use crate::storage::{DecisionOut, TicketUpdate};

/// Rows or decisions per response; a device asks again with the returned cursor.
const PAGE: usize = 500;

#[derive(Deserialize)]
pub struct Since {
    #[serde(default)]
    since: i64,
}

#[derive(Serialize)]
pub struct RosterPage {
    cursor: i64,
    /// Whether more rows wait after `cursor`.
    more: bool,
    rows: Vec<serde_json::Value>,
    template: ChecklistTemplate,
    policy: Policy,
}

pub async fn roster(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<RosterPage>, ApiError> {
    let device = signed.device;
    let area = device.area.clone();
    let (rows, cursor) = blocking(&state, move |s| s.roster_since(&area, q.since, PAGE)).await?;
    Ok(Json(RosterPage {
        cursor,
        more: rows.len() == PAGE,
        rows: rows
            .into_iter()
            .map(|r| serde_json::Value::Object(r.fields))
            .collect(),
        template: ChecklistTemplate::builtin(),
        policy: Policy::default(),
    }))
}

#[derive(Serialize)]
pub struct DecisionPage {
    cursor: i64,
    more: bool,
    decisions: Vec<DecisionOut>,
}

pub async fn decisions(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<DecisionPage>, ApiError> {
    let device = signed.device;
    let decisions = blocking(&state, move |s| {
        s.decisions_since(&device.id, q.since, PAGE)
    })
    .await?;
    Ok(Json(DecisionPage {
        cursor: decisions.last().map_or(q.since, |d| d.cursor),
        more: decisions.len() == PAGE,
        decisions,
    }))
}

#[derive(Serialize)]
pub struct TicketPage {
    cursor: i64,
    more: bool,
    updates: Vec<TicketUpdate>,
}

/// Where the tickets this device raised stand in the ledger, changed since a cursor.
pub async fn tickets(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<TicketPage>, ApiError> {
    let device = signed.device;
    let updates = blocking(&state, move |s| s.ticket_updates(&device.id, q.since, PAGE)).await?;
    Ok(Json(TicketPage {
        cursor: updates.last().map_or(q.since, |u| u.cursor),
        more: updates.len() == PAGE,
        updates,
    }))
}
