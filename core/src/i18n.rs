//! The catalogue of strings shown to people, Simplified Chinese first, English second. Errors
//! and labels are rendered here so every shell says the same thing in the same words.

use crate::error::Error;
use crate::model::{CardStatus, Category, ChecklistTemplate, Invalid};
use crate::roster::{RosterFault, RowError, RowProblem};
use crate::visit::{Flag, Missing, Step, Warning};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// From a locale such as `DOORSTEP_LANG` or `LANG`: English for `en…`, Chinese otherwise.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// Something that can be said to a person.
pub trait Localize {
    fn localize(&self, lang: Lang) -> String;
}

impl Localize for Invalid {
    fn localize(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Invalid::IdLength { found } => format!("身份证号应为18位，实际{found}位"),
            Invalid::IdNotDigits => "身份证号应为17位数字加一位数字或X".into(),
            Invalid::IdRegion => "身份证号地区码无效".into(),
            Invalid::IdBirthDate => "身份证号中的出生日期无效".into(),
            Invalid::IdCheckDigit { expected, found } => {
                format!("身份证号校验位应为{expected}，实际为{found}")
            }
            Invalid::DivisionFormat => "区划代码应为12位数字".into(),
            Invalid::DivisionProvince => "区划代码的省级代码无效".into(),
            Invalid::DivisionNotVillage => "区划代码不是村级代码".into(),
            Invalid::PhoneFormat => "手机号应为11位".into(),
            Invalid::PhonePrefix => "手机号应以13至19开头".into(),
            Invalid::Category => "未知类别（高龄、重病、残疾、未成年）".into(),
            Invalid::NoCategory => "至少需要一个类别".into(),
            Invalid::Gender => "性别应为男或女".into(),
            Invalid::GenderMismatch => "性别与身份证号不符".into(),
            Invalid::BirthDateMismatch => "出生日期与身份证号不符".into(),
            Invalid::Date => "日期格式应为YYYY-MM-DD".into(),
            Invalid::FutureDate => "日期在将来".into(),
            Invalid::CardStatus => {
                "未知社保卡状态（not_issued、issued_inactive、active、lost、frozen）".into()
            }
            Invalid::Datum => "坐标系应为wgs84或gcj02".into(),
            Invalid::Latitude => "纬度应为-90到90之间的数".into(),
            Invalid::Longitude => "经度应为-180到180之间的数".into(),
            Invalid::HalfLocation => "经度和纬度须同时填写".into(),
            Invalid::EnrolmentShape => "补贴项应为 代码:简称:金额:是否保护".into(),
            Invalid::EnrolmentAmount => "补贴金额应为元，最多两位小数".into(),
            Invalid::EnrolmentProtected => "补贴保护标志应为0或1".into(),
            Invalid::MinorWithoutGuardian => "未成年人须填写监护人姓名和关系".into(),
            Invalid::HalfGuardian => "监护人姓名和关系须同时填写".into(),
            Invalid::MinorAge => "未成年类别与出生日期不符".into(),
            Invalid::Required => "必填".into(),
            Invalid::TooLong => "过长".into(),
            Invalid::RosterId => "编号应为1至64位字母、数字、-、_或.".into(),
            Invalid::Interval => "走访间隔应为1至3650天".into(),
            Invalid::UnknownField => "未知的列".into(),
            Invalid::SignatureFormat => "签名数据格式不对（应含宽、高和笔画）".into(),
            Invalid::SignatureCanvas => "签名画布每边应为64到4096像素".into(),
            Invalid::SignatureOutside => "签名的点超出画布，或压力不在0到1之间".into(),
            Invalid::SignatureTime => "签名笔画的时间倒退".into(),
            Invalid::SignatureTooLittle => "笔迹太少，不像签名".into(),
            Invalid::SignatureDot => "签名只是一个点".into(),
            Invalid::SignatureLine => "签名只是一条直线".into(),
            Invalid::VisitNoContact => "请先记录敲门见到了谁".into(),
            Invalid::VisitNotMet => "未见到本人或代理人：此项不适用".into(),
            Invalid::VisitContactLocked => {
                "已记录入户内容，不能改为未见到；如需更正请新建走访".into()
            }
            Invalid::VisitUnknownSubsidy => "服务对象未享受该项补贴".into(),
            Invalid::VisitUnknownItem => "清单中没有此项".into(),
            Invalid::VisitNotProxy => "此项仅适用于监护人或代理人".into(),
            Invalid::VisitTicketItem => "只有标为有问题的清单项才能转为工单".into(),
            Invalid::VisitThumbprintStrokes => "按手印没有笔画，以照片为证".into(),
            Invalid::VisitSignerAbsent => "未见到本人，本人不能签名".into(),
            Invalid::FixAccuracy => "定位精度应为正的米数".into(),
            Invalid::FixFromFuture => "定位时间比现在晚一天以上".into(),
            Invalid::VisitSealed => "走访已封存，不能修改（更正需新建走访）".into(),
            Invalid::VisitIncomplete => "走访尚未完成：请查看缺少的项目".into(),
            Invalid::VisitNotSealed => "走访仍是草稿：直接修改即可，无需更正".into(),
            Invalid::PhotoFormat => "照片须为JPEG或PNG文件".into(),
            Invalid::PhotoTooLarge => "照片声明的像素数超过任何相机".into(),
            Invalid::PhotoDamaged => "照片已损坏或不完整".into(),
        }
    }
}

