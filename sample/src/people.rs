//! The people on the demo roster: who they are, why they are visited at home, where they live
//! and who speaks for them.

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use doorstep_contract::geo::wgs84_to_gcj02;
use doorstep_contract::model::{
    CardStatus, Category, Datum, Gender, Guardian, IdNumber, Location, Phone, Recipient,
};

use crate::county::{lankao, Village};
use crate::id_number::id_number;
use crate::names;
use crate::rng::Rng;
use crate::subsidies::{self, NoSupport, Profile};

const REGION: &str = "410225";

/// The main reason a person is on the roster: (category, share of the roster, share of men,
/// share with a phone of their own). Some of the old are also disabled or seriously ill, which
/// lifts those two to about a quarter and a fifth. Women outlive men, so they are most of the
/// very old; few children have a phone.
const PRIMARY: [(Category, u32, f64, f64); 4] = [
    (Category::Elderly, 46, 0.42, 0.65),
    (Category::Disabled, 23, 0.55, 0.9),
    (Category::SeriouslyIll, 19, 0.55, 0.9),
    (Category::Minor, 12, 0.55, 0.05),
];

/// Ages of the very old (from, to, weight): most are in their early eighties.
const ELDERLY_AGES: [(u32, u32, u32); 5] = [
    (80, 84, 50),
    (85, 89, 30),
    (90, 94, 14),
    (95, 99, 5),
    (100, 103, 1),
];

const CARD_STATUS: [(CardStatus, u32); 5] = [
    (CardStatus::Active, 60),
    (CardStatus::IssuedInactive, 25),
    (CardStatus::NotIssued, 8),
    (CardStatus::Lost, 5),
    (CardStatus::Frozen, 2),
];

/// Mobile prefixes of China Mobile, Unicom and Telecom that are common in Henan.
const MOBILE_PREFIXES: [&str; 28] = [
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177", "180",
    "181", "189",
];

/// How a guardian is related, and what follows from it for their name and age.
struct Relation {
    name: &'static str,
    /// Paternal kin share the surname; mothers and those married in do not.
    same_surname: bool,
    gender: Gender,
    /// Years the guardian was born before the recipient (negative: after).
    gap: (i32, i32),
    weight: u32,
}

const fn rel(name: &'static str, same: bool, gender: Gender, gap: (i32, i32), w: u32) -> Relation {
    Relation {
        name,
        same_surname: same,
        gender,
        gap,
        weight: w,
    }
}

/// Who signs for a child. The parents come first so that children without parental support
/// can skip them; grandparents are common because parents work away (留守儿童).
const MINOR_GUARDIANS: [Relation; 7] = [
    rel("母亲", false, Gender::Female, (21, 38), 35),
    rel("父亲", true, Gender::Male, (22, 40), 25),
    rel("祖母", false, Gender::Female, (45, 65), 20),
    rel("祖父", true, Gender::Male, (45, 65), 10),
    rel("叔叔", true, Gender::Male, (18, 40), 5),
    rel("姑姑", true, Gender::Female, (18, 40), 3),
    rel("外祖母", false, Gender::Female, (45, 65), 2),
];
const PARENTS: usize = 2;

/// Who speaks for one of the very old who cannot manage alone.
const ELDER_PROXIES: [Relation; 3] = [
    rel("儿子", true, Gender::Male, (-40, -20), 6),
    rel("女儿", false, Gender::Female, (-40, -20), 3),
    rel("儿媳", false, Gender::Female, (-40, -18), 1),
];

/// Households lie within this distance of their village's site.
const MAX_SPREAD_M: f64 = 800.0;
/// Metres per degree of latitude on the mean sphere `doorstep_contract::geo` measures on.
const M_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// `count` recipients of the demo county; the same `(seed, count, today)` always gives the
/// same roster, and a longer roster starts with the shorter one. `today` must be after 2003:
/// ID numbers hold no births before 1900, and the oldest drawn are 103.
pub fn generate(seed: u64, count: usize, today: NaiveDate) -> Vec<Recipient> {
    let county = lankao();
    let mut draw = Draw {
        rng: Rng::new(seed),
        today,
        villages: &county.villages,
        id_numbers: HashSet::new(),
        phones: HashSet::new(),
    };
    (1..=count).map(|n| draw.recipient(n)).collect()
}

struct Draw<'a> {
    rng: Rng,
    today: NaiveDate,
    villages: &'a [Village],
    /// Numbers already handed out: an ID number or phone names one person.
    id_numbers: HashSet<String>,
    phones: HashSet<String>,
}

