//! The words for each value a screen shows: the roster's categories and card states, what a
//! visit recorded, where it stands, and every flag with its measurement.

use super::{pick, Lang, Localize};
use crate::model::{CardStatus, Category, ChecklistTemplate, Gender};
use crate::visit::{
    Arrival, ChecklistAnswer, Flag, Missing, Outcome, SatisfactionLevel, ServerFlag, Signer, Step,
    TicketKind, Urgency, Warning,
};
use crate::wire::{Chain, Decision, ReceiptStatus, TicketState, VisitStatus};

/// A value whose words take no measurement: one pair per variant.
macro_rules! words {
    ($ty:ty { $($variant:pat => $zh:literal, $en:literal;)* }) => {
        impl Localize for $ty {
            fn localize(&self, lang: Lang) -> String {
                let (zh, en) = match self { $($variant => ($zh, $en),)* };
                pick(lang, zh, en).to_owned()
            }
        }
    };
}

words!(Category {
    Category::Elderly => "高龄", "elderly";
    Category::SeriouslyIll => "重病", "seriously ill";
    Category::Disabled => "残疾", "disabled";
    Category::Minor => "未成年", "minor";
});

words!(Gender {
    Gender::Male => "男", "male";
    Gender::Female => "女", "female";
});

words!(CardStatus {
    CardStatus::NotIssued => "未发卡", "not issued";
    CardStatus::IssuedInactive => "已发卡未激活", "issued, not activated";
    CardStatus::Active => "已激活", "active";
    CardStatus::Lost => "已挂失", "lost";
    CardStatus::Frozen => "已冻结", "frozen";
});

words!(Outcome {
    Outcome::MetPerson => "见到本人", "met the person";
    Outcome::MetProxy => "见到监护人或代理人", "met a guardian or proxy";
    Outcome::NobodyHome => "家中无人", "nobody home";
    Outcome::Refused => "拒绝入户", "refused";
    Outcome::Moved => "已搬离", "moved away";
    Outcome::Deceased => "已去世", "deceased";
    Outcome::InHospital => "住院中", "in hospital";
});

words!(Arrival {
    Arrival::Yes => "已到账", "arrived";
    Arrival::No => "未到账", "not arrived";
    Arrival::Unsure => "不确定", "unsure";
});

words!(TicketKind {
    TicketKind::Consultation => "政策咨询", "consultation";
    TicketKind::Complaint => "投诉", "complaint";
    TicketKind::CardProblem => "社保卡问题", "card problem";
    TicketKind::PaymentMissing => "补贴未到账", "payment missing";
    TicketKind::Other => "其他", "other";
});

words!(Urgency {
    Urgency::Low => "一般（15天内）", "low (15 days)";
    Urgency::Normal => "较急（7天内）", "normal (7 days)";
    Urgency::High => "紧急（3天内）", "urgent (3 days)";
});

words!(SatisfactionLevel {
    SatisfactionLevel::Satisfied => "满意", "satisfied";
    SatisfactionLevel::BasicallySatisfied => "基本满意", "basically satisfied";
    SatisfactionLevel::Dissatisfied => "不满意", "dissatisfied";
});

words!(Step {
    Step::Knock => "敲门问候", "knock: who was met";
    Step::Care => "串门关心", "care: subsidies and needs";
    Step::Open => "启门解惑", "open: questions and problems";
    Step::Checklist => "社保卡激活清单", "card checklist";
    Step::Sign => "签名确认", "signature";
    Step::Evidence => "留存走访凭证", "evidence of the attempt";
    Step::Ready => "可以完成", "ready";
});

words!(ServerFlag {
    ServerFlag::SameSpotOtherDevice => "另一台设备在同一位置记录了另一户", "another device recorded another household at the same spot";
    ServerFlag::PhotoReusedOtherDevice => "照片与另一台设备走访中的照片相同", "a photo matches one in another device's visit";
});

words!(VisitStatus {
    VisitStatus::Submitted => "待审核", "submitted";
    VisitStatus::Approved => "已通过", "approved";
    VisitStatus::Returned => "已退回", "returned";
    VisitStatus::Corrected => "已更正", "corrected";
    VisitStatus::Rejected => "已驳回", "rejected";
});