impl Localize for RowProblem {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (RowProblem::Invalid(i), _) => i.localize(lang),
            (_, Lang::En) => self.to_string(),
            (RowProblem::DuplicateId { first_line }, Lang::Zh) => {
                format!("编号与第{first_line}行重复")
            }
            (RowProblem::DuplicateIdNumber { first_line }, Lang::Zh) => {
                format!("身份证号与第{first_line}行重复（编号不同）")
            }
            (RowProblem::IdNumberInStore { other_id }, Lang::Zh) => {
                format!("身份证号已在花名册中，编号为{other_id}")
            }
            (RowProblem::FieldCount { found, expected }, Lang::Zh) => {
                format!("有{found}个字段，而表头有{expected}列")
            }
            (RowProblem::NotUtf8, Lang::Zh) => "不是有效的UTF-8编码".into(),
            (RowProblem::OutsideArea { area }, Lang::Zh) => {
                format!("村（社区）不在本次导入的区域 {area} 内")
            }
            (RowProblem::BadCsv, Lang::Zh) => "CSV格式错误".into(),
            (RowProblem::NotAnObject, Lang::Zh) => "该项不是对象".into(),
            (RowProblem::NotText, Lang::Zh) => "须为文本、数字或列表".into(),
            (RowProblem::StoredUnreadable, Lang::Zh) => {
                "已存记录无法读取，无法保留本文件未提供的列".into()
            }
        }
    }
}

impl Localize for RosterFault {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (RosterFault::Header, Lang::Zh) => "第1行：无法读取表头".into(),
            (RosterFault::MissingColumn(c), Lang::Zh) => format!("第1行：表头缺少“{c}”列"),
            (RosterFault::DuplicateColumn(c), Lang::Zh) => format!("第1行：“{c}”列出现两次"),
            (RosterFault::UnknownColumn(c), Lang::Zh) => format!("第1行：未知的列“{c}”"),
            (RosterFault::NotJsonArray { line, column }, Lang::Zh) => {
                format!("不是JSON对象数组（第{line}行，第{column}列）")
            }
        }
    }
}

impl Localize for RowError {
    fn localize(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!(
                "line {}, {}: {}",
                self.line,
                self.field,
                self.problem.localize(lang)
            ),
            Lang::Zh => format!(
                "第{}行，{}：{}",
                self.line,
                self.field,
                self.problem.localize(lang)
            ),
        }
    }
}

