//! The demo county looks like the real one: valid codes, plausible shares, guardians for
//! children, houses near their village, visits in the past.

use std::collections::HashSet;

use chrono::NaiveDate;
use doorstep_core::geo::{distance_m, to_wgs84};
use doorstep_core::model::{Category, Datum, DivisionCode, Recipient};
use doorstep_sample::{generate, lankao, to_csv};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

fn share(people: &[Recipient], pred: impl Fn(&Recipient) -> bool) -> f64 {
    people.iter().filter(|p| pred(p)).count() as f64 / people.len() as f64
}

#[test]
fn same_seed_same_roster_other_seed_other_roster() {
    let a = to_csv(&generate(7, 300, today()));
    assert_eq!(a, to_csv(&generate(7, 300, today())));
    assert_ne!(a, to_csv(&generate(8, 300, today())));
    // A longer roster starts with the shorter one.
    assert!(to_csv(&generate(7, 400, today())).starts_with(&a));
}

#[test]
fn forty_unique_valid_villages_inside_the_county() {
    let county = lankao();
    assert_eq!((county.code, county.name), ("410225", "兰考县"));
    assert_eq!(county.villages.len(), 40);
    let codes: HashSet<&str> = county.villages.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes.len(), 40);
    let townships: HashSet<&str> = county
        .villages
        .iter()
        .map(|v| v.township.as_str())
        .collect();
    assert_eq!(townships.len(), 16);
    for v in &county.villages {
        assert_eq!(DivisionCode::parse(v.code.as_str()).as_ref(), Ok(&v.code));
        assert_eq!(v.code.county(), "410225");
        assert!((34.56..=35.01).contains(&v.lat) && (114.68..=115.25).contains(&v.lon));
    }
}

#[test]
fn category_shares_are_sensible() {
    let people = generate(7, 2000, today());
    let has = |c: Category| move |p: &Recipient| p.categories.contains(&c);
    let elderly = share(&people, has(Category::Elderly));
    let disabled = share(&people, has(Category::Disabled));
    let ill = share(&people, has(Category::SeriouslyIll));
    let minor = share(&people, has(Category::Minor));
    assert!((0.40..=0.52).contains(&elderly), "elderly {elderly}");
    assert!((0.20..=0.31).contains(&disabled), "disabled {disabled}");
    assert!((0.15..=0.26).contains(&ill), "seriously ill {ill}");
    assert!((0.08..=0.16).contains(&minor), "minor {minor}");
    let two = share(&people, |p| p.categories.len() == 2);
    assert!((0.02..=0.10).contains(&two), "two categories {two}");
    for p in &people {
        let age = p.age_on(today());
        assert!(!p.categories.contains(&Category::Elderly) || age >= 80);
        assert!(!p.categories.contains(&Category::Minor) || age < 18);
    }
}

#[test]
fn minors_have_guardians_and_protected_subsidies_are_rare() {
    let people = generate(7, 2000, today());
    let minors: Vec<&Recipient> = people
        .iter()
        .filter(|p| p.categories.contains(&Category::Minor))
        .collect();
    assert!(minors
        .iter()
        .all(|p| p.guardian.as_ref().is_some_and(|g| !g.name.is_empty())));
    let protected_minors = minors
        .iter()
        .filter(|p| p.has_protected_enrolment())
        .count();
    let rate = protected_minors as f64 / minors.len() as f64;
    assert!((0.08..=0.22).contains(&rate), "protected minors {rate}");
    let hiv = share(&people, |p| p.enrolments.iter().any(|e| e.code == "AZ01"));
    assert!(hiv < 0.03, "HIV allowance {hiv}");
}

#[test]
fn ids_are_unique_and_consistent() {
    let people = generate(7, 2000, today());
    let ids: HashSet<&str> = people.iter().map(|p| p.id_number.as_str()).collect();
    assert_eq!(ids.len(), people.len());
    assert_eq!(people[0].id, "LK-000001");
    for p in &people {
        assert_eq!(p.id_number.region(), "410225");
        assert_eq!(p.id_number.gender(), p.gender);
        assert_eq!(p.id_number.birth_date(), p.birth_date);
    }
}

#[test]
fn houses_near_their_village_and_visits_in_the_past() {
    let county = lankao();
    let people = generate(7, 2000, today());
    for p in &people {
        let v = county
            .villages
            .iter()
            .find(|v| v.code == p.village)
            .expect("a county village");
        if let Some(loc) = &p.location {
            let d = distance_m(to_wgs84(loc), (v.lat, v.lon));
            assert!(d <= 801.0, "{} is {d:.0} m from its village", p.id);
        }
        assert!(p.address.starts_with("兰考县") && p.address.contains(&v.name));
        if let Some(day) = p.last_visit {
            assert!(day <= today() && (today() - day).num_days() <= 120);
        }
    }
    let gcj = share(&people, |p| {
        p.location.is_some_and(|l| l.datum == Datum::Gcj02)
    });
    let none = share(&people, |p| p.location.is_none());
    let never = share(&people, |p| p.last_visit.is_none());
    let phone = share(&people, |p| p.phone.is_some());
    assert!((0.15..=0.25).contains(&gcj), "gcj02 {gcj}");
    assert!((0.01..=0.06).contains(&none), "no location {none}");
    assert!((0.11..=0.19).contains(&never), "never visited {never}");
    assert!((0.62..=0.78).contains(&phone), "phone {phone}");
}