words!(Decision {
    Decision::Approve => "通过", "approved";
    Decision::Return => "退回更正", "returned for correction";
    Decision::Reject => "驳回", "rejected";
});

words!(TicketState {
    TicketState::Accepted => "已受理", "accepted";
    TicketState::Transferred => "已转办", "transferred";
    TicketState::Replied => "已回复", "replied";
    TicketState::Closed => "已办结", "closed";
});

words!(Chain {
    Chain::Ok => "完整", "ok";
    Chain::Gap => "缺少前一条记录", "a record before it is missing";
    Chain::Fork => "分叉：同一位置有另一条记录", "forked: another record claims its place";
});

words!(ReceiptStatus {
    ReceiptStatus::Stored => "服务器已收到", "on the server";
    ReceiptStatus::Duplicate => "服务器已有", "already on the server";
    ReceiptStatus::Conflict => "与服务器记录冲突", "conflicts with the server's record";
    ReceiptStatus::Refused => "服务器拒收", "refused by the server";
});

impl Localize for Signer {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Signer::Recipient => pick(lang, "本人签名", "signed by the person").to_owned(),
            Signer::Proxy { name, relation } => match lang {
                Lang::Zh => format!("代理人签名：{name}（{relation}）"),
                Lang::En => format!("signed by a proxy: {name} ({relation})"),
            },
            Signer::Thumbprint { .. } => pick(
                lang,
                "按手印（照片为证）",
                "thumbprint (a photo is the evidence)",
            )
            .to_owned(),
        }
    }
}

impl Localize for ChecklistAnswer {
    fn localize(&self, lang: Lang) -> String {
        match self {
            ChecklistAnswer::Done => pick(lang, "已完成", "done").to_owned(),
            ChecklistAnswer::NotApplicable => pick(lang, "不适用", "not applicable").to_owned(),
            ChecklistAnswer::Problem { note } => match lang {
                Lang::Zh => format!("有问题：{note}"),
                Lang::En => format!("problem: {note}"),
            },
        }
    }
}

impl Missing {
    /// What is missing, a checklist item named as its template words it.
    pub fn describe(&self, template: &ChecklistTemplate, lang: Lang) -> String {
        match self {
            Missing::Contact => pick(lang, "敲门结果", "who was met").to_owned(),
            Missing::ChecklistItem { key } => {
                let label = template
                    .items
                    .iter()
                    .find(|i| i.key == *key)
                    .map(|i| pick(lang, &i.label.zh, &i.label.en).to_owned())
                    .unwrap_or_else(|| key.clone());
                format!("{}{label}", pick(lang, "清单：", "checklist: "))
            }
            Missing::Signature => pick(lang, "签名", "signature").to_owned(),
            Missing::ThumbprintPhoto => pick(lang, "手印照片", "thumbprint photo").to_owned(),
            Missing::AttemptEvidence => pick(
                lang,
                "照片或说明（未见到人时）",
                "a photo or a note of the attempt",
            )
            .to_owned(),
        }
    }
}

/// With the built-in checklist's labels.
impl Localize for Missing {
    fn localize(&self, lang: Lang) -> String {
        self.describe(&ChecklistTemplate::builtin(), lang)
    }
}

impl Warning {
    /// What to double-check; a subsidy by the name `subsidy_name` gives it (a protected
    /// subsidy's name must not be given), a checklist item as its template words it.
    pub fn describe(
        &self,
        template: &ChecklistTemplate,
        subsidy_name: &dyn Fn(&str) -> Option<String>,
        lang: Lang,
    ) -> String {
        match self {
            Warning::SubsidyNotChecked { code } => {
                let name = subsidy_name(code)
                    .unwrap_or_else(|| pick(lang, "一项补贴", "a subsidy").to_owned());
                format!(
                    "{}{name}",
                    pick(lang, "未核对补贴到账：", "subsidy not checked: ")
                )
            }
            Warning::SatisfactionNotAsked => {
                pick(lang, "未询问满意度", "satisfaction not asked").to_owned()
            }
            Warning::ChecklistProblemWithoutTicket { key } => {
                let label = template
                    .items
                    .iter()
                    .find(|i| i.key == *key)
                    .map(|i| pick(lang, &i.label.zh, &i.label.en).to_owned())
                    .unwrap_or_else(|| key.clone());
                format!(
                    "{}{label}",
                    pick(
                        lang,
                        "清单问题未转工单：",
                        "checklist problem without a ticket: "
                    )
                )
            }
        }
    }
}