impl Localize for Error {
    fn localize(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return match self {
                Error::Invalid(i) => i.localize(lang),
                other => other.to_string(),
            };
        }
        match self {
            Error::NoStore { path } => {
                format!("{} 没有数据库：请先运行 `doorstep init`", path.display())
            }
            Error::AlreadyExists { path } => format!("{} 已有数据库", path.display()),
            Error::NotAStore { path } => {
                format!("{} 不是 Doorstep 数据库，或创建未完成", path.display())
            }
            Error::NewerSchema { found, supported } => format!(
                "数据库由更新版本的 Doorstep 写入（版本{found}，本程序最高支持{supported}）：请更新应用"
            ),
            Error::Locked => "数据库正被其他进程使用：请稍后再试".into(),
            Error::WrongKey => "口令或密钥错误：数据库未作任何改动".into(),
            Error::KeysChanged => "其他进程已更改数据库密钥：请重新打开".into(),
            Error::VaultKind { expected, found } => {
                format!("数据库由 {expected} 密钥库保护，而不是 {found}")
            }
            Error::Corrupt { table, id } => {
                format!("{table} 中的记录 {id} 无法读取：密文已损坏")
            }
            Error::NotFound { id } => format!("没有编号为 {id} 的服务对象"),
            Error::NoVisit { id } => format!("没有编号为 {id} 的走访"),
            Error::Invalid(i) => i.localize(lang),
            Error::InvalidRows(rows) => format!(
                "花名册有{}行无效，未导入任何数据",
                crate::roster::lines_with_errors(rows)
            ),
            Error::RosterFormat(fault) => format!("无法读取花名册文件：{}", fault.localize(lang)),
            Error::Crypto(e) => format!("加密错误：{e}"),
            Error::Sqlite(e) => format!("存储错误：{e}"),
            Error::Io(e) => format!("文件错误：{e}"),
            Error::Sync(e) => e.localize(lang),
        }
    }
}

impl Localize for Category {
    fn localize(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.label_zh().to_owned(),
            Lang::En => self.code().replace('_', " "),
        }
    }
}

impl Localize for CardStatus {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (CardStatus::NotIssued, Lang::Zh) => "未发卡".into(),
            (CardStatus::IssuedInactive, Lang::Zh) => "已发卡未激活".into(),
            (CardStatus::Active, Lang::Zh) => "已激活".into(),
            (CardStatus::Lost, Lang::Zh) => "已挂失".into(),
            (CardStatus::Frozen, Lang::Zh) => "已冻结".into(),
            (s, Lang::En) => s.code().replace('_', " "),
        }
    }
}

impl Localize for Step {
    fn localize(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            Step::Knock => ("敲门问候", "knock: who was met"),
            Step::Care => ("串门关心", "care: subsidies and needs"),
            Step::Open => ("启门解惑", "open: questions and problems"),
            Step::Checklist => ("社保卡激活清单", "card checklist"),
            Step::Sign => ("签名确认", "signature"),
            Step::Evidence => ("留存走访凭证", "evidence of the attempt"),
            Step::Ready => ("可以完成", "ready"),
        };
        pick(lang, zh, en).to_owned()
    }
}

