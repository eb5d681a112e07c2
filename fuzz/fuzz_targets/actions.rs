//! Visit actions as a shell sends them (JSON), applied to a visit in order: each is accepted
//! or refused with the visit left exactly as it was, and the worker's view is computed after
//! each, never a panic.
#![no_main]

use chrono::{DateTime, Duration};
use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_core::rules::{apply, view, Action, Context, Draft, Judged};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&flags, json)) = data.split_first() else {
        return;
    };
    let Ok(actions) = Action::parse_many(json) else {
        return;
    };
    let template = ChecklistTemplate::builtin();
    let policy = Policy::default();
    let by = Judged {
        template: &template,
        policy: &policy,
    };
    let start = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").expect("a time");
    let context = Context {
        card_active: flags & 1 != 0,
        acts_through_proxy: flags & 2 != 0,
        enrolment_codes: vec!["4102251052010001".into()],
        checklist_version: template.version,
        household: (flags & 4 != 0).then_some((34.82, 114.81)),
    };
    let mut draft = Draft::new("v1".into(), "r1".into(), None, start, context);
    for (i, action) in actions.iter().enumerate() {
        let before = draft.clone();
        let now = start + Duration::seconds(30 * (i as i64 + 1));
        if apply(&mut draft, action, by, now).is_err() {
            assert!(draft == before, "a refused action changed the visit");
        }
        let _ = view(&draft, by);
    }
});
