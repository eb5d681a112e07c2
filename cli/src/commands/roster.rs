//! `doorstep roster`: import, list, show.

use doorstep_core::model::validate_division_prefix;
use doorstep_core::roster::{
    lines_with_errors, DetailEnrolment, ImportOptions, ListEntry, ListQuery, RosterFormat,
};
use doorstep_core::text::{Lang, Localize, Text};
use serde_json::{json, Value};

use crate::args::{FileFormat, ListArgs, RosterCommand};
use crate::context::Context;
use crate::outln;
use crate::output::{self, pad, print_json, row_json, CliError};

pub fn run(ctx: &Context, cmd: &RosterCommand) -> Result<(), CliError> {
    match cmd {
        RosterCommand::Import {
            file,
            skip_invalid,
            format,
        } => import(ctx, file, *skip_invalid, *format),
        RosterCommand::List(a) => list(ctx, a),
        RosterCommand::Show {
            id,
            reveal_protected,
        } => show(ctx, id, *reveal_protected),
    }
}

fn import(
    ctx: &Context,
    file: &std::path::Path,
    skip_invalid: bool,
    format: Option<FileFormat>,
) -> Result<(), CliError> {
    // Read the file before opening the store: a missing file should not cost a key derivation.
    let bytes = std::fs::read(file)?;
    let format = match format {
        Some(FileFormat::Csv) => RosterFormat::Csv,
        Some(FileFormat::Json) => RosterFormat::Json,
        None => RosterFormat::sniff(&bytes),
    };
    let mut store = ctx.open()?;
    let report =
        store.import_roster(&bytes, format, ImportOptions { skip_invalid }, ctx.today())?;
    if ctx.json {
        print_json(&json!({
            "inserted": report.inserted,
            "updated": report.updated,
            "skipped": report.skipped.iter().map(|e| row_json(e, ctx.lang)).collect::<Vec<_>>(),
        }));
    } else {
        outln!(
            "{}: {} + {} ({}/{})",
            Text::Imported.get(ctx.lang),
            report.inserted,
            report.updated,
            Text::New.get(ctx.lang),
            Text::Updated.get(ctx.lang),
        );
        if !report.skipped.is_empty() {
            outln!(
                "{}: {}",
                Text::Skipped.get(ctx.lang),
                lines_with_errors(&report.skipped)
            );
            for e in &report.skipped {
                outln!("  {}", e.localize(ctx.lang));
            }
        }
    }
    store.close()?;
    Ok(())
}

