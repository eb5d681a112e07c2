//! The detail view and protected subsidies.

use super::*;

#[test]
fn protected_subsidies_are_hidden_until_revealed_and_each_reveal_is_logged() {
    let mut t = temp_store();
    let line = format!(
        "P,小红,{},,,minor,410225100201,村,,,,,王芳,母亲,13900000000,GE01:孤儿基本生活费:1460:1;JC01:基础补贴:50:0,active,",
        id_number("20150101", 12)
    );
    import_csv(&mut t.store, &[line], false).expect("import");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .expect("time")
        .fixed_offset();
    let d = show(&mut t.store, "P", false, now).expect("show");
    assert_eq!(d.enrolments[0], DetailEnrolment::Hidden);
    assert!(matches!(d.enrolments[1], DetailEnrolment::Shown { .. }));
    assert!(reveal_log::for_recipient(t.store.conn(), "P")
        .expect("log")
        .is_empty());
    let d = show(&mut t.store, "P", true, now).expect("reveal");
    assert_eq!(d.revealed, 1);
    assert!(
        matches!(&d.enrolments[0], DetailEnrolment::Shown { short_name, .. } if short_name == "孤儿基本生活费")
    );
    let log = reveal_log::for_recipient(t.store.conn(), "P").expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].at, now.with_timezone(&Utc));
    assert!(matches!(
        show(&mut t.store, "nobody", false, now),
        Err(Error::NotFound { .. })
    ));
}
