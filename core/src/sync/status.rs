//! Where the device stands with its server, for the sync screen: enrolled or not, for whom,
//! when it last synced, how many sealed visits wait to go up, how far its clock is off.

use crate::error::Result;
use crate::store::{sync_state, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceStatus {
    pub enrolled: bool,
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub worker: Option<String>,
    pub area: Option<String>,
    /// Unix seconds of the last sync that went all the way.
    pub last_sync_at: Option<i64>,
    /// Sealed visits the server has not confirmed holding.
    pub unsent: u64,
    /// Drafts still being recorded.
    pub drafts: u64,
    /// Server time minus device time at the last sync, in seconds.
    pub clock_skew_secs: Option<i64>,
}

pub(crate) fn status(store: &Store) -> Result<DeviceStatus> {
    let unsent = sync_state::unsent(store.conn())?.len() as u64;
    let drafts = crate::store::visits::list(store.conn())?
        .iter()
        .filter(|v| !v.sealed)
        .count() as u64;
    Ok(match sync_state::get(store.conn())? {
        None => DeviceStatus {
            unsent,
            drafts,
            ..DeviceStatus::default()
        },
        Some(s) => DeviceStatus {
            enrolled: true,
            server: Some(s.server),
            device_id: Some(s.device_id),
            worker: Some(s.worker).filter(|w| !w.is_empty()),
            area: Some(s.area),
            last_sync_at: s.last_sync_at,
            unsent,
            drafts,
            clock_skew_secs: s.clock_skew_secs,
        },
    })
}
