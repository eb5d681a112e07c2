//! Text cells of exported spreadsheets made inert: a CSV cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is read as a formula by Excel and WPS, so a name typed
//! into a roster could run one on a supervisor's machine (CSV injection). Such a cell is
//! written with a leading apostrophe, which both show as the text itself. XLSX cells are
//! written as string cells, which are never evaluated, and need nothing; every export's
//! sheet starts with the same header row.

use std::borrow::Cow;

/// `text` as a CSV cell that a spreadsheet shows and never evaluates.
pub fn inert(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A new sheet of `book` whose first row names the columns, in bold.
pub fn sheet_with_header<'a>(
    book: &'a mut rust_xlsxwriter::Workbook,
    columns: &[&str],
) -> Result<&'a mut rust_xlsxwriter::Worksheet, rust_xlsxwriter::XlsxError> {
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formula_starts_are_quoted_and_the_rest_left_alone() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["410225105201", "城关镇 · 北街村", "", "a=b", "'quoted"] {
            assert_eq!(inert(good), good, "{good:?}");
        }
    }
}
