//! Roster tests against a real store: shared fixtures here, one module per part.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::error::Error;
use crate::model::{Category, Invalid};
use crate::store::{policy, recipients, reveal_log};
use crate::testing::{id_number, temp_store, today};
use doorstep_contract::roster::{RosterFault, RowProblem};

pub(super) const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

pub(super) fn row(
    id: &str,
    name: &str,
    idn: &str,
    cats: &str,
    lat_lon: &str,
    last: &str,
) -> String {
    let (lat, lon) = lat_lon.split_once(' ').unwrap_or(("", ""));
    format!(
        "{id},{name},{idn},,,{cats},410225100201,兰考县某村,{lat},{lon},,13800000001,,,,GL01:高龄津贴:100:0,active,{last}"
    )
}

pub(super) fn csv(rows: &[String]) -> Vec<u8> {
    format!("{HEADER}\n{}\n", rows.join("\n")).into_bytes()
}

pub(super) fn import_csv(
    store: &mut crate::store::Store,
    rows: &[String],
    skip: bool,
) -> crate::Result<ImportReport> {
    import(
        store,
        &csv(rows),
        RosterFormat::Csv,
        ImportOptions { skip_invalid: skip },
        today(),
    )
}

mod detail;
mod import;
mod query;
