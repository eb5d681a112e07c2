//! A visit's pictures as a screen shows them: photo thumbnails, a photo taken off a draft, and
//! the signature as the image the record will name.

use chrono::{DateTime, FixedOffset};
use doorstep_contract::model::Invalid;
use rusqlite::Connection;

use super::{load, mutate, sealed_record, template, view_of};
use crate::error::{Error, Result};
use crate::media::Signature;
use crate::rules::{self, ViewState};
use crate::store::{media, visits, Keyring, Store};

/// The photos a visit names (its draft's or its sealed record's).
fn photos_of(store: &Store, visit_id: &str) -> Result<Vec<String>> {
    match visits::load(store.conn(), store.keys(), visit_id) {
        Ok(Some(d)) => Ok(d.photos),
        Ok(None) => Err(Error::NoVisit {
            id: visit_id.to_owned(),
        }),
        Err(Error::Invalid(Invalid::VisitSealed)) => {
            Ok(sealed_record(store.conn(), store.keys(), visit_id)?
                .map(|r| r.photos)
                .unwrap_or_default())
        }
        Err(e) => Err(e),
    }
}

/// A small JPEG of one of a visit's photos, at most `long_edge` pixels on its long side (a
/// list shows many; decoding at a reduced DCT scale keeps it quick and small in memory).
pub(crate) fn photo_thumbnail(
    store: &Store,
    visit_id: &str,
    sha256: &str,
    long_edge: u32,
) -> Result<Vec<u8>> {
    if !photos_of(store, visit_id)?.iter().any(|p| p == sha256) {
        return Err(Invalid::VisitUnknownPhoto.into());
    }
    let (_, jpeg) =
        media::get(store.conn(), store.keys(), sha256)?.ok_or_else(|| Error::Corrupt {
            table: "media",
            id: sha256.to_owned(),
        })?;
    Ok(crate::media::photo::process(&jpeg, long_edge.clamp(32, 1600))?.jpeg)
}

/// Whether a visit other than `visit_id` names the photo `sha256` (the same picture can be
/// attached to two visits; its bytes are stored once).
fn named_elsewhere(
    conn: &Connection,
    keys: &Keyring,
    visit_id: &str,
    sha256: &str,
) -> Result<bool> {
    for row in visits::list(conn)? {
        if row.id == visit_id {
            continue;
        }
        let photos = if row.sealed {
            sealed_record(conn, keys, &row.id)?.map(|r| r.photos)
        } else {
            visits::load(conn, keys, &row.id)?.map(|d| d.photos)
        };
        if photos.is_some_and(|p| p.iter().any(|p| p == sha256)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Takes a photo off a draft; its stored bytes go too unless another visit names them.
pub(crate) fn remove_photo(
    store: &mut Store,
    visit_id: &str,
    sha256: &str,
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    let draft = mutate(store, visit_id, |tx, keys, d| {
        rules::doors::remove_photo(d, sha256, now)?;
        super::refresh_cross(tx, keys, d)?;
        if !named_elsewhere(tx, keys, visit_id, sha256)? {
            media::delete(tx, sha256)?;
        }
        Ok(())
    })?;
    let t = template(store.conn(), draft.context.checklist_version)?;
    view_of(store.conn(), &draft, &t)
}

/// The signature as a PNG: a draft's strokes rendered as finishing will render them, or the
/// image a sealed record names. None when nobody has signed (or a thumbprint stands for it).
pub(crate) fn signature_preview(store: &Store, visit_id: &str) -> Result<Option<Vec<u8>>> {
    match load(store, visit_id) {
        Ok(d) => Ok(match d.signature.and_then(|s| s.strokes) {
            Some(strokes) => Some(Signature::new(strokes)?.render_png()),
            None => None,
        }),
        Err(Error::Invalid(Invalid::VisitSealed)) => {
            let r = sealed_record(store.conn(), store.keys(), visit_id)?;
            let Some(sha) = r.and_then(|r| r.signature).and_then(|s| s.image_sha256) else {
                return Ok(None);
            };
            Ok(media::get(store.conn(), store.keys(), &sha)?.map(|(_, png)| png))
        }
        Err(e) => Err(e),
    }
}
