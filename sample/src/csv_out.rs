//! The roster file a county exports, in the column layout `doorstep roster import` reads.

use doorstep_contract::model::{Datum, Enrolment, Gender, Recipient};
use doorstep_contract::roster::FIELDS;

/// The roster CSV of `recipients`: a header of `FIELDS`, then one row each. Importing it gives
/// back recipients equal to these.
pub fn to_csv(recipients: &[Recipient]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(FIELDS)
        .expect("writing to memory cannot fail");
    for r in recipients {
        w.write_record(row(r))
            .expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("every field is UTF-8")
}

fn row(r: &Recipient) -> [String; FIELDS.len()] {
    let opt = |v: Option<&str>| v.unwrap_or_default().to_owned();
    let categories: Vec<&str> = r.categories.iter().map(|c| c.code()).collect();
    let enrolments: Vec<String> = r.enrolments.iter().map(enrolment).collect();
    let loc = r.location.as_ref();
    // `{}` prints the shortest decimal that parses back to the same f64.
    let coord = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let guardian = r.guardian.as_ref();
    [
        r.id.clone(),
        r.name.clone(),
        r.id_number.as_str().to_owned(),
        match r.gender {
            Gender::Male => "male",
            Gender::Female => "female",
        }
        .to_owned(),
        r.birth_date.format("%Y-%m-%d").to_string(),
        categories.join("|"),
        r.village.as_str().to_owned(),
        r.address.clone(),
        coord(loc.map(|l| l.lat)),
        coord(loc.map(|l| l.lon)),
        opt(loc.map(|l| match l.datum {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
        })),
        opt(r.phone.as_ref().map(|p| p.as_str())),
        opt(guardian.map(|g| g.name.as_str())),
        opt(guardian.map(|g| g.relation.as_str())),
        opt(guardian.and_then(|g| g.phone.as_ref()).map(|p| p.as_str())),
        enrolments.join(";"),
        r.card_status.code().to_owned(),
        r.last_visit
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    ]
}

/// `code:short_name:amount_yuan:protected`, the amount with two decimals.
fn enrolment(e: &Enrolment) -> String {
    format!(
        "{}:{}:{}.{:02}:{}",
        e.code,
        e.short_name,
        e.amount_fen / 100,
        e.amount_fen % 100,
        u8::from(e.protected)
    )
}
