//! Enrolled devices remembered in memory after their first signed request: a device's key,
//! worker and area never change once it is enrolled, so a request need not fetch them again
//! (on PostgreSQL that was a pool checkout and a round trip per request). Revocation does
//! change; it is judged where each request's signature is noted, in the database, so a
//! device revoked through another server process is refused here too.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::storage::Device;

/// Beyond this many devices the memory is emptied and fills again: a province's devices fit
/// many times over, and a flood of made-up ids cannot grow it (only enrolled ones enter).
const MAX_KNOWN: usize = 200_000;

#[derive(Debug, Default)]
pub struct KnownDevices {
    devices: RwLock<HashMap<String, Device>>,
}

impl KnownDevices {
    /// The device as enrolled, if remembered. (Its `revoked` is as it was when first looked
    /// up: the storage judges revocation.)
    pub fn get(&self, id: &str) -> Option<Device> {
        let devices = self.devices.read().unwrap_or_else(|p| p.into_inner());
        devices.get(id).cloned()
    }

    /// Remembers a device that was not revoked when looked up.
    pub fn remember(&self, device: &Device) {
        if device.revoked {
            return;
        }
        let mut devices = self.devices.write().unwrap_or_else(|p| p.into_inner());
        if devices.len() >= MAX_KNOWN {
            devices.clear();
        }
        devices.insert(device.id.clone(), device.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, revoked: bool) -> Device {
        Device {
            id: id.into(),
            public_key: vec![7; 32],
            worker: "w".into(),
            area: "410225".into(),
            revoked,
        }
    }

    #[test]
    fn remembers_live_devices_only() {
        let known = KnownDevices::default();
        known.remember(&device("D1", false));
        known.remember(&device("D2", true));
        assert_eq!(known.get("D1").map(|d| d.public_key), Some(vec![7; 32]));
        assert!(
            known.get("D2").is_none(),
            "a revoked device is looked up each time"
        );
        assert!(known.get("D3").is_none());
    }

    #[test]
    fn bounded() {
        let known = KnownDevices::default();
        for i in 0..MAX_KNOWN + 1 {
            known.remember(&device(&format!("D{i}"), false));
        }
        let held = known.devices.read().map(|d| d.len()).unwrap_or(usize::MAX);
        assert!(held <= MAX_KNOWN, "{held} held");
        assert!(
            known.get(&format!("D{MAX_KNOWN}")).is_some(),
            "the newest is kept"
        );
    }
}
