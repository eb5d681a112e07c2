//! What devices pull since a cursor: the roster of their area with its division names, the
//! checklist template and the policy in force there; review decisions on their visits;
//! updates on the tickets they raised.

use axum::extract::{Query, State};
use axum::Json;
use doorstep_contract::wire::{DecisionPage, RosterPage, RosterRow, TicketPage};
use serde::Deserialize;

use super::auth::Signed;
use super::{stored, AppState};
use crate::error::ApiError;

/// Rows or decisions per response; a device asks again with the returned cursor.
const PAGE: usize = 500;

#[derive(Deserialize)]
pub struct Since {
    #[serde(default)]
    since: i64,
}

pub async fn roster(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<RosterPage>, ApiError> {
    let device = signed.device;
    let area = device.area.clone();
    let page = stored(&state, move |s| async move {
        let (rows, rows_top) = s.roster_since(&area, q.since, PAGE).await?;
        let more = rows.len() == PAGE;
        // Division names share the roster's cursor: those up to this page's last row, and on
        // the last page every one changed since.
        let upto = if more { rows_top } else { i64::MAX };
        let (divisions, names_top) = s.divisions_between(&area, q.since, upto).await?;
        Ok(RosterPage {
            cursor: rows_top.max(names_top),
            more,
            rows: rows.into_iter().map(|r| RosterRow(r.fields)).collect(),
            divisions,
            template: s.checklist(&area).await?,
            policy: s.policy(&area).await?,
        })
    })
    .await?;
    Ok(Json(page))
}

pub async fn decisions(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<DecisionPage>, ApiError> {
    let device = signed.device;
    let decisions = stored(&state, move |s| async move {
        s.decisions_since(&device.id, q.since, PAGE).await
    })
    .await?;
    Ok(Json(DecisionPage {
        cursor: decisions.last().map_or(q.since, |d| d.cursor),
        more: decisions.len() == PAGE,
        decisions,
    }))
}

/// Where the tickets this device raised stand in the ledger, changed since a cursor.
pub async fn tickets(
    State(state): State<AppState>,
    Query(q): Query<Since>,
    signed: Signed,
) -> Result<Json<TicketPage>, ApiError> {
    let device = signed.device;
    let updates = stored(&state, move |s| async move {
        s.ticket_updates(&device.id, q.since, PAGE).await
    })
    .await?;
    Ok(Json(TicketPage {
        cursor: updates.last().map_or(q.since, |u| u.cursor),
        more: updates.len() == PAGE,
        updates,
    }))
}
