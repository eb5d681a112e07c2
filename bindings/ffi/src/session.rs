//! A visit being recorded: typed actions in, the visit's state out. Every accepted call is
//! committed before it returns; a refused one leaves the draft as it was.

use std::sync::Arc;

use crate::convert;
use crate::records::{
    ExportedVisit, GpsFix, MediaFile, SealedVisit, VisitAction, VisitRecord, VisitState,
};
use crate::{now, Doorstep, DoorstepError};

#[derive(uniffi::Object)]
pub struct VisitSession {
    doorstep: Arc<Doorstep>,
    visit_id: String,
}

impl std::fmt::Debug for VisitSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitSession")
            .field("visit_id", &self.visit_id)
            .finish()
    }
}

impl VisitSession {
    pub(crate) fn new(doorstep: Arc<Doorstep>, visit_id: String) -> Arc<Self> {
        Arc::new(VisitSession { doorstep, visit_id })
    }

    /// A view state from the core, with its words.
    fn state(
        &self,
        r: doorstep_core::Result<doorstep_core::rules::ViewState>,
    ) -> Result<VisitState, DoorstepError> {
        let d = &self.doorstep;
        let core = d.core();
        let v = r.map_err(|e| d.err(e))?;
        let words = core.view_words(&v, d.lang()).map_err(|e| d.err(e))?;
        Ok(convert::visit_state(v, words))
    }
}

#[uniffi::export]
impl VisitSession {
    pub fn visit_id(&self) -> String {
        self.visit_id.clone()
    }

    /// The current state.
    pub fn view(&self) -> Result<VisitState, DoorstepError> {
        let v = self.doorstep.core().view(&self.visit_id);
        self.state(v)
    }

    /// One action.
    pub fn act(&self, action: VisitAction) -> Result<VisitState, DoorstepError> {
        self.act_all(vec![action])
    }

    /// Actions in order, each committed on its own: the first refused one stops the call with
    /// its error (those before it stay recorded; the refused one changed nothing).
    pub fn act_all(&self, actions: Vec<VisitAction>) -> Result<VisitState, DoorstepError> {
        let d = &self.doorstep;
        let actions = actions
            .into_iter()
            .map(|a| convert::action(a, d.lang()))
            .collect::<Result<Vec<_>, _>>()?;
        let v = d.core().act(&self.visit_id, &actions, now());
        self.state(v)
    }

    /// A position from the phone (the same as `act(VisitAction::Fix)`).
    pub fn add_fix(&self, fix: GpsFix) -> Result<VisitState, DoorstepError> {
        self.act(VisitAction::Fix { fix })
    }

    /// A photo (JPEG or PNG bytes): shrunk, upright, stripped of metadata, sealed. Evidence of
    /// an attempt, the thumbprint, or anything the worker shows.
    pub fn add_photo(&self, bytes: Vec<u8>) -> Result<VisitState, DoorstepError> {
        let v = self
            .doorstep
            .core()
            .add_photo(&self.visit_id, &bytes, now());
        self.state(v)
    }

    /// Takes a photo off the draft (by its SHA-256).
    pub fn remove_photo(&self, sha256: String) -> Result<VisitState, DoorstepError> {
        let v = self
            .doorstep
            .core()
            .remove_photo(&self.visit_id, &sha256, now());
        self.state(v)
    }

    /// A small JPEG of one of the visit's photos, at most `long_edge` pixels on its long side.
    pub fn photo_thumbnail(
        &self,
        sha256: String,
        long_edge: u32,
    ) -> Result<Vec<u8>, DoorstepError> {
        let d = &self.doorstep;
        let thumb = d.core().photo_thumbnail(&self.visit_id, &sha256, long_edge);
        thumb.map_err(|e| d.err(e))
    }

    /// The signature as the PNG the record will name (none until someone signs).
    pub fn signature_preview(&self) -> Result<Option<Vec<u8>>, DoorstepError> {
        let d = &self.doorstep;
        let png = d.core().signature_preview(&self.visit_id);
        png.map_err(|e| d.err(e))
    }

    /// Everything the draft recorded, to put a resumed visit's screens back.
    pub fn record(&self) -> Result<VisitRecord, DoorstepError> {
        let d = &self.doorstep;
        let draft = d.core().draft(&self.visit_id);
        Ok(convert::visit_record(draft.map_err(|e| d.err(e))?))
    }

    /// Seals the visit: signed by the device, chained to its previous record.
    pub fn finish(&self) -> Result<SealedVisit, DoorstepError> {
        let d = &self.doorstep;
        let done = d.core().finish(&self.visit_id, now());
        let done = done.map_err(|e| d.err(e))?;
        Ok(SealedVisit {
            visit_id: done.visit_id,
            seq: done.seq,
            sha256: done.hash,
            flags: convert::flag_items(&done.flags, d.lang()),
        })
    }

    /// The sealed visit as evidence anyone can verify.
    pub fn export(&self) -> Result<ExportedVisit, DoorstepError> {
        let d = &self.doorstep;
        let e = d.core().export(&self.visit_id);
        let e = e.map_err(|e| d.err(e))?;
        Ok(ExportedVisit {
            record: e.record,
            signature: e.signature,
            device_public_key: e.device_public.to_vec(),
            media: e
                .media
                .into_iter()
                .map(|(sha256, ext, bytes)| MediaFile {
                    sha256,
                    extension: ext.to_owned(),
                    bytes,
                })
                .collect(),
        })
    }
}
