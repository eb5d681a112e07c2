//! The supervisors' web app, served by `doorstep serve` beside the device API:
//! server-rendered HTML with no script, Simplified Chinese first with an English switch.
//! Every page is scoped to the supervisor's area: anything elsewhere is "not found".

// Handlers return early with a ready response (a redirect to login, a 403 page): axum's
// `Response` in the error variant is the idiom, and it is built once per request.
#![allow(clippy::result_large_err)]

mod admin;
mod cells;
mod charts;
mod checklist;
mod coverage;
mod dashboard;
mod layout;
mod ledger_export;
mod local;
mod map;
mod people;
mod places;
mod policy;
mod queue;
mod report;
mod roster_facts;
mod session;
mod tickets;
mod visit;

use axum::routing::{get, post};
use axum::Router;

use crate::api::AppState;
pub use local::Zone;
pub use roster_facts::RosterFacts;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang", get(layout::switch_lang))
        .route("/queue", get(queue::queue))
        .route("/visits/{id}", get(visit::show))
        .route("/visits/{id}/decide", post(visit::decide))
        .route("/media/{sha}", get(visit::media))
        .route("/tickets", get(tickets::ledger))
        .route("/coverage", get(coverage::coverage))
        .route("/admin", get(admin::show))
        .route("/policy", get(policy::show).post(policy::issue))
        .route("/checklist", get(checklist::show).post(checklist::issue))
        .route("/people", get(people::show))
        .route("/people/change", post(people::change))
        .route("/people/add", post(people::add))
        .route("/people/own", post(people::own))
        .route("/admin/code", post(admin::issue_code))
        .route("/admin/revoke", post(admin::revoke))
        .route("/admin/roster", post(admin::import_roster))
        .route("/tickets/{id}/advance", post(tickets::advance_ticket))
        .with_state(state)
}
