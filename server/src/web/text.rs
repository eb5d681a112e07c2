//! Every string the web app shows, Simplified Chinese first, English second. Keys are the
//! English words; a page asks `t(lang, key)`.

/// The page's language: Chinese unless the supervisor switched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

const TEXTS: &[(&str, &str)] = &[
    ("Doorstep", "三门行动走访核查"),
    ("Log in", "登录"),
    ("Log out", "退出"),
    ("Login", "账号"),
    ("Password", "密码"),
    ("Wrong login or password", "账号或密码错误"),
    (
        "Too many attempts: wait a few minutes",
        "尝试次数过多，请几分钟后再试",
    ),
    ("Review queue", "审核队列"),
    ("Tickets", "问题台账"),
    ("Coverage", "走访覆盖"),
    ("Status", "状态"),
    ("Flag", "标记"),
    ("Village", "村（社区）"),
    ("Worker", "走访人员"),
    ("From", "起"),
    ("To", "止"),
    ("Filter", "筛选"),
    ("any", "全部"),
    ("flagged", "有标记"),
    ("Visit", "走访"),
    ("Started", "开始时间"),
    ("Flags", "标记"),
    ("Chain", "链"),
    ("visits", "条走访"),
    ("Previous", "上一页"),
    ("Next", "下一页"),
    ("submitted", "待审核"),
    ("approved", "已通过"),
    ("returned", "已退回"),
    ("rejected", "已驳回"),
    ("corrected", "已更正"),
    ("Approve", "通过"),
    ("Return for correction", "退回更正"),
    ("Reject", "驳回"),
    (
        "Comment (required to return or reject)",
        "意见（退回或驳回时必填）",
    ),
    (
        "A comment is required to return or reject",
        "退回或驳回必须填写意见",
    ),
    ("This visit has already been decided", "该走访已审核"),
    ("Household", "服务对象"),
    ("ID number", "身份证号"),
    ("Map", "位置"),
    ("Knock", "敲门问候"),
    ("Care", "串门关心"),
    ("Open", "启门解惑"),
    ("Outcome", "结果"),
    ("Present", "在场人员"),
    ("Subsidies", "补贴到账"),
    ("protected subsidy", "受保护补贴"),
    ("Policies explained", "政策宣讲"),
    ("Living situation", "生活情况"),
    ("Needs", "诉求"),
    ("Questions answered", "答疑"),
    ("Satisfaction", "满意度"),
    ("Checklist", "激活清单"),
    ("Signature", "签名"),
    ("Photos", "照片"),
    ("Notes", "备注"),
    ("History", "审核记录"),
    ("Corrected by", "更正记录"),
    ("Corrects", "更正自"),
    ("Signature valid", "设备签名有效"),
    ("Signature INVALID", "设备签名无效"),
    ("none", "无"),
    ("household", "住户位置"),
    ("start", "开始"),
    ("end", "结束"),
    ("best", "最佳定位"),
    ("geofence", "地理围栏"),
    ("Department", "转办部门"),
    ("Reply", "回复"),
    ("Close", "办结"),
    ("Transfer", "转办"),
    ("Due", "期限"),
    ("overdue", "已逾期"),
    ("accepted", "已受理"),
    ("transferred", "已转办"),
    ("replied", "已回复"),
    ("closed", "已办结"),
    ("Description", "问题描述"),
    ("Kind", "类别"),
    ("Urgency", "紧急程度"),
    ("Save", "保存"),
    ("Not found", "未找到"),
    (
        "The form expired: reload the page and try again",
        "表单已过期，请刷新页面后重试",
    ),
    ("Decision", "审核结论"),
    ("English", "English"),
    ("Administration", "管理"),
    ("Devices", "设备"),
    ("Enrolled", "注册时间"),
    ("revoked", "已停用"),
    ("Revoke", "停用"),
    ("Enrolment codes", "注册码"),
    ("Issue a code", "生成注册码"),
    ("Roster import", "导入花名册"),
    ("Import", "导入"),
    ("中文", "中文"),
];

/// `key` in `lang`; a key missing from the catalogue shows as itself.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    match lang {
        Lang::En => key,
        Lang::Zh => TEXTS
            .iter()
            .find(|(en, _)| *en == key)
            .map_or(key, |(_, zh)| zh),
    }
}

/// A flag explained in words, with its measurements.
pub fn flag(lang: Lang, kind: &str, detail: &serde_json::Value) -> String {
    let n = |k: &str| {
        detail
            .get(k)
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0)
    };
    match (lang, kind) {
        (Lang::Zh, "too_far") => format!(
            "距住户{}米（定位精度{}米），超出地理围栏",
            n("distance_m"),
            n("accuracy_m")
        ),
        (Lang::En, "too_far") => format!(
            "{} m from the household (accuracy {} m), outside the geofence",
            n("distance_m"),
            n("accuracy_m")
        ),
        (Lang::Zh, "no_location") => "未记录任何定位".into(),
        (Lang::En, "no_location") => "no position was recorded".into(),
        (Lang::Zh, "mock_location") => "系统报告使用了模拟定位".into(),
        (Lang::En, "mock_location") => "the phone reported a mock location".into(),
        (Lang::Zh, "inaccurate") => format!("定位精度仅{}米", n("accuracy_m")),
        (Lang::En, "inaccurate") => format!("the fix was only accurate to {} m", n("accuracy_m")),
        (Lang::Zh, "fix_too_old") => format!("定位比走访开始早{}分钟", n("minutes")),
        (Lang::En, "fix_too_old") => format!(
            "the fix was taken {} minutes before the visit",
            n("minutes")
        ),
        (Lang::Zh, "too_short") => format!("走访仅{}分钟，短于要求", n("minutes")),
        (Lang::En, "too_short") => format!(
            "the visit took {} minutes, shorter than required",
            n("minutes")
        ),
        (Lang::Zh, "impossible_speed") => format!("与上一次走访之间的速度达{}公里/小时", n("kmh")),
        (Lang::En, "impossible_speed") => format!("{} km/h from the previous visit", n("kmh")),
        (Lang::Zh, "same_spot_other_household") => "同一位置近期记录过另一户".into(),
        (Lang::En, "same_spot_other_household") => {
            "the same spot was recorded for another household lately".into()
        }
        (Lang::Zh, "clock_skew") => format!("设备时钟与卫星时间相差{}秒", n("seconds")),
        (Lang::En, "clock_skew") => {
            format!("the device clock was {} s off satellite time", n("seconds"))
        }
        (Lang::Zh, "photo_reused") => "照片与本设备另一次走访的照片相同".into(),
        (Lang::En, "photo_reused") => {
            "a photo matches one from another visit on this device".into()
        }
        (Lang::Zh, "same_spot_other_device") => "另一台设备在同一位置记录了另一户".into(),
        (Lang::En, "same_spot_other_device") => {
            "another device recorded another household at the same spot".into()
        }
        (Lang::Zh, "photo_reused_other_device") => "照片与另一台设备走访中的照片相同".into(),
        (Lang::En, "photo_reused_other_device") => {
            "a photo matches one in another device's visit".into()
        }
        (_, other) => other.to_owned(),
    }
}

/// A status, a ticket state or a flag kind by its stored name.
pub fn word(lang: Lang, stored: &str) -> String {
    TEXTS.iter().find(|(en, _)| *en == stored).map_or_else(
        || stored.to_owned(),
        |(en, zh)| match lang {
            Lang::En => (*en).to_owned(),
            Lang::Zh => (*zh).to_owned(),
        },
    )
}
