//! The session benchmark: the latency of one visit action as the visit grows to 50 photos and
//! 50 tickets. An action commits the draft; it must not rewrite the photos (stored apart), so
//! the latency should stay flat.

use std::time::Instant;

use chrono::{FixedOffset, TimeZone};
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::rules::Action;
use doorstep_core::visit::{Outcome, TicketKind, Urgency};
use doorstep_core::Doorstep;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Timed actions at each size.
    #[arg(long, default_value_t = 300)]
    samples: usize,
    /// Sealed visits already on the device (a month of a worker's history).
    #[arg(long, default_value_t = 0)]
    history: usize,
}

type BoxError = Box<dyn std::error::Error>;

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A small distinct JPEG (a photo's content does not matter to an action's latency).
fn jpeg(seed: u32) -> Result<Vec<u8>, BoxError> {
    let (w, h) = (320u16, 240u16);
    let px: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| {
            let v = (i.wrapping_mul(2_654_435_761).wrapping_add(seed * 97) >> 24) as u8;
            [v, v / 2, 255 - v]
        })
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 80).encode(&px, w, h, jpeg_encoder::ColorType::Rgb)?;
    Ok(out)
}

pub fn run(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let now = FixedOffset::east_opt(8 * 3600)
        .ok_or("offset")?
        .with_ymd_and_hms(2026, 11, 27, 10, 0, 0)
        .single()
        .ok_or("time")?;
    let dir = tempfile::tempdir()?;
    let vault = RawKeyVault::generate()?;
    let mut store = Doorstep::create(dir.path(), &vault)?;
    let people = doorstep_sample::generate(5, a.history + 1, now.date_naive());
    store.import_recipients(&people)?;
    for (i, p) in people.iter().skip(1).enumerate() {
        let day = now - chrono::Duration::hours(2 * (a.history - i) as i64);
        let v = store.start_visit(&p.id, day)?;
        let act = [
            Action::Fix {
                lat: 34.8 + i as f64 * 0.001,
                lon: 114.8,
                accuracy_m: 10.0,
                at: Some(day),
                provider: "gps".into(),
                mock: false,
                datum: None,
            },
            Action::Contact {
                outcome: Outcome::NobodyHome,
                present: vec![],
            },
            Action::Note {
                text: "无人在家".into(),
            },
        ];
        store.act(&v.visit_id, &act, day)?;
        store.finish(&v.visit_id, day + chrono::Duration::minutes(5))?;
    }
    let id = store.start_visit(&people[0].id, now)?.visit_id;
    store.act(
        &id,
        &[Action::Contact {
            outcome: Outcome::MetPerson,
            present: vec![],
        }],
        now,
    )?;
    let timed = |store: &mut Doorstep, label: &str| -> Result<f64, BoxError> {
        let mut us = Vec::with_capacity(a.samples);
        for i in 0..a.samples {
            let action = Action::Living {
                text: format!("与女儿同住 {label} {i}"),
            };
            let t = Instant::now();
            store.act(&id, &[action], now)?;
            us.push(t.elapsed().as_secs_f64() * 1e6);
        }
        us.sort_by(f64::total_cmp);
        println!(
            "{label:<10} p50_us={:.0} p99_us={:.0}",
            pct(&us, 0.5),
            pct(&us, 0.99)
        );
        Ok(pct(&us, 0.99))
    };
    let empty = timed(&mut store, "empty")?;
    for i in 0..50u32 {
        store.add_photo(&id, &jpeg(i)?, now)?;
        store.act(
            &id,
            &[Action::Ticket {
                kind: TicketKind::Consultation,
                description: format!("问题 {i}"),
                urgency: Urgency::Normal,
                checklist_item: None,
            }],
            now,
        )?;
    }
    let full = timed(&mut store, "at_50")?;
    println!("session: p99_empty_us={empty:.0} p99_at_50_us={full:.0}");
    Ok(())
}
