//! Resident ID numbers (GB 11643) for people who do not exist.

use chrono::NaiveDate;
use doorstep_contract::model::id_check_char;

/// A valid GB 11643 number: the six-digit `region`, `birth` as YYYYMMDD, `seq` as three digits
/// (odd for men, even for women) and the check character.
///
/// # Panics
/// If `region` is not six digits or `seq` is over 999: the result would not be an ID number.
pub fn id_number(region: &str, birth: NaiveDate, seq: u32) -> String {
    assert!(
        region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()),
        "region must be six digits"
    );
    assert!(seq <= 999, "sequence must have three digits");
    let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let check = id_check_char(first17.as_bytes());
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_standard_example() {
        // The worked example of GB 11643-1999.
        let birth = NaiveDate::from_ymd_opt(1949, 12, 31).expect("date");
        assert_eq!(id_number("110105", birth, 2), "11010519491231002X");
    }
}