fn parse_near(raw: &str) -> Result<(f64, f64), CliError> {
    let bad = || CliError::usage(Text::BadNear);
    let (lat, lon) = raw.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

/// `with_distance`: a position was given, so every entry carries `distance_m` (null when the
/// household has no location).
pub fn entry_json(e: &ListEntry, with_distance: bool) -> Value {
    let mut v = json!({
        "id": e.id,
        "name": e.name,
        "id_number": e.id_number_masked,
        "village_code": e.village_code,
        "categories": e.categories.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "card_status": e.card_status.code(),
        "last_visit": e.last_visit.map(|d| d.to_string()),
        "due_date": e.due_date.to_string(),
        "overdue_days": e.overdue_days,
    });
    if with_distance {
        v["distance_m"] = json!(e.distance_m.map(|d| (d * 10.0).round() / 10.0));
    }
    v
}

pub fn print_table(entries: &[ListEntry], lang: Lang) {
    let with_distance = entries.iter().any(|e| e.distance_m.is_some());
    let mut header = format!(
        "{}{}{}{}{}{}",
        pad(Text::Id.get(lang), 11),
        pad(Text::Name.get(lang), 9),
        pad(Text::IdNumber.get(lang), 20),
        pad(Text::Village.get(lang), 14),
        pad(Text::Categories.get(lang), 22),
        pad(Text::DueDate.get(lang), 12),
    );
    header.push_str(&pad(Text::Overdue.get(lang), 14));
    if with_distance {
        header.push_str(Text::Distance.get(lang));
    }
    outln!("{}", header.trim_end());
    for e in entries {
        let cats: Vec<String> = e.categories.iter().map(|c| c.localize(lang)).collect();
        let mut line = format!(
            "{}{}{}{}{}{}{}",
            pad(&e.id, 11),
            pad(&e.name, 9),
            pad(&e.id_number_masked, 20),
            pad(&e.village_code, 14),
            pad(&cats.join("|"), 22),
            pad(&e.due_date.to_string(), 12),
            pad(&e.overdue_days.to_string(), 14),
        );
        if let Some(d) = e.distance_m {
            line.push_str(&format!("{d:.0}"));
        }
        outln!("{}", line.trim_end());
    }
}

fn list(ctx: &Context, a: &ListArgs) -> Result<(), CliError> {
    let near = a.near.as_deref().map(parse_near).transpose()?;
    let village = a
        .village
        .as_deref()
        .map(|v| validate_division_prefix(v).map(str::to_owned))
        .transpose()
        .map_err(doorstep_core::Error::from)?;
    let q = ListQuery {
        due_only: a.due,
        near,
        search: a.search.clone(),
        village,
        limit: a.limit,
    };
    let store = ctx.open()?;
    // An exact ID number or mobile number goes through the blind index; anything else is a
    // name search in memory.
    let found = store.search(&q, ctx.today())?;
    let (entries, unreadable, total) = (found.entries, found.unreadable, found.total);
    if ctx.json {
        print_json(&Value::Array(
            entries
                .iter()
                .map(|e| entry_json(e, near.is_some()))
                .collect(),
        ));
    } else {
        print_table(&entries, ctx.lang);
        if total > entries.len() {
            outln!(
                "({} {} · {} {total})",
                Text::Showing.get(ctx.lang),
                entries.len(),
                Text::Of.get(ctx.lang)
            );
        }
    }
    if !unreadable.is_empty() {
        // Ids only; which rows failed is what an engineer needs to restore them.
        let message = format!("{} {}", unreadable.len(), Text::Unreadable.get(ctx.lang));
        output::warn(ctx.json, "unreadable", &message, &unreadable);
    }
    store.close()?;
    Ok(())
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn show(ctx: &Context, id: &str, reveal: bool) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let d = store.recipient(id, reveal, ctx.now)?;
    let r = &d.recipient;
    let lang = ctx.lang;
    let enrolments: Vec<Value> = d
        .enrolments
        .iter()
        .map(|e| match e {
            DetailEnrolment::Shown {
                code,
                short_name,
                amount_fen,
                protected,
            } => json!({ "code": code, "short_name": short_name,
                         "amount_yuan": yuan(*amount_fen), "protected": protected }),
            DetailEnrolment::Hidden => json!({ "protected": true, "hidden": true }),
        })
        .collect();
    if ctx.json {
        print_json(&json!({
            "id": r.id,
            "name": r.name,
            "id_number": d.id_number_masked,
            "gender": match r.gender { doorstep_core::model::Gender::Male => "male", _ => "female" },
            "birth_date": r.birth_date.to_string(),
            "age": r.age_on(ctx.today()),
            "categories": r.categories.iter().map(|c| c.code()).collect::<Vec<_>>(),
            "village_code": r.village.as_str(),
            "address": r.address,
            "location": r.location.map(|l| json!({ "lat": l.lat, "lon": l.lon,
                "datum": match l.datum { doorstep_core::model::Datum::Wgs84 => "wgs84", _ => "gcj02" } })),
            "phone": r.phone.as_ref().map(|p| p.as_str()),
            "guardian": r.guardian.as_ref().map(|g| json!({ "name": g.name, "relation": g.relation,
                "phone": g.phone.as_ref().map(|p| p.as_str()) })),
            "enrolments": enrolments,
            "card_status": r.card_status.code(),
            "last_visit": r.last_visit.map(|d| d.to_string()),
            "due_date": d.due_date.to_string(),
            "overdue_days": d.overdue_days,
            "revealed": d.revealed,
        }));
    } else {
        let cats: Vec<String> = r.categories.iter().map(|c| c.localize(lang)).collect();
        let line = |t: Text, v: &str| outln!("{} {v}", pad(Text::get(t, lang), 12));
        line(Text::Id, &r.id);
        line(Text::Name, &r.name);
        line(Text::IdNumber, &d.id_number_masked);
        line(Text::Categories, &cats.join("、"));
        line(Text::Village, r.village.as_str());
        line(Text::Address, &r.address);
        line(Text::Phone, r.phone.as_ref().map_or("-", |p| p.as_str()));
        if let Some(g) = &r.guardian {
            let phone = g.phone.as_ref().map_or("", |p| p.as_str());
            line(
                Text::Guardian,
                &format!("{}（{}）{phone}", g.name, g.relation),
            );
        }
        line(Text::Card, &r.card_status.localize(lang));
        line(
            Text::LastVisit,
            &r.last_visit.map_or_else(
                || Text::NeverVisited.get(lang).to_owned(),
                |d| d.to_string(),
            ),
        );
        line(
            Text::DueDate,
            &format!(
                "{} ({} {})",
                d.due_date,
                Text::Overdue.get(lang),
                d.overdue_days
            ),
        );
        outln!("{}", Text::Subsidies.get(lang));
        for e in &d.enrolments {
            match e {
                DetailEnrolment::Shown {
                    code,
                    short_name,
                    amount_fen,
                    protected,
                } => {
                    let mark = if *protected {
                        format!(" [{}]", Text::Protected.get(lang))
                    } else {
                        String::new()
                    };
                    outln!("  {code} {short_name} {}{mark}", yuan(*amount_fen));
                }
                DetailEnrolment::Hidden => outln!("  {}", Text::ProtectedHidden.get(lang)),
            }
        }
        if d.revealed > 0 {
            outln!("{}", Text::Revealed.get(lang));
        }
    }
    store.close()?;
    Ok(())
}
