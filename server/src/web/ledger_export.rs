//! The ticket ledger (问题台账) as a spreadsheet for the joint meeting: every ticket of the
//! area with its township and village by name, kind and urgency in words, where it stands,
//! the department, reply and outcome, its due date and whether it is overdue. Description,
//! reply and outcome are what workers and departments wrote: CSV cells that begin like a
//! formula are made inert, XLSX cells are written as strings.

use doorstep_contract::text::{Lang, Localize, Text};

use super::places::Places;
use crate::ledger::{TicketRow, TicketState};

fn columns(lang: Lang) -> [&'static str; 12] {
    [
        Text::Ticket,
        Text::Township,
        Text::VillageCommunity,
        Text::Kind,
        Text::Urgency,
        Text::Description,
        Text::Status,
        Text::Department,
        Text::Reply,
        Text::Close,
        Text::Due,
        Text::OverdueMark,
    ]
    .map(|t| t.get(lang))
}

fn cells(lang: Lang, places: &Places, k: &TicketRow, today: chrono::NaiveDate) -> [String; 12] {
    let overdue = k.state != TicketState::Closed && k.due < today;
    [
        k.id.clone(),
        places.township_of(&k.village),
        places.name(&k.village).unwrap_or(&k.village).to_owned(),
        k.kind.localize(lang),
        k.urgency.localize(lang),
        k.description.clone(),
        k.state.localize(lang),
        k.department.clone().unwrap_or_default(),
        k.reply.clone().unwrap_or_default(),
        k.outcome.clone().unwrap_or_default(),
        k.due.to_string(),
        if overdue {
            Text::OverdueMark.get(lang).to_owned()
        } else {
            String::new()
        },
    ]
}

pub fn xlsx(
    lang: Lang,
    places: &Places,
    rows: &[TicketRow],
    today: chrono::NaiveDate,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = super::cells::sheet_with_header(&mut book, &columns(lang))?;
    for (r, k) in rows.iter().enumerate() {
        for (c, text) in cells(lang, places, k, today).iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, text)?;
        }
    }
    book.save_to_buffer()
}

pub fn csv(lang: Lang, places: &Places, rows: &[TicketRow], today: chrono::NaiveDate) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(columns(lang));
    for k in rows {
        let _ = w.write_record(
            cells(lang, places, k, today)
                .iter()
                .map(|c| super::cells::inert(c).into_owned()),
        );
    }
    w.into_inner().unwrap_or_default()
}
