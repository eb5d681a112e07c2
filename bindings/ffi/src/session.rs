//! A visit being recorded: actions in, view state out. Every accepted call is committed
//! before it returns; a refused one leaves the draft as it was.

use std::sync::Arc;

use doorstep_core::media::SignatureInput;
use doorstep_core::model::Datum;
use doorstep_core::visit::{self, Action, SignerRole, ViewState};

use crate::errors::VisitError;
use crate::{now, Doorstep};

/// What a screen shows for a visit.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VisitState {
    pub visit_id: String,
    /// knock, care, open, checklist, sign, evidence or ready.
    pub step: String,
    /// What finishing still needs, one JSON object each (`{"what": ...}`).
    pub missing: Vec<String>,
    /// What to double-check, one JSON object each.
    pub warnings: Vec<String>,
    /// Authenticity flags by kind (too_far, mock_location, ...): shown, never blocking.
    pub flags: Vec<String>,
    pub photos: u32,
    pub tickets: u32,
    pub can_finish: bool,
    /// The whole view state as JSON, for details a screen wants beyond the fields above.
    pub json: String,
}

impl From<ViewState> for VisitState {
    fn from(v: ViewState) -> Self {
        let each = |items: Vec<serde_json::Value>| items.iter().map(|i| i.to_string()).collect();
        let value = serde_json::to_value(&v).unwrap_or_default();
        let list = |k: &str| {
            value
                .get(k)
                .and_then(|x| x.as_array())
                .cloned()
                .unwrap_or_default()
        };
        VisitState {
            step: value
                .get("step")
                .and_then(|s| s.as_str())
                .unwrap_or_default()
                .to_owned(),
            missing: each(list("missing")),
            warnings: each(list("warnings")),
            flags: list("flags")
                .iter()
                .filter_map(|f| f.get("flag").and_then(|k| k.as_str()).map(str::to_owned))
                .collect(),
            photos: v.photos as u32,
            tickets: v.tickets as u32,
            can_finish: v.can_finish,
            json: value.to_string(),
            visit_id: v.visit_id,
        }
    }
}

/// A position from the phone's location provider.
#[derive(Debug, Clone, uniffi::Record)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    /// The satellites' time, Unix milliseconds (None: now).
    pub at_unix_ms: Option<i64>,
    pub provider: String,
    /// The OS reported a mock location.
    pub mock: bool,
    /// The coordinates are GCJ-02 (Chinese web maps), not WGS-84.
    pub gcj02: bool,
}

#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum Signer {
    Recipient,
    Proxy,
    /// Neither can sign: the next photo is the thumbprint.
    Thumbprint,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SealedVisit {
    pub visit_id: String,
    pub seq: u64,
    /// SHA-256 of the signed record, hex.
    pub sha256: String,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct MediaFile {
    pub sha256: String,
    pub extension: String,
    pub bytes: Vec<u8>,
}

/// A sealed visit as evidence: the exact signed bytes, the Ed25519 signature, the device's
/// public key and every media file the record names.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ExportedVisit {
    pub record: Vec<u8>,
    pub signature: Vec<u8>,
    pub device_public_key: Vec<u8>,
    pub media: Vec<MediaFile>,
}

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

    fn apply(&self, actions: &[Action]) -> Result<VisitState, VisitError> {
        Ok(visit::act(&mut self.doorstep.store(), &self.visit_id, actions, now())?.into())
    }
}

fn invalid(detail: String) -> VisitError {
    VisitError::Invalid { detail }
}

#[uniffi::export]
impl VisitSession {
    pub fn visit_id(&self) -> String {
        self.visit_id.clone()
    }

    /// The current view state.
    pub fn view(&self) -> Result<VisitState, VisitError> {
        Ok(visit::view(&self.doorstep.store(), &self.visit_id)?.into())
    }

    /// One action or a JSON array of them, each an object tagged by "type" (the same as
    /// `doorstep visit act`; the README lists every type). All or none are applied.
    pub fn act(&self, actions_json: String) -> Result<VisitState, VisitError> {
        let actions = Action::parse_many(actions_json.as_bytes()).map_err(invalid)?;
        self.apply(&actions)
    }

    pub fn add_fix(&self, fix: GpsFix) -> Result<VisitState, VisitError> {
        let at = match fix.at_unix_ms {
            Some(ms) => Some(
                chrono::DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| invalid("the fix time is out of range".into()))?
                    .with_timezone(&now().timezone()),
            ),
            None => None,
        };
        self.apply(&[Action::Fix {
            lat: fix.lat,
            lon: fix.lon,
            accuracy_m: fix.accuracy_m,
            at,
            provider: fix.provider,
            mock: fix.mock,
            datum: Some(if fix.gcj02 {
                Datum::Gcj02
            } else {
                Datum::Wgs84
            }),
        }])
    }

    /// A photo (JPEG or PNG bytes): shrunk, upright, stripped of metadata, sealed.
    pub fn add_photo(&self, bytes: Vec<u8>) -> Result<VisitState, VisitError> {
        Ok(visit::add_photo(&mut self.doorstep.store(), &self.visit_id, &bytes, now())?.into())
    }

    /// The signature: strokes as `{"width","height","strokes":[[{"x","y","t","p"}]]}` (none
    /// for a thumbprint), who signed, and the text they attested to.
    pub fn sign(
        &self,
        signer: Signer,
        strokes_json: Option<String>,
        proxy_name: String,
        relation: String,
        attested: String,
    ) -> Result<VisitState, VisitError> {
        let strokes = strokes_json
            .map(|s| serde_json::from_str::<SignatureInput>(&s))
            .transpose()
            .map_err(|e| invalid(format!("the strokes are not a signature pad's JSON: {e}")))?;
        let signer = match signer {
            Signer::Recipient => SignerRole::Recipient,
            Signer::Proxy => SignerRole::Proxy,
            Signer::Thumbprint => SignerRole::Thumbprint,
        };
        self.apply(&[Action::Sign {
            signer,
            proxy_name,
            relation,
            strokes,
            attested,
        }])
    }

    /// Seals the visit: signed by the device, chained to its previous record.
    pub fn finish(&self) -> Result<SealedVisit, VisitError> {
        let done = visit::finish(&mut self.doorstep.store(), &self.visit_id, now())?;
        Ok(SealedVisit {
            visit_id: done.visit_id,
            seq: done.seq,
            sha256: done.hash,
            flags: done
                .flags
                .iter()
                .filter_map(|f| serde_json::to_value(f).ok())
                .filter_map(|v| v.get("flag").and_then(|k| k.as_str()).map(str::to_owned))
                .collect(),
        })
    }

    pub fn export(&self) -> Result<ExportedVisit, VisitError> {
        let e = visit::export(&mut self.doorstep.store(), &self.visit_id)?;
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