impl Localize for Missing {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Missing::Contact => pick(lang, "敲门结果", "who was met").to_owned(),
            Missing::ChecklistItem { key } => {
                let label = ChecklistTemplate::builtin()
                    .items
                    .into_iter()
                    .find(|i| i.key == *key)
                    .map(|i| {
                        if lang == Lang::Zh {
                            i.label.zh
                        } else {
                            i.label.en
                        }
                    })
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

impl Localize for Warning {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Warning::SubsidyNotChecked { code } => {
                format!(
                    "{}{code}",
                    pick(lang, "未核对补贴到账：", "subsidy not checked: ")
                )
            }
            Warning::SatisfactionNotAsked => {
                pick(lang, "未询问满意度", "satisfaction not asked").to_owned()
            }
            Warning::ChecklistProblemWithoutTicket { key } => format!(
                "{}{key}",
                pick(
                    lang,
                    "清单问题未转工单：",
                    "checklist problem without a ticket: "
                )
            ),
        }
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
            (Flag::MockLocation, _) => {
                pick(lang, "系统报告模拟定位", "the OS reported a mock location").to_owned()
            }
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

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Labels of the shells' screens and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Id,
    Name,
    IdNumber,
    Village,
    Categories,
    Card,
    DueDate,
    Overdue,
    Distance,
    Address,
    Phone,
    Guardian,
    Subsidies,
    Protected,
    ProtectedHidden,
    LastVisit,
    NeverVisited,
    Unreadable,
    Imported,
    Skipped,
    StoreCreated,
    PassphraseChanged,
    Rotated,
    RotationResumed,
    Revealed,
    DueToday,
    Of,
    RotationPending,
    RotationDue,
    ErrorPrefix,
    PromptPassphrase,
    PromptNewPassphrase,
    PromptAgain,
    VarEmpty,
    NoPassphrase,
    EmptyPassphrase,
    PassphrasesDiffer,
    BadNow,
    NoStoreFolder,
    BadNear,
    BadDays,
    New,
    Updated,
    Villages,
    Recipients,
    WithKeyDerivation,
    Showing,
    LookAround,
    KeyId,
    Rows,
    UnreadableKept,
    PassphraseTooShort,
    Visit,
    Step,
    MissingMark,
    WarningMark,
    CanFinish,
    BadActions,
    Attestation,
    FlagMark,
    Sealed,
    Verified,
    NotVerified,
    VisitsSealed,
    ExportNotEmpty,
    DeviceKey,
}

impl Text {
    /// The text with its one `{}` filled in.
    pub fn fill(self, lang: Lang, value: &str) -> String {
        self.get(lang).replacen("{}", value, 1)
    }

    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Text::Id => ("编号", "id"),
            Text::Name => ("姓名", "name"),
            Text::IdNumber => ("身份证号", "ID number"),
            Text::Village => ("村", "village"),
            Text::Categories => ("类别", "categories"),
            Text::Card => ("社保卡", "card"),
            Text::DueDate => ("应访日期", "due"),
            Text::Overdue => ("逾期天数", "overdue days"),
            Text::Distance => ("距离(米)", "distance (m)"),
            Text::Address => ("地址", "address"),
            Text::Phone => ("电话", "phone"),
            Text::Guardian => ("监护人", "guardian"),
            Text::Subsidies => ("补贴", "subsidies"),
            Text::Protected => ("受保护", "protected"),
            Text::ProtectedHidden => (
                "受保护补贴（已隐藏；使用 --reveal-protected 查看，查看将被记录）",
                "protected subsidy (hidden; --reveal-protected shows it, and the reveal is logged)",
            ),
            Text::LastVisit => ("上次走访", "last visit"),
            Text::NeverVisited => ("从未走访", "never visited"),
            Text::Unreadable => ("条记录无法读取", "record(s) could not be read"),
            Text::Imported => ("导入", "imported"),
            Text::Skipped => ("跳过", "skipped"),
            Text::StoreCreated => ("已创建加密数据库", "encrypted store created"),
            Text::PassphraseChanged => ("口令已更改", "passphrase changed"),
            Text::Rotated => ("数据密钥已轮换", "data key rotated"),
            Text::RotationResumed => (
                "（续完上次中断的轮换）",
                "(finished an interrupted rotation)",
            ),
            Text::Revealed => (
                "已查看受保护补贴，已记录",
                "protected subsidies revealed and logged",
            ),
            Text::DueToday => ("今日应访", "due today"),
            Text::Of => ("共", "of"),
            Text::RotationPending => (
                "有一次中断的数据密钥轮换：运行 `doorstep key rotate` 完成它",
                "a data-key rotation was interrupted: run `doorstep key rotate` to finish it",
            ),
            Text::ErrorPrefix => ("错误", "error"),
            Text::PromptPassphrase => ("口令 / passphrase: ", "passphrase: "),
            Text::PromptNewPassphrase => ("新口令 / new passphrase: ", "new passphrase: "),
            Text::PromptAgain => ("再次输入 / again: ", "again: "),
            Text::VarEmpty => ("{} 为空", "{} is empty"),
            Text::NoPassphrase => (
                "没有口令：请设置 {} 或在终端中运行",
                "no passphrase: set {} or run in a terminal",
            ),
            Text::EmptyPassphrase => ("口令为空", "the passphrase is empty"),
            Text::PassphrasesDiffer => ("两次输入的口令不同", "the two passphrases differ"),
            Text::BadNow => (
                "DOORSTEP_NOW 须为 RFC 3339 时间",
                "DOORSTEP_NOW must be an RFC 3339 time",
            ),
            Text::NoStoreFolder => (
                "没有数据库目录：请用 --store DIR 或设置 DOORSTEP_STORE",
                "no store folder: pass --store DIR or set DOORSTEP_STORE",
            ),
            Text::BadNear => (
                "--near 须为十进制度数 纬度,经度，例如 34.82,114.81",
                "--near must be LAT,LON in decimal degrees, e.g. 34.82,114.81",
            ),
            Text::BadDays => ("天数须在1到3650之间", "days must be from 1 to 3650"),
            Text::New => ("新增", "new"),
            Text::Updated => ("更新", "updated"),
            Text::Villages => ("个村", "villages"),
            Text::Recipients => ("名服务对象", "recipients"),
            Text::WithKeyDerivation => ("含口令派生", "including key derivation"),
            Text::Showing => ("显示前", "showing"),
            Text::LookAround => ("继续浏览", "Look around"),
            Text::KeyId => ("密钥", "key"),
            Text::Visit => ("走访", "visit"),
            Text::Step => ("当前步骤", "step"),
            Text::MissingMark => ("缺：", "missing:"),
            Text::WarningMark => ("注意：", "check:"),
            Text::CanFinish => ("可以完成走访", "ready to finish"),
            Text::FlagMark => ("提示：", "flag:"),
            Text::Sealed => ("已封存走访", "sealed visit"),
            Text::Verified => ("验证通过", "verified"),
            Text::NotVerified => ("验证未通过", "verification failed"),
            Text::VisitsSealed => ("昨日走访已封存", "visits sealed yesterday"),
            Text::DeviceKey => ("设备密钥", "device key"),
            Text::ExportNotEmpty => (
                "导出目录须为新目录或空目录",
                "the export folder must be new or empty",
            ),
            Text::BadActions => ("操作文件有误：{}", "the actions file is wrong: {}"),
            Text::Attestation => (
                "本人确认以上走访内容属实",
                "I confirm this record of the visit is true",
            ),
            Text::PassphraseTooShort => (
                "新口令至少需要{}个字符",
                "a new passphrase needs at least {} characters",
            ),
            Text::Rows => ("条记录", "rows"),
            Text::UnreadableKept => (
                "条记录无法读取，仍由旧密钥保护（旧密钥保留）",
                "record(s) could not be read and stay under the old key, which is kept",
            ),
            Text::RotationDue => (
                "数据密钥使用次数已多：请运行 `doorstep key rotate`",
                "the data key has been used many times: run `doorstep key rotate`",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Localize for crate::sync::SyncError {
    fn localize(&self, lang: Lang) -> String {
        use crate::sync::SyncError as S;
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            S::NotEnrolled => {
                "本设备尚未注册：请运行 `doorstep enroll --server 地址 --code 注册码`".into()
            }
            S::AlreadyEnrolled { server } => format!("本设备已在 {server} 注册"),
            S::Transport(e) => format!("无法连接服务器：{}", e.0),
            S::Refused { status, message } => format!("服务器拒绝了请求（{status}）：{message}"),
            S::ClockSkew { skew_secs } => {
                format!("设备时钟与服务器相差 {skew_secs} 秒：请校准时间后重新同步")
            }
            S::Protocol(what) => format!("无法读取服务器的应答（{what}）"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_language() {
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale(""), Lang::Zh);
    }

    #[test]
    fn row_errors_read_in_both_languages() {
        let e = RowError {
            line: 7,
            field: "id_number".into(),
            problem: RowProblem::Invalid(Invalid::IdCheckDigit {
                expected: 'X',
                found: '3',
            }),
        };
        assert_eq!(
            e.localize(Lang::En),
            "line 7, id_number: ID number check digit should be X, found 3"
        );
        assert_eq!(
            e.localize(Lang::Zh),
            "第7行，id_number：身份证号校验位应为X，实际为3"
        );
    }
}
