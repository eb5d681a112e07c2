//! The subsidies paid onto the social security card that a visit checks, with amounts per
//! payment in fen at roughly Henan's current standards.

use doorstep_contract::model::{Category, Enrolment};

use crate::rng::Rng;

/// Why a minor has no one obliged to support them. Both subsidies it brings are protected:
/// naming them tells the neighbours the child's story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoSupport {
    Orphan,
    Unsupported,
}

/// What decides a person's subsidies.
#[derive(Debug)]
pub(crate) struct Profile<'a> {
    pub categories: &'a [Category],
    pub age: u32,
    pub no_support: Option<NoSupport>,
}

/// (code, short name, protected).
type Subsidy = (&'static str, &'static str, bool);

const OLD_AGE: Subsidy = ("GL01", "高龄津贴", false);
const PENSION: Subsidy = ("YL01", "城乡居民基础养老金", false);
const HARDSHIP: Subsidy = ("CJ01", "困难残疾人生活补贴", false);
const CARE: Subsidy = ("CJ02", "重度残疾人护理补贴", false);
const DIBAO: Subsidy = ("DB01", "最低生活保障", false);
const TEKUN: Subsidy = ("TK01", "特困人员救助供养", false);
const FARMLAND: Subsidy = ("GD01", "耕地地力保护补贴", false);
const ORPHAN: Subsidy = ("GE01", "孤儿基本生活费", true);
const UNSUPPORTED: Subsidy = ("SW01", "事实无人抚养儿童基本生活费", true);
const HIV: Subsidy = ("AZ01", "艾滋病病毒感染者生活补助", true);

fn at((code, short_name, protected): Subsidy, amount_fen: i64) -> Enrolment {
    Enrolment {
        code: code.to_owned(),
        short_name: short_name.to_owned(),
        amount_fen,
        protected,
    }
}

/// The subsidies of one person, in the order a county export lists them.
pub(crate) fn enrol(rng: &mut Rng, p: &Profile<'_>) -> Vec<Enrolment> {
    let has = |c: Category| p.categories.contains(&c);
    let mut out = Vec::new();
    match p.no_support {
        // Orphans and children without support get the same monthly standard.
        Some(NoSupport::Orphan) => out.push(at(ORPHAN, 146_000)),
        Some(NoSupport::Unsupported) => out.push(at(UNSUPPORTED, 146_000)),
        None => {}
    }
    if p.age >= 80 {
        let fen = match p.age {
            ..=89 => 5_000,
            90..=99 => 10_000,
            _ => 30_000,
        };
        out.push(at(OLD_AGE, fen));
    }
    if p.age >= 60 {
        out.push(at(PENSION, 14_300));
    }
    if has(Category::Disabled) {
        if rng.chance(0.6) {
            // Grade one disability is paid more care than grade two.
            out.push(at(CARE, if rng.chance(0.4) { 10_000 } else { 8_000 }));
        }
        if rng.chance(0.5) {
            out.push(at(HARDSHIP, 9_000));
        }
    }
    let dibao_share = if has(Category::SeriouslyIll) {
        0.35
    } else if has(Category::Disabled) {
        0.3
    } else if has(Category::Minor) {
        0.25
    } else {
        0.12
    };
    // 特困 support replaces 低保 for the old with no one obliged to support them, and a child
    // on a protected allowance is not also on 低保.
    if p.age >= 60 && rng.chance(0.04) {
        out.push(at(TEKUN, 54_200));
    } else if p.no_support.is_none() && rng.chance(dibao_share) {
        out.push(at(DIBAO, *rng.pick(&[22_000, 26_000, 31_000])));
    }
    if p.age >= 18 {
        if rng.chance(0.45) {
            // Paid once a year per mu (亩) of contracted land.
            out.push(at(FARMLAND, i64::from(rng.range(2, 9)) * 10_400));
        }
        if rng.chance(0.01) {
            out.push(at(HIV, 20_000));
        }
    }
    out
}
