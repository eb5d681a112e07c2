//! The device's signing key in the store: the PKCS#8 document sealed under the data key, the
//! public half in plaintext (it is what the server is told at enrolment). Created on first use.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Keyring;
use crate::crypto::{envelope_key_id, DeviceKey, EnvelopeAad};
use crate::error::{Error, Result};

const TABLE: &str = "device_key";
const ROW: &str = "1";
const FORMAT: u16 = 1;

fn aad() -> EnvelopeAad<'static> {
    EnvelopeAad {
        table: TABLE,
        row_id: ROW,
        format: FORMAT,
    }
}

fn corrupt() -> Error {
    Error::Corrupt {
        table: TABLE,
        id: ROW.to_owned(),
    }
}

fn stored(conn: &Connection) -> Result<Option<Vec<u8>>> {
    let sec = conn
        .query_row("SELECT sec FROM device_key WHERE id = 1", [], |r| {
            // Anything but a blob is damage to this row, reported as such.
            Ok(match r.get_ref(0)? {
                rusqlite::types::ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            })
        })
        .optional()?;
    match sec {
        None => Ok(None),
        Some(Some(b)) => Ok(Some(b)),
        Some(None) => Err(corrupt()),
    }
}

/// The stored key, if any. A key that does not open is damage, never replaced silently: a
/// new key would break the chain of records the old one signed.
pub fn load(conn: &Connection, keys: &Keyring) -> Result<Option<DeviceKey>> {
    let Some(sec) = stored(conn)? else {
        return Ok(None);
    };
    let pkcs8 = zeroize::Zeroizing::new(keys.open(aad(), &sec).map_err(|_| corrupt())?);
    DeviceKey::from_pkcs8(&pkcs8)
        .map(Some)
        .map_err(|_| corrupt())
}

/// Creates and stores a key; fails if one exists.
pub fn create(tx: &Transaction<'_>, keys: &Keyring) -> Result<DeviceKey> {
    let key = DeviceKey::generate()?;
    let sec = keys.seal(aad(), key.pkcs8())?;
    tx.execute(
        "INSERT INTO device_key (id, sec, public, created_at) VALUES (1, ?1, ?2, ?3)",
        params![sec, &key.public_key()[..], Utc::now().to_rfc3339()],
    )?;
    Ok(key)
}

/// For a data-key rotation: re-seals the key under the active data key if it is under
/// another. Returns false when the stored key cannot be read (the rotation then keeps the
/// old data key).
pub(crate) fn reseal(tx: &Transaction<'_>, keys: &Keyring) -> Result<bool> {
    let sec = match stored(tx) {
        Ok(Some(sec)) => sec,
        Ok(None) => return Ok(true),
        Err(Error::Corrupt { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    if envelope_key_id(&sec).ok() == Some(keys.active_id()) {
        return Ok(true);
    }
    let Ok(pkcs8) = keys.open(aad(), &sec).map(zeroize::Zeroizing::new) else {
        return Ok(false);
    };
    let fresh = keys.seal(aad(), &pkcs8)?;
    tx.execute("UPDATE device_key SET sec = ?1 WHERE id = 1", [fresh])?;
    Ok(true)
}
