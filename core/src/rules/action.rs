//! What a shell can do to a draft: actions as JSON objects tagged by `"type"`. Each is checked
//! against the rules of the three doors before anything is stored.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, FixedOffset};
use doorstep_contract::model::Datum;
use doorstep_contract::visit::{
    Arrival, Outcome, SatisfactionLevel, SignatureInput, TicketKind, Urgency,
};

fn normal() -> Urgency {
    Urgency::Normal
}

/// The status given to a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Done,
    NotApplicable,
    Problem,
}

impl doorstep_contract::text::Localize for ItemStatus {
    fn localize(&self, lang: doorstep_contract::text::Lang) -> String {
        use doorstep_contract::text::Text;
        let t = match self {
            ItemStatus::Done => Text::ItemDone,
            ItemStatus::NotApplicable => Text::ItemNotApplicable,
            ItemStatus::Problem => Text::ItemProblem,
        };
        t.get(lang).to_owned()
    }
}

/// Who signs: the recipient, a proxy (name and relation), or nobody can (thumbprint photo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    Recipient,
    Proxy,
    Thumbprint,
}

/// One action. The JSON form is `{"type": "<snake_case name>", ...fields}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Knock: who was met, and who else was present.
    Contact {
        outcome: Outcome,
        #[serde(default)]
        present: Vec<String>,
    },
    /// Care: whether one enrolled subsidy arrived on the card.
    Subsidy {
        code: String,
        arrived: Arrival,
        #[serde(default)]
        amount_fen: Option<i64>,
        #[serde(default)]
        sms_received: Option<bool>,
    },
    /// Care: a policy explained (by its code in the policy list).
    PolicyExplained { code: String },
    /// Care: living situation, in the worker's words.
    Living { text: String },
    /// Care: needs, in the worker's words.
    Needs { text: String },
    /// Open: a question answered on the spot.
    QuestionAnswered { text: String },
    /// Open: a problem to follow up; it becomes a ticket in state "accepted".
    Ticket {
        kind: TicketKind,
        description: String,
        #[serde(default = "normal")]
        urgency: Urgency,
        /// The checklist item whose problem this ticket follows up.
        #[serde(default)]
        checklist_item: Option<String>,
    },
    /// Open: how the person rated the service (我们干得怎么样).
    Satisfaction {
        level: SatisfactionLevel,
        #[serde(default)]
        comment: String,
    },
    /// The card checklist: one item's answer (a problem needs a note).
    Checklist {
        key: String,
        status: ItemStatus,
        #[serde(default)]
        note: String,
    },
    /// The signature, with the text the signer attested to.
    Sign {
        signer: SignerRole,
        #[serde(default)]
        proxy_name: String,
        #[serde(default)]
        relation: String,
        #[serde(default)]
        strokes: Option<SignatureInput>,
        attested: String,
    },
    /// A note (for an attempt where nobody could be met, the evidence).
    Note { text: String },
    /// A position from the phone: degrees, accuracy radius in metres, the satellites' time
    /// (default: now), the provider, whether the OS reported a mock location, and the datum
    /// (phones report WGS-84, the default).
    Fix {
        lat: f64,
        lon: f64,
        accuracy_m: f64,
        #[serde(default)]
        at: Option<DateTime<FixedOffset>>,
        #[serde(default)]
        provider: String,
        #[serde(default)]
        mock: bool,
        #[serde(default)]
        datum: Option<Datum>,
    },
}

impl Action {
    /// Parses one action or a JSON array of them.
    pub fn parse_many(bytes: &[u8]) -> Result<Vec<Action>, String> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("not JSON (line {}, column {})", e.line(), e.column()))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| serde_json::from_value(v).map_err(|e| describe(i + 1, &e)))
            .collect()
    }
}

/// serde's messages can quote the offending value (a name typed into the wrong field): keep
/// only what names a field, never a value.
fn describe(n: usize, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let safe = ["missing field", "unknown field"]
        .iter()
        .any(|p| msg.starts_with(p))
        .then(|| msg.split(',').next().unwrap_or_default().to_owned());
    match safe {
        Some(what) => format!("action {n}: {what}"),
        None => format!("action {n}: not a valid action of its type"),
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the kind of action: its fields carry what was said and where.
        let kind = match self {
            Action::Contact { .. } => "Contact",
            Action::Subsidy { .. } => "Subsidy",
            Action::PolicyExplained { .. } => "PolicyExplained",
            Action::Living { .. } => "Living",
            Action::Needs { .. } => "Needs",
            Action::QuestionAnswered { .. } => "QuestionAnswered",
            Action::Ticket { .. } => "Ticket",
            Action::Satisfaction { .. } => "Satisfaction",
            Action::Checklist { .. } => "Checklist",
            Action::Sign { .. } => "Sign",
            Action::Note { .. } => "Note",
            Action::Fix { .. } => "Fix",
        };
        write!(f, "Action::{kind}")
    }
}