/// With the built-in checklist's labels, and subsidies by their codes.
impl Localize for Warning {
    fn localize(&self, lang: Lang) -> String {
        self.describe(&ChecklistTemplate::builtin(), &|c| Some(c.to_owned()), lang)
    }
}

impl Localize for Flag {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Flag::NoLocation, _) => pick(lang, "没有定位", "no location recorded").to_owned(),
            (
                Flag::TooFar {
                    distance_m,
                    accuracy_m,
                },
                Lang::Zh,
            ) => {
                format!("距住户{distance_m}米（精度±{accuracy_m}米），超出范围")
            }
            (
                Flag::TooFar {
                    distance_m,
                    accuracy_m,
                },
                Lang::En,
            ) => {
                format!("{distance_m} m from the household (±{accuracy_m} m), outside the geofence")
            }
            (Flag::MockLocation, _) => pick(
                lang,
                "系统报告使用了模拟定位",
                "the OS reported a mock location",
            )
            .to_owned(),
            (Flag::Inaccurate { accuracy_m }, Lang::Zh) => {
                format!("定位精度太差（±{accuracy_m}米）")
            }
            (Flag::Inaccurate { accuracy_m }, Lang::En) => {
                format!("location too imprecise (±{accuracy_m} m)")
            }
            (Flag::FixTooOld { minutes }, Lang::Zh) => format!("定位在走访开始前{minutes}分钟取得"),
            (Flag::FixTooOld { minutes }, Lang::En) => {
                format!("the fix was taken {minutes} min before the visit began")
            }
            (Flag::TooShort { minutes }, Lang::Zh) => format!("走访只用了{minutes}分钟"),
            (Flag::TooShort { minutes }, Lang::En) => format!("the visit took only {minutes} min"),
            (Flag::ImpossibleSpeed { kmh }, Lang::Zh) => {
                format!("与上一次走访之间的移动速度不可能（{kmh}公里/小时）")
            }
            (Flag::ImpossibleSpeed { kmh }, Lang::En) => {
                format!("impossible travel from the previous visit ({kmh} km/h)")
            }
            (Flag::SameSpotOtherHousehold, _) => pick(
                lang,
                "同一位置近期用于另一户",
                "the same spot was recorded for another household lately",
            )
            .to_owned(),
            (Flag::PhotoReused, _) => pick(
                lang,
                "照片与另一次走访的照片相同",
                "a photo is the same as one in another visit",
            )
            .to_owned(),
            (Flag::ClockSkew { seconds }, Lang::Zh) => format!("设备时钟与卫星时间相差{seconds}秒"),
            (Flag::ClockSkew { seconds }, Lang::En) => {
                format!("the device clock is {seconds} s from satellite time")
            }
        }
    }
}

/// A flag's kind in a few words, by its code (the device's flags and the server's): for the
/// review queue's filter and rows, where no measurement is shown.
pub fn flag_kind(code: &str, lang: Lang) -> Option<&'static str> {
    let (zh, en) = match code {
        "no_location" => ("没有定位", "no location"),
        "too_far" => ("离住户太远", "too far from the household"),
        "mock_location" => ("模拟定位", "mock location"),
        "inaccurate" => ("定位不准", "inaccurate fix"),
        "fix_too_old" => ("定位过旧", "fix too old"),
        "too_short" => ("走访时间过短", "visit too short"),
        "impossible_speed" => ("移动速度不可能", "impossible speed"),
        "same_spot_other_household" => ("同一位置用于另一户", "same spot, another household"),
        "clock_skew" => ("设备时钟偏差", "clock off"),
        "photo_reused" => ("照片重复使用", "photo reused"),
        "same_spot_other_device" => ("另一设备同一位置", "same spot, another device"),
        "photo_reused_other_device" => ("与另一设备照片相同", "photo from another device"),
        _ => return None,
    };
    Some(pick(lang, zh, en))
}
