//! The labels of the shells' screens and tables, and the templates of messages that carry a
//! value (`{}`, filled in order). Each entry is one line: its name, the Chinese, the English.

use super::Lang;

macro_rules! catalogue {
    ($($(#[$doc:meta])* $name:ident => $zh:literal, $en:literal;)*) => {
        /// A label or message template of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text {
            $($(#[$doc])* $name,)*
        }

        impl Text {
            /// Every entry, for the catalogue's own checks.
            pub const ALL: &'static [Text] = &[$(Text::$name,)*];

            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$name, Lang::Zh) => $zh, (Text::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

impl Text {
    /// The text with its first `{}` filled in.
    pub fn fill(self, lang: Lang, value: &str) -> String {
        self.get(lang).replacen("{}", value, 1)
    }

    /// The text with each `{}` filled in order.
    pub fn fill_all(self, lang: Lang, values: &[&str]) -> String {
        values
            .iter()
            .fold(self.get(lang).to_owned(), |t, v| t.replacen("{}", v, 1))
    }
}

catalogue! {
    // Roster tables and recipient details (CLI, phone).
    Id => "编号", "id";
    Name => "姓名", "name";
    IdNumber => "身份证号", "ID number";
    Village => "村", "village";
    Township => "乡镇", "township";
    Categories => "类别", "categories";
    Card => "社保卡", "card";
    DueDate => "应访日期", "due";
    Overdue => "逾期天数", "overdue days";
    Distance => "距离(米)", "distance (m)";
    Address => "地址", "address";
    Phone => "电话", "phone";
    Guardian => "监护人", "guardian";
    Subsidies => "补贴", "subsidies";
    Protected => "受保护", "protected";
    ProtectedHidden => "受保护补贴（已隐藏；使用 --reveal-protected 查看，查看将被记录）",
        "protected subsidy (hidden; --reveal-protected shows it, and the reveal is logged)";
    /// A hidden protected subsidy on a phone screen (revealing it is logged).
    ProtectedSubsidy => "受保护补贴（点按查看，查看将被记录）", "protected subsidy (tap to show; the reveal is logged)";
    LastVisit => "上次走访", "last visit";
    NeverVisited => "从未走访", "never visited";
    Unreadable => "条记录无法读取", "record(s) could not be read";
    Imported => "导入", "imported";
    Skipped => "跳过", "skipped";
    New => "新增", "new";
    Updated => "更新", "updated";
    Villages => "个村", "villages";
    Recipients => "名服务对象", "recipients";
    WithKeyDerivation => "含口令派生", "including key derivation";
    Showing => "显示前", "showing";
    LookAround => "继续浏览", "Look around";
    DueToday => "今日应访", "due today";
    Of => "共", "of";
    Revealed => "已查看受保护补贴，已记录", "protected subsidies revealed and logged";
    // The store and its keys (CLI).
    StoreCreated => "已创建加密数据库", "encrypted store created";
    PassphraseChanged => "口令已更改", "passphrase changed";
    Rotated => "数据密钥已轮换", "data key rotated";
    RotationResumed => "（续完上次中断的轮换）", "(finished an interrupted rotation)";
    RotationPending => "有一次中断的数据密钥轮换：运行 `doorstep key rotate` 完成它",
        "a data-key rotation was interrupted: run `doorstep key rotate` to finish it";
    RotationDue => "数据密钥使用次数已多：请运行 `doorstep key rotate`",
        "the data key has been used many times: run `doorstep key rotate`";
    KeyId => "密钥", "key";
    Rows => "条记录", "rows";
    UnreadableKept => "条记录无法读取，仍由旧密钥保护（旧密钥保留）",
        "record(s) could not be read and stay under the old key, which is kept";
    ErrorPrefix => "错误", "error";
    PromptPassphrase => "口令 / passphrase: ", "passphrase: ";
    PromptNewPassphrase => "新口令 / new passphrase: ", "new passphrase: ";
    PromptAgain => "再次输入 / again: ", "again: ";
    VarEmpty => "{} 为空", "{} is empty";
    NoPassphrase => "没有口令：请设置 {} 或在终端中运行", "no passphrase: set {} or run in a terminal";
    EmptyPassphrase => "口令为空", "the passphrase is empty";
    PassphrasesDiffer => "两次输入的口令不同", "the two passphrases differ";
    PassphraseTooShort => "新口令至少需要{}个字符", "a new passphrase needs at least {} characters";
    BadNow => "DOORSTEP_NOW 须为 RFC 3339 时间", "DOORSTEP_NOW must be an RFC 3339 time";
    NoStoreFolder => "没有数据库目录：请用 --store DIR 或设置 DOORSTEP_STORE",
        "no store folder: pass --store DIR or set DOORSTEP_STORE";
    BadNear => "--near 须为十进制度数 纬度,经度，例如 34.82,114.81",
        "--near must be LAT,LON in decimal degrees, e.g. 34.82,114.81";
    BadDays => "天数须在1到3650之间", "days must be from 1 to 3650";
    // A visit (CLI, phone).
    Visit => "走访", "visit";
    Step => "当前步骤", "step";
    MissingMark => "缺：", "missing:";
    WarningMark => "注意：", "check:";
    CanFinish => "可以完成走访", "ready to finish";
    BadActions => "操作文件有误：{}", "the actions file is wrong: {}";
    Attestation => "本人确认以上走访内容属实", "I confirm this record of the visit is true";
    FlagMark => "提示：", "flag:";
    Sealed => "已封存走访", "sealed visit";
    Verified => "验证通过", "verified";
    NotVerified => "验证未通过", "verification failed";
    VisitsSealed => "昨日走访已封存", "visits sealed yesterday";
    ExportNotEmpty => "导出目录须为新目录或空目录", "the export folder must be new or empty";
    DeviceKey => "设备密钥", "device key";
    Draft => "草稿", "draft";
    SignerRecipient => "本人签名", "the person signs";
    SignerProxy => "代理人签名", "a proxy signs";
    SignerThumbprint => "按手印（拍照为证）", "thumbprint (a photo is the evidence)";
    ItemDone => "已完成", "done";
    ItemNotApplicable => "不适用", "not applicable";
    ItemProblem => "有问题", "problem";
    // Where a visit stands with the server, on the phone.
    SyncWaiting => "待上传", "waiting to upload";
    SyncSent => "已发送，待确认", "sent, not yet confirmed";
    SyncReceipted => "服务器已收到", "on the server";
    SyncConflict => "与服务器记录冲突", "conflicts with the server's record";
    SyncRefused => "服务器拒收", "refused by the server";
    // Enrolment, sync and tasks (CLI, phone).
    EnrolledAs => "已注册为设备 {}，走访人员 {}，区域 {}", "enrolled as device {} for {} in area {}";
    SyncDone => "上传：{} 条走访，{} 条已确认，{} 个照片或签名；下载：{} 条花名册，{} 条审核结论，{} 条工单进展",
        "up: {} visits sent, {} receipted, {} media; down: {} roster rows, {} decisions, {} ticket updates";
    SyncProblems => "{} 条冲突，{} 条被拒：见 `doorstep tasks`", "{} conflicts, {} refused: see `doorstep tasks`";
    ClockOff => "设备时钟与服务器相差 {} 秒", "the device clock is {} s off the server's";
    StageVisits => "上传走访", "visits up";
    StageMedia => "上传照片", "media up";
    StageRoster => "下载花名册", "roster down";
    StageDecisions => "下载审核结论", "decisions down";
    StageTickets => "下载工单进展", "ticket updates down";
    NoTasks => "还没有审核结论或工单进展", "no review decisions or ticket updates yet";
    TicketMark => "工单", "TICKET";
    ToDo => "待办", "TO DO";
    DueBy => "（{} 前）", "(due {})";
    NotEnrolledYet => "未注册", "not enrolled";
    NeverSynced => "从未同步", "never synced";
    Unsent => "待上传走访", "visits waiting to upload";
    // Demo (CLI).
    DemoServing => "Doorstep 演示：{}", "Doorstep demo: {}";
    DemoLogin => "  登录：{} / {}（区域 {}）", "  log in as {} / {}  (area {})";
    DemoSummary => "{} 部手机，{} 天：封存 {} 条走访，服务器已收 {} 条；标记：{}",
        "{} phones, {} days: {} visits sealed, {} on the server; flagged: {}";
    DemoReturned => "退回更正：{}；更正记录 {}", "returned for correction: {}; corrected by {}";
    DemoData => "数据在 {}；按 Ctrl-C 停止服务", "data in {}; Ctrl-C stops the server";
    // Server operator commands (CLI).
    SupervisorAdded => "已添加审核人员 {}（区域 {}）", "supervisor {} added (area {})";
    RosterImported => "已导入 {} 名服务对象", "{} recipients imported";
    DivisionsImported => "已导入 {} 个区划名称", "{} division names imported";
    CodeIssued => "注册码 {}（{}，区域 {}，7 天内有效，只能使用一次）",
        "enrolment code {} ({}, area {}; works once within 7 days)";
    Decided => "走访 {}：{}", "visit {}: {}";
    DeviceRevoked => "设备 {} 已停用", "device {} revoked";
    PolicyIssued => "已发布政策第 {} 版", "policy version {} issued";
    ChecklistIssued => "已发布激活清单第 {} 版", "checklist version {} issued";
    ServerListening => "正在服务 {}", "serving {}";
    DemoFolderTaken => "{} 已存在且不是 Doorstep 演示目录：请用 --data 另选",
        "{} exists and is not a Doorstep demo folder: choose another with --data";
    NeedNewPassword => "请在 DOORSTEP_NEW_PASSWORD 中设置新审核人员的密码",
        "set DOORSTEP_NEW_PASSWORD to the new supervisor's password";
    NotServerData => "{} 不是 Doorstep 服务器数据目录", "{} is not a Doorstep server data folder";
    NotAPolicy => "{}：不是政策记录（{}）", "{}: not a policy record ({})";
    NotAChecklist => "{}：不是激活清单（{}）", "{}: not a checklist template ({})";
    // The operator's and the supervisors' refusals.
    AdminBadArea => "区域须为2至12位的区划代码前缀", "an area is a division code prefix: 2 to 12 digits";
    AdminShortPassword => "密码至少需要8个字符", "a password needs at least 8 characters";
    AdminBadLogin => "账号须为1至64位字母、数字或“.”“-”“_”",
        "a login is 1 to 64 letters, digits, '.', '-' or '_'";
    AdminNoWorker => "走访人员姓名不能为空", "a worker's name must not be empty";
    DivisionLine => "区划名称第{}行：{}", "division names, line {}: {}";
    DivisionShape => "应为“代码,名称”", "expected code,name";
    DivisionName => "名称须为1至50个字符", "the name must be 1 to 50 characters";
    DivisionNotUtf8 => "不是有效的UTF-8编码", "not valid UTF-8";
    LedgerOutOfOrder => "该工单{}，不能{}：步骤为 受理→转办→回复→办结",
        "a ticket {} cannot be {}: steps go accepted → transferred → replied → closed";
    LedgerTextRequired => "此步骤须填写内容（转办部门、回复或结果）",
        "this step needs its text (department, reply or outcome)";
    StorageNotFound => "未找到", "not found";
    StorageExists => "已存在", "already exists";
    StorageCodeUnusable => "注册码无效、已使用或已过期", "the enrolment code is unknown, used or expired";
    StorageKeyEnrolled => "该设备密钥已注册", "this public key is already enrolled";
    StorageChanged => "已被他人修改：请刷新后重试", "someone else changed it meanwhile: reload and try again";
    StorageDamaged => "存储的数据已损坏：{}", "stored data is damaged: {}";
    StorageNewer => "数据库由更新版本的服务器写入（版本{}）", "the database was written by a newer server (schema {})";
    StorageFailed => "数据库错误：{}", "database: {}";

    // The supervisors' web app.
    AppTitle => "三门行动走访核查", "Doorstep";
    LogIn => "登录", "Log in";
    LogOut => "退出", "Log out";
    LoginName => "账号", "Login";
    Password => "密码", "Password";
    WrongLogin => "账号或密码错误", "Wrong login or password";
    TooManyAttempts => "尝试次数过多，请几分钟后再试", "Too many attempts: wait a few minutes";
    ReviewQueue => "审核队列", "Review queue";
    Tickets => "问题台账", "Tickets";
    Coverage => "走访覆盖", "Coverage";
    Status => "状态", "Status";
    FlagLabel => "标记", "Flag";
    VillageCommunity => "村（社区）", "Village";
    Worker => "走访人员", "Worker";
    From => "起", "From";
    To => "止", "To";
    Filter => "筛选", "Filter";
    Any => "全部", "any";
    Flagged => "有标记", "flagged";
    VisitHeading => "走访", "Visit";
    Started => "开始时间", "Started";
    Flags => "标记", "Flags";
    ChainLabel => "链", "Chain";
    VisitsCount => "条走访", "visits";
    Previous => "上一页", "Previous";
    Next => "下一页", "Next";
    Approve => "通过", "Approve";
    ReturnForCorrection => "退回更正", "Return for correction";
    Reject => "驳回", "Reject";
    CommentField => "意见（退回或驳回时必填）", "Comment (required to return or reject)";
    CommentRequired => "退回或驳回必须填写意见", "A comment is required to return or reject";
    AlreadyDecided => "该走访已审核", "This visit has already been decided";
    Household => "服务对象", "Household";
    IdNumberHeading => "身份证号", "ID number";
    Map => "位置", "Map";
    DoorKnock => "敲门问候", "Knock";
    DoorCare => "串门关心", "Care";
    DoorOpen => "启门解惑", "Open";
    Outcome => "结果", "Outcome";
    Present => "在场人员", "Present";
    SubsidiesArrived => "补贴到账", "Subsidies";
    ProtectedSubsidyShort => "受保护补贴", "protected subsidy";
    AmountSeen => "看到的金额", "amount seen";
    AmountDue => "应发", "due";
    SmsReceived => "收到到账短信", "SMS received";
    SmsNotReceived => "未收到到账短信", "no SMS";
    PoliciesExplained => "政策宣讲", "Policies explained";
    LivingSituation => "生活情况", "Living situation";
    Needs => "诉求", "Needs";
    QuestionsAnswered => "答疑", "Questions answered";
    Satisfaction => "满意度", "Satisfaction";
    Checklist => "激活清单", "Checklist";
    Signature => "签名", "Signature";
    Signer => "签名人", "Signer";
    Photos => "照片", "Photos";
    Notes => "备注", "Notes";
    History => "审核记录", "History";
    CorrectedBy => "更正记录", "Corrected by";
    Corrects => "更正自", "Corrects";
    SignatureValid => "设备签名有效", "Signature valid";
    SignatureInvalid => "设备签名无效", "Signature INVALID";
    Nothing => "无", "none";
    MapHousehold => "住户位置", "household";
    MapStart => "开始", "start";
    MapEnd => "结束", "end";
    MapBest => "最佳定位", "best";
    Geofence => "地理围栏", "geofence";
    Department => "转办部门", "Department";
    Reply => "回复", "Reply";
    Close => "办结", "Close";
    Transfer => "转办", "Transfer";
    Due => "期限", "Due";
    OverdueMark => "已逾期", "overdue";
    Description => "问题描述", "Description";
    Kind => "类别", "Kind";
    Urgency => "紧急程度", "Urgency";
    NotFound => "未找到", "Not found";
    FormExpired => "表单已过期，请刷新页面后重试", "The form expired: reload the page and try again";
    English => "English", "English";
    Chinese => "中文", "中文";
    Administration => "管理", "Administration";
    Devices => "设备", "Devices";
    Enrolled => "注册时间", "Enrolled";
    Revoked => "已停用", "revoked";
    Revoke => "停用", "Revoke";
    EnrolmentCodes => "注册码", "Enrolment codes";
    IssueCode => "生成注册码", "Issue a code";
    RosterImport => "导入花名册", "Roster import";
    Import => "导入", "Import";
    DeviceIdHeading => "设备编号", "ID";
    ExportCsv => "导出 CSV", "Export CSV";
    ExportXlsx => "导出 Excel", "Export XLSX";
    Period => "统计期间", "Period";
    Ticket => "工单", "Ticket";
    Show => "查看", "Show";
    ColRecipients => "服务对象", "Recipients";
    ColElderly => "高龄", "Elderly";
    ColSeriouslyIll => "重病", "Seriously ill";
    ColDisabled => "残疾", "Disabled";
    ColMinors => "未成年", "Minors";
    ColVisited => "期内已走访", "Visited in period";
    ColOverdue => "逾期未访", "Overdue";
    ColNeverVisited => "从未走访", "Never visited";
    Finished => "结束时间", "Finished";
    RecordId => "记录编号", "Record";
    NotClosed => "未办结", "not closed";
    Dashboard => "工作概览", "Overview";
    DivisionCode => "区划代码", "Code";
    ColCoverageShare => "走访覆盖率", "Coverage";
    ColHouseholds => "走访户数", "Households";
    Total => "合计", "Total";
    ByTownship => "分乡镇通报", "By township";
    ByVillage => "分村（社区）", "By village";
    ByWorker => "分走访人员", "By worker";
    CoverageMap => "走访覆盖地图", "Coverage map";
    NoPositions => "花名册中没有住户位置，无法绘制地图", "The roster gives no household positions: no map to draw";
    NoneVisited => "期内未走访", "none visited";
    AllVisited => "全部已走访", "all visited";
    RingOverdue => "红圈越粗，逾期越多", "thicker red ring: more overdue";
    VisitsPerWeek => "每周走访", "Visits per week";
    FlaggedVisits => "有标记", "Flagged";
    ReturnedVisits => "已退回", "Returned";
    ApprovedVisits => "已通过", "Approved";
    SatisfactionByTownship => "满意度与意见建议（分乡镇）", "Satisfaction and suggestions by township";
    Satisfied => "满意", "Satisfied";
    BasicallySatisfied => "基本满意", "Basically satisfied";
    Dissatisfied => "不满意", "Dissatisfied";
    Suggestions => "意见建议", "Suggestions";
    Review => "审核", "Review";
    VisitsInPeriod => "期内走访", "Visits in period";
    AwaitingReview => "待审核", "Awaiting review";
    ReturnedNotCorrected => "已退回待更正", "Returned, not yet corrected";
    TicketsOpen => "问题未办结", "Tickets open";
    TicketsOverdue => "问题已逾期", "Tickets overdue";
    FlagsInPeriod => "期内标记（按类别）", "Flags in period, by kind";
    RecipientsHeading => "服务对象", "Recipients";
    FromHousehold => "距住户 {} 米", "{} m from the household";
    Policy => "走访政策", "Policy";
    PolicyVersion => "现行版本", "Version in force";
    IntervalElderly => "高龄老人走访间隔（天）", "Visit interval, elderly (days)";
    IntervalSeriouslyIll => "重病患者走访间隔（天）", "Visit interval, seriously ill (days)";
    IntervalDisabled => "残疾人走访间隔（天）", "Visit interval, disabled (days)";
    IntervalMinor => "未成年人走访间隔（天）", "Visit interval, minors (days)";
    PolicyGeofence => "地理围栏半径（米）", "Geofence radius (m)";
    PolicyAccuracy => "定位精度上限（米）", "Worst usable fix accuracy (m)";
    PolicyFixAge => "定位最长时效（秒）", "Oldest usable fix (s)";
    PolicyMinutesMet => "见面走访最短时长（分钟）", "Shortest visit when met (minutes)";
    PolicyMinutesAttempt => "未见面走访最短时长（分钟）", "Shortest attempt (minutes)";
    PolicySpeed => "两户之间最高车速（公里/小时）", "Fastest travel between households (km/h)";
    PolicySameSpot => "同一位置判定距离（米）", "Same spot within (m)";
    PolicySameSpotDays => "同一位置判定天数", "Same spot within (days)";
    PolicyClockSkew => "设备时钟最大偏差（秒）", "Largest device clock error (s)";
    PolicyPhotoEdge => "照片长边（像素）", "Photo long edge (pixels)";
    IssuePolicy => "发布新版本（下次同步时下发到各设备）", "Issue a new version (devices take it at their next sync)";
    PolicyByCounty => "走访政策由县级设置", "The policy is set by the county";
    PolicyNotNumbers => "每一项都必须是数字", "Every value must be a number";
    ChecklistVersion => "现行清单版本", "Checklist version in force";
    ChecklistTitle => "清单标题", "Checklist title";
    QuestionZh => "问题（中文）", "Question (Chinese)";
    QuestionEn => "问题（英文）", "Question (English)";
    ProxyOnly => "仅代办时问", "Asked of a proxy only";
    RemoveQuestion => "删除", "Remove";
    NewQuestions => "新增问题（不用的行留空）", "New questions (leave unused rows empty)";
    IssueChecklist => "发布新版本清单（下次同步时下发到各设备；已开始的走访仍按原版本）", "Issue a new version (devices take it at their next sync; visits already begun keep theirs)";
    ChecklistByCounty => "激活清单由县级设置", "The checklist is set by the county";
    ChecklistRewording => "修改措辞仍是同一问题；要问不同的问题，请删除原题并新增", "Rewording keeps the same question; to ask a different one, remove it and add a new one";
    ChecklistUnchanged => "清单没有改动，未发布新版本", "Nothing changed: no new version issued";
    Supervisors => "人员", "Supervisors";
    AreaHeading => "辖区", "Area";
    Disabled => "已停用", "disabled";
    Active => "正常", "active";
    Enable => "启用", "Enable";
    Disable => "停用", "Disable";
    NewPassword => "新密码（至少8位）", "New password (8 characters or more)";
    CurrentPassword => "当前密码", "Current password";
    ResetPassword => "重设密码", "Reset password";
    AddSupervisor => "添加人员", "Add a supervisor";
    ChangeOwnPassword => "修改本人密码", "Change my password";
    Saved => "已保存", "Saved";

    // Errors of the core, their values filled in.
    ErrNoStore => "{} 没有数据库：请先运行 `doorstep init`", "no store at {}: create one with `doorstep init`";
    ErrAlreadyExists => "{} 已有数据库", "a store already exists at {}";
    ErrNotAStore => "{} 不是 Doorstep 数据库，或创建未完成", "{} is not a Doorstep store, or its creation never finished";
    ErrNewerSchema => "数据库由更新版本的 Doorstep 写入（版本{}，本程序最高支持{}）：请更新应用",
        "the store was written by a newer Doorstep (schema {}; this build reads up to {}): update the app";
    ErrLocked => "数据库正被其他进程使用：请稍后再试", "the store is locked by another process: try again when it has finished";
    ErrWrongKey => "口令或密钥错误：数据库未作任何改动", "wrong passphrase or key: the store was not changed";
    ErrKeysChanged => "其他进程已更改数据库密钥：请重新打开", "another process changed the store's keys meanwhile: open it again";
    ErrVaultKind => "数据库由 {} 密钥库保护，而不是 {}", "the store is protected by a {} vault, not a {} one";
    ErrCorrupt => "{} 中的记录 {} 无法读取：密文已损坏", "record {} in {} cannot be read: its ciphertext is damaged";
    ErrNoRecipient => "没有编号为 {} 的服务对象", "no recipient with id {}";
    ErrNoVisit => "没有编号为 {} 的走访", "no visit with id {}";
    ErrInvalidRows => "花名册有{}行无效，未导入任何数据", "the roster has {} invalid row(s); nothing was imported";
    ErrRosterFormat => "无法读取花名册文件：{}", "cannot read the roster file: {}";
    ErrCrypto => "加密错误：{}", "crypto failure: {}";
    ErrStorage => "存储错误：{}", "storage failure: {}";
    ErrFile => "文件错误：{}", "file failure: {}";
    ErrPlatform => "系统密钥库或网络组件出错：{}", "the platform's key store or HTTP stack failed: {}";
    ErrNotEnrolled => "本设备尚未注册：请运行 `doorstep enroll --server 地址 --code 注册码`",
        "this device is not enrolled: run `doorstep enroll --server URL --code CODE`";
    ErrAlreadyEnrolled => "本设备已在 {} 注册", "this device is already enrolled with {}";
    ErrUnreachable => "无法连接服务器：{}", "the server could not be reached: {}";
    ErrRefused => "服务器拒绝了请求（{}）：{}", "the server refused the request ({}): {}";
    ErrClockSkew => "设备时钟与服务器相差 {} 秒：请校准时间后重新同步",
        "the device clock is {} s off the server's: set the clock and sync again";
    ErrProtocol => "无法读取服务器的应答（{}）", "the server's answer could not be read ({})";
    ErrBusy => "另一个操作正在进行：请稍后再试", "another operation is in progress: try again shortly";
}
