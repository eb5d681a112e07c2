//! The words for every refusal the contract's types can give: a value that is not valid, a
//! roster row or file that cannot be imported, a record that does not verify. None of them
//! carries the refused value itself (only a single check character, a line, a field).

use super::{pick, Lang, Localize};
use crate::model::checklist::{MAX_ITEMS, MAX_LABEL_CHARS};
use crate::model::Invalid;
use crate::record::{NotARecord, VerifyProblem};
use crate::roster::{lines_with_errors, RosterError, RosterFault, RowError, RowProblem};

/// Display (for logs and `Error`) is the English text of the catalogue.
macro_rules! display_in_english {
    ($($ty:ty),*) => { $(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.localize(Lang::En))
            }
        }
        impl std::error::Error for $ty {}
    )* };
}

display_in_english!(
    Invalid,
    RowProblem,
    RosterFault,
    RowError,
    RosterError,
    VerifyProblem,
    NotARecord
);

impl Localize for Invalid {
    fn localize(&self, lang: Lang) -> String {
        let (zh, en): (String, String) = match self {
            Invalid::IdLength { found } => (format!("身份证号应为18位，实际{found}位"), format!("ID number must have 18 characters, found {found}")),
            Invalid::IdNotDigits => ("身份证号应为17位数字加一位数字或X".into(), "ID number must be 17 digits followed by a digit or X".into()),
            Invalid::IdRegion => ("身份证号地区码无效".into(), "ID number starts with an unknown region".into()),
            Invalid::IdBirthDate => ("身份证号中的出生日期无效".into(), "ID number holds no valid birth date".into()),
            Invalid::IdCheckDigit { expected, found } => (format!("身份证号校验位应为{expected}，实际为{found}"), format!("ID number check digit should be {expected}, found {found}")),
            Invalid::DivisionFormat => ("区划代码应为12位数字".into(), "division code must be 12 digits".into()),
            Invalid::DivisionProvince => ("区划代码的省级代码无效".into(), "division code starts with an unknown province".into()),
            Invalid::DivisionNotVillage => ("区划代码不是村级代码".into(), "division code is not a village-level code".into()),
            Invalid::PhoneFormat => ("手机号应为11位".into(), "phone must be an 11-digit mobile number".into()),
            Invalid::PhonePrefix => ("手机号应以13至19开头".into(), "phone must start with 13 to 19".into()),
            Invalid::Category => ("未知类别（高龄、重病、残疾、未成年）".into(), "unknown category (elderly, seriously_ill, disabled, minor)".into()),
            Invalid::NoCategory => ("至少需要一个类别".into(), "at least one category is required".into()),
            Invalid::Gender => ("性别应为男或女".into(), "gender must be male or female".into()),
            Invalid::GenderMismatch => ("性别与身份证号不符".into(), "gender does not match the ID number".into()),
            Invalid::BirthDateMismatch => ("出生日期与身份证号不符".into(), "birth date does not match the ID number".into()),
            Invalid::Date => ("日期格式应为YYYY-MM-DD".into(), "date must be YYYY-MM-DD".into()),
            Invalid::FutureDate => ("日期在将来".into(), "date is in the future".into()),
            Invalid::CardStatus => ("未知社保卡状态（not_issued、issued_inactive、active、lost、frozen）".into(), "unknown card status (not_issued, issued_inactive, active, lost, frozen)".into()),
            Invalid::Datum => ("坐标系应为wgs84或gcj02".into(), "datum must be wgs84 or gcj02".into()),
            Invalid::Latitude => ("纬度应为-90到90之间的数".into(), "latitude must be a number from -90 to 90".into()),
            Invalid::Longitude => ("经度应为-180到180之间的数".into(), "longitude must be a number from -180 to 180".into()),
            Invalid::HalfLocation => ("经度和纬度须同时填写".into(), "latitude and longitude must be given together".into()),
            Invalid::EnrolmentShape => ("补贴项应为 代码:简称:金额:是否保护".into(), "enrolment must be code:short_name:amount_yuan:protected".into()),
            Invalid::EnrolmentAmount => ("补贴金额应为元，最多两位小数".into(), "enrolment amount must be yuan with at most two decimals".into()),
            Invalid::EnrolmentProtected => ("补贴保护标志应为0或1".into(), "enrolment protected flag must be 0 or 1".into()),
            Invalid::MinorWithoutGuardian => ("未成年人须填写监护人姓名和关系".into(), "a minor needs a guardian name and relation".into()),
            Invalid::HalfGuardian => ("监护人姓名和关系须同时填写".into(), "guardian name and relation must be given together".into()),
            Invalid::MinorAge => ("未成年类别与出生日期不符".into(), "minor category does not match the birth date".into()),
            Invalid::Required => ("必填".into(), "is required".into()),
            Invalid::TooLong => ("过长".into(), "is too long".into()),
            Invalid::RosterId => ("编号应为1至64位字母、数字、-、_或.".into(), "roster id must be 1-64 letters, digits, '-', '_' or '.'".into()),
            Invalid::Interval => ("走访间隔应为1至3650天".into(), "a visit interval must be 1 to 3650 days".into()),
            Invalid::PolicyValue => ("政策阈值超出范围".into(), "a policy threshold is out of range".into()),
            Invalid::PolicyTopics => ("政策清单的每一项须有代码及中英文标题，代码不得重复".into(), "the policy list needs a code and a title in both languages for each topic, each code once".into()),
            Invalid::VisitUnknownTopic => ("该政策不在政策清单中，也不是服务对象享受的补贴".into(), "this topic is not on the policy list nor one of the recipient's subsidies".into()),
            Invalid::VisitUnknownPhoto => ("本次走访中没有这张照片".into(), "no photo with this hash in the visit".into()),
            Invalid::PolicyFromServer => ("已注册设备的政策由县级服务器下发".into(), "a policy is issued by the county's server to an enrolled device".into()),
            Invalid::ChecklistItems => (format!("清单须有1至{MAX_ITEMS}项，每项须有中英文问题（各不超过{MAX_LABEL_CHARS}字），标题亦须中英文齐全"), format!("a checklist needs 1 to {MAX_ITEMS} questions, each in both languages (at most {MAX_LABEL_CHARS} characters), and a title in both languages")),
            Invalid::UnknownField => ("未知的列".into(), "unknown column".into()),
            Invalid::SignatureFormat => ("签名数据格式不对（应含宽、高和笔画）".into(), "the signature is not the expected JSON of width, height and strokes".into()),
            Invalid::SignatureCanvas => ("签名画布每边应为64到4096像素".into(), "the signature canvas must be 64 to 4096 pixels a side".into()),
            Invalid::SignatureOutside => ("签名的点超出画布，或压力不在0到1之间".into(), "a signature point lies outside the canvas or its pressure outside 0-1".into()),
            Invalid::SignatureTime => ("签名笔画的时间倒退".into(), "a signature stroke goes back in time".into()),
            Invalid::SignatureTooLittle => ("笔迹太少，不像签名".into(), "too little ink for a signature".into()),
            Invalid::SignatureDot => ("签名只是一个点".into(), "the signature is a dot".into()),
            Invalid::SignatureLine => ("签名只是一条直线".into(), "the signature is a straight line".into()),
            Invalid::VisitNoContact => ("请先记录敲门见到了谁".into(), "record who was met at the door first".into()),
            Invalid::VisitNotMet => ("未见到本人或代理人：此项不适用".into(), "nobody was met: this part of the visit does not apply".into()),
            Invalid::VisitContactLocked => ("已记录入户内容，不能改为未见到；如需更正请新建走访".into(), "the visit already holds what was said inside; a different outcome needs a new visit".into()),
            Invalid::VisitUnknownSubsidy => ("服务对象未享受该项补贴".into(), "the recipient is not enrolled in this subsidy".into()),
            Invalid::VisitUnknownItem => ("清单中没有此项".into(), "no such item in the checklist".into()),
            Invalid::VisitNotProxy => ("此项仅适用于监护人或代理人".into(), "this checklist item is only for a guardian or proxy".into()),
            Invalid::VisitTicketItem => ("只有标为有问题的清单项才能转为工单".into(), "a ticket can follow up only a checklist item marked as a problem".into()),
            Invalid::VisitThumbprintStrokes => ("按手印没有笔画，以照片为证".into(), "a thumbprint has no strokes; its photo is the evidence".into()),
            Invalid::VisitSignerAbsent => ("未见到本人，本人不能签名".into(), "the recipient was not met in person and cannot sign".into()),
            Invalid::FixAccuracy => ("定位精度应为正的米数".into(), "a fix's accuracy must be a positive number of metres".into()),
            Invalid::FixFromFuture => ("定位时间比现在晚一天以上".into(), "the fix is dated more than a day in the future".into()),
            Invalid::VisitSealed => ("走访已封存，不能修改（更正需新建走访）".into(), "the visit is sealed: it cannot change (a correction is a new visit)".into()),
            Invalid::VisitIncomplete => ("走访尚未完成：请查看缺少的项目".into(), "the visit is not complete: see what is missing".into()),
            Invalid::VisitNotSealed => ("走访仍是草稿：直接修改即可，无需更正".into(), "the visit is still a draft: change it instead of correcting it".into()),
            Invalid::PhotoFormat => ("照片须为JPEG或PNG文件".into(), "a photo must be a JPEG or PNG file".into()),
            Invalid::PhotoTooLarge => ("照片声明的像素数超过任何相机".into(), "the photo declares more pixels than any camera takes".into()),
            Invalid::PhotoDamaged => ("照片已损坏或不完整".into(), "the photo is damaged or cut short".into()),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Localize for RowProblem {
    fn localize(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            RowProblem::Invalid(i) => return i.localize(lang),
            RowProblem::DuplicateId { first_line } => (
                format!("编号与第{first_line}行重复"),
                format!("the same id is also on line {first_line}"),
            ),
            RowProblem::DuplicateIdNumber { first_line } => (
                format!("身份证号与第{first_line}行重复（编号不同）"),
                format!("the same ID number is also on line {first_line} under another id"),
            ),
            RowProblem::IdNumberInStore { other_id } => (
                format!("身份证号已在花名册中，编号为{other_id}"),
                format!("the same ID number is already on the roster as {other_id}"),
            ),
            RowProblem::FieldCount { found, expected } => (
                format!("有{found}个字段，而表头有{expected}列"),
                format!("{found} fields where the header has {expected}"),
            ),
            RowProblem::NotUtf8 => ("不是有效的UTF-8编码".into(), "not valid UTF-8".into()),
            RowProblem::OutsideArea { area } => (
                format!("村（社区）不在本次导入的区域 {area} 内"),
                format!("the village is outside the area {area} this roster is imported for"),
            ),
            RowProblem::BadCsv => ("CSV格式错误".into(), "malformed CSV".into()),
            RowProblem::NotAnObject => ("该项不是对象".into(), "the item is not an object".into()),
            RowProblem::NotText => (
                "须为文本、数字或列表".into(),
                "must be text, a number or a list".into(),
            ),
            RowProblem::StoredUnreadable => (
                "已存记录无法读取，无法保留本文件未提供的列".into(),
                "the stored record cannot be read, so the columns this file leaves out cannot be kept".into(),
            ),
        };
        pick(lang, &zh, &en).to_owned()
    }
}

impl Localize for RosterFault {
    fn localize(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            RosterFault::Header => (
                "第1行：无法读取表头".to_owned(),
                "line 1: the header cannot be read".to_owned(),
            ),
            RosterFault::MissingColumn(c) => (
                format!("第1行：表头缺少“{c}”列"),
                format!("line 1: the header has no column '{c}'"),
            ),
            RosterFault::DuplicateColumn(c) => (
                format!("第1行：“{c}”列出现两次"),
                format!("line 1: the column '{c}' appears twice"),
            ),
            RosterFault::UnknownColumn(c) => (
                format!("第1行：未知的列“{c}”"),
                format!("line 1: unknown column '{c}'"),
            ),
            RosterFault::NotJsonArray { line, column } => (
                format!("不是JSON对象数组（第{line}行，第{column}列）"),
                format!("not a JSON array of objects (line {line}, column {column})"),
            ),
        };
        pick(lang, &zh, &en).to_owned()
    }
}

impl Localize for RowError {
    fn localize(&self, lang: Lang) -> String {
        let problem = self.problem.localize(lang);
        match lang {
            Lang::En => format!("line {}, {}: {problem}", self.line, self.field),
            Lang::Zh => format!("第{}行，{}：{problem}", self.line, self.field),
        }
    }
}

impl Localize for RosterError {
    fn localize(&self, lang: Lang) -> String {
        use super::Text;
        match self {
            RosterError::Format(f) => Text::ErrRosterFormat.fill(lang, &f.localize(lang)),
            RosterError::Rows(rows) => {
                Text::ErrInvalidRows.fill(lang, &lines_with_errors(rows).to_string())
            }
        }
    }
}

impl Localize for VerifyProblem {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (VerifyProblem::NotARecord, _) => pick(
                lang,
                "record.json 不是 Doorstep 走访记录",
                "record.json is not a Doorstep visit record",
            )
            .to_owned(),
            (VerifyProblem::BadSignature, _) => pick(
                lang,
                "签名与 record.json 和 device.pub 不符",
                "the signature does not match record.json and device.pub",
            )
            .to_owned(),
            (VerifyProblem::OtherDevice, _) => pick(
                lang,
                "record.json 所记设备密钥与 device.pub 不同",
                "record.json names another device key than device.pub",
            )
            .to_owned(),
            (VerifyProblem::MediaMissing(sha), Lang::Zh) => format!("缺少媒体文件 {sha}"),
            (VerifyProblem::MediaMissing(sha), Lang::En) => format!("media file {sha} is missing"),
            (VerifyProblem::MediaChanged(sha), Lang::Zh) => format!("媒体文件 {sha} 与其哈希不符"),
            (VerifyProblem::MediaChanged(sha), Lang::En) => {
                format!("media file {sha} does not match its hash")
            }
        }
    }
}

impl Localize for NotARecord {
    fn localize(&self, lang: Lang) -> String {
        pick(
            lang,
            "不是 Doorstep 走访记录",
            "not a Doorstep visit record",
        )
        .to_owned()
    }
}