impl Draw<'_> {
    fn recipient(&mut self, n: usize) -> Recipient {
        let villages = self.villages;
        let village = self.rng.pick(villages);
        let (primary, _, male, own_phone) = PRIMARY[self.rng.weighted(&PRIMARY, |p| p.1)];
        let mut categories = vec![primary];
        if primary == Category::Elderly {
            if self.rng.chance(0.07) {
                categories.push(Category::Disabled);
            } else if self.rng.chance(0.05) {
                categories.push(Category::SeriouslyIll);
            }
        }
        categories.sort_unstable();
        let age = match primary {
            Category::Elderly => {
                let band = ELDERLY_AGES[self.rng.weighted(&ELDERLY_AGES, |b| b.2)];
                self.rng.range(band.0, band.1)
            }
            Category::Disabled => self.rng.range(18, 79),
            Category::SeriouslyIll => self.rng.range(30, 79),
            Category::Minor => self.rng.range(1, 17),
        };
        let gender = if self.rng.chance(male) {
            Gender::Male
        } else {
            Gender::Female
        };
        let birth = self.birth(age);
        let id_number = self.id_number(birth, gender);
        let surname = names::surname(&mut self.rng);
        let given = names::given(&mut self.rng, gender, birth.year());
        let no_support = (primary == Category::Minor && self.rng.chance(0.15)).then(|| {
            if self.rng.chance(0.4) {
                NoSupport::Orphan
            } else {
                NoSupport::Unsupported
            }
        });
        let guardian = match primary {
            Category::Minor => {
                let skip = if no_support.is_some() { PARENTS } else { 0 };
                Some(self.guardian(&MINOR_GUARDIANS[skip..], surname, birth.year(), 0.9))
            }
            Category::Elderly if self.rng.chance(0.3) => {
                Some(self.guardian(&ELDER_PROXIES, surname, birth.year(), 0.95))
            }
            _ => None,
        };
        let phone = self.rng.chance(own_phone).then(|| self.phone());
        let profile = Profile {
            categories: &categories,
            age,
            no_support,
        };
        let enrolments = subsidies::enrol(&mut self.rng, &profile);
        let (group, house) = (self.rng.range(1, 12), self.rng.range(1, 80));
        let location = self.location(village);
        let card_status = CARD_STATUS[self.rng.weighted(&CARD_STATUS, |c| c.1)].0;
        let last_visit = self
            .rng
            .chance(0.85)
            .then(|| self.today - Days::new(u64::from(self.rng.range(0, 120))));
        Recipient {
            id: format!("LK-{n:06}"),
            name: format!("{surname}{given}"),
            gender: id_number.gender(),
            birth_date: id_number.birth_date(),
            id_number,
            categories,
            village: village.code.clone(),
            address: format!(
                "兰考县{}{}{group}组{house}号",
                village.township, village.name
            ),
            location,
            phone,
            guardian,
            enrolments,
            card_status,
            last_visit,
        }
    }

    /// A birth date giving exactly `age` whole years on `today`.
    fn birth(&mut self, age: u32) -> NaiveDate {
        let latest = self
            .today
            .checked_sub_months(Months::new(12 * age))
            .expect("ages stay far from the calendar's ends");
        latest - Days::new(u64::from(self.rng.range(0, 364)))
    }

    fn id_number(&mut self, birth: NaiveDate, gender: Gender) -> IdNumber {
        loop {
            let k = self.rng.range(0, 498);
            let seq = match gender {
                Gender::Male => 2 * k + 1,
                Gender::Female => 2 * k + 2,
            };
            let raw = id_number(REGION, birth, seq);
            if self.id_numbers.insert(raw.clone()) {
                return IdNumber::parse(&raw, self.today).expect("generated numbers are valid");
            }
        }
    }

    fn guardian(&mut self, table: &[Relation], surname: char, year: i32, phone: f64) -> Guardian {
        let r = &table[self.rng.weighted(table, |r| r.weight)];
        let surname = if r.same_surname {
            surname
        } else {
            names::surname(&mut self.rng)
        };
        let gap = r.gap.0 + self.rng.range(0, (r.gap.1 - r.gap.0) as u32) as i32;
        let given = names::given(&mut self.rng, r.gender, year - gap);
        Guardian {
            name: format!("{surname}{given}"),
            relation: r.name.to_owned(),
            phone: self.rng.chance(phone).then(|| self.phone()),
        }
    }

    fn phone(&mut self) -> Phone {
        loop {
            let prefix = self.rng.pick(&MOBILE_PREFIXES);
            let raw = format!("{prefix}{:08}", self.rng.range(0, 99_999_999));
            if self.phones.insert(raw.clone()) {
                return Phone::parse(&raw).expect("generated numbers are valid");
            }
        }
    }

    /// A house near the village site; a fifth were geocoded on a Chinese web map (GCJ-02) and
    /// a few were never located at all.
    fn location(&mut self, village: &Village) -> Option<Location> {
        if self.rng.chance(0.03) {
            return None;
        }
        // Houses cluster around the centre (σ = 300 m puts 86 % within 600 m); redrawing past
        // the edge, less 5 m for rounding, keeps every house within MAX_SPREAD_M.
        let (north, east) = loop {
            let (n, e) = (self.rng.normal() * 300.0, self.rng.normal() * 300.0);
            if n.hypot(e) <= MAX_SPREAD_M - 5.0 {
                break (n, e);
            }
        };
        let lat = village.lat + north / M_PER_DEGREE;
        let lon = village.lon + east / (M_PER_DEGREE * village.lat.to_radians().cos());
        let (lat, lon, datum) = if self.rng.chance(0.2) {
            let (glat, glon) = wgs84_to_gcj02(lat, lon);
            (glat, glon, Datum::Gcj02)
        } else {
            (lat, lon, Datum::Wgs84)
        };
        // Six decimals (~0.1 m) is what a roster file carries, so the roster reads back equal.
        let round6 = |x: f64| (x * 1e6).round() / 1e6;
        Some(Location::new(round6(lat), round6(lon), datum).expect("inside the county"))
    }
}
