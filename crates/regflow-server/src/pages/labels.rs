//! Chinese names for the SPEC's ids, and cases as the templates show them.

use regflow_executor::{Engine, Token};
use regflow_process::case::{RejectionGround, SuspensionCause, TaskStatus};
use regflow_process::{
    Actor, AlertLevel, ApplicantCategory, Case, Channel, ClockKind, CommandName, ErrorCode, IdType, PartyRole,
    Priority, Role, State, Task,
};
use serde_json::{json, Value};

use crate::view;

/// A Chinese name for each value of one of the SPEC's ids: the one label table every page
/// reads. Each implementation is an exhaustive `match`, so a new variant without a name
/// does not compile (`ErrorCode` grows outside this crate, so its table ends in a fallback,
/// and a test walks `ErrorCode::ALL` to find any code that reaches it).
pub trait Label: Copy {
    /// The name a person reads.
    fn zh(self) -> &'static str;
}

/// The name of a refusal code that has none in [`Label`] (never shown if the table is whole).
const UNNAMED_CODE: &str = "未能办理";

impl Label for State {
    fn zh(self) -> &'static str {
        match self {
            State::PreReview => "待预审",
            State::Returned => "退回补正",
            State::AwaitingVisit => "待现场核验",
            State::Accepted => "已受理",
            State::Reviewed => "已审核",
            State::Recorded => "已登簿",
            State::Suspended => "中止",
            State::Completed => "已办结",
            State::NotAccepted => "不予受理",
            State::Rejected => "不予登记",
            State::Withdrawn => "已撤回",
        }
    }
}

impl Label for CommandName {
    fn zh(self) -> &'static str {
        match self {
            CommandName::Apply => "网上申请",
            CommandName::PreReview => "网上预审",
            CommandName::Amend => "补正",
            CommandName::Accept => "受理",
            CommandName::SupplyMaterials => "补交材料",
            CommandName::CompleteTask => "完成部门任务",
            CommandName::Review => "审核",
            CommandName::Record => "登簿",
            CommandName::IssueCertificate => "发证",
            CommandName::HandleInstantly => "即时办结",
            CommandName::Suspend => "中止",
            CommandName::Resume => "恢复",
            CommandName::Reject => "不予登记",
            CommandName::Withdraw => "撤回",
            CommandName::Extend => "延期",
            CommandName::DeferQuery => "延期答复查询",
            CommandName::LawsuitFiled => "异议诉讼",
            CommandName::RenewSeizure => "续封",
            CommandName::Evaluate => "好差评",
            CommandName::AutoResume => "公告期满自动恢复",
            CommandName::RaiseAlert => "时限预警",
            CommandName::Reproject => "日历更新重算时限",
            CommandName::AutoSuspend => "公告期中止",
            CommandName::Import => "历史业务导入",
        }
    }
}

impl Label for ApplicantCategory {
    fn zh(self) -> &'static str {
        match self {
            ApplicantCategory::Individual => "个人",
            ApplicantCategory::Organisation => "单位",
        }
    }
}

impl Label for Role {
    fn zh(self) -> &'static str {
        match self {
            Role::Clerk => "窗口受理",
            Role::Reviewer => "审核",
            Role::Registrar => "登簿",
            Role::Supervisor => "主管",
            Role::TaxOfficer => "税务",
            Role::TransactionOfficer => "住建交易备案",
            Role::Applicant => "申请人",
            Role::Bank => "银行",
            Role::Kiosk => "自助机",
            Role::Court => "法院",
            Role::Reporter => "上报接口",
            Role::System => "系统",
        }
    }
}

impl Label for Channel {
    fn zh(self) -> &'static str {
        match self {
            Channel::Window => "窗口",
            Channel::Online => "网上办理",
            Channel::Bank => "银行网点",
            Channel::Kiosk => "自助机",
            Channel::HomeVisit => "预约上门",
            Channel::Court => "法院嘱托",
        }
    }
}

impl Label for Priority {
    fn zh(self) -> &'static str {
        match self {
            Priority::GreenChannel => "绿色通道",
            Priority::Military => "军人优先",
            Priority::Standard => "普通",
        }
    }
}

impl Label for PartyRole {
    fn zh(self) -> &'static str {
        match self {
            PartyRole::Obligee => "权利人",
            PartyRole::Obligor => "义务人",
        }
    }
}

impl Label for IdType {
    fn zh(self) -> &'static str {
        match self {
            IdType::ResidentId => "居民身份证",
            IdType::CreditCode => "统一社会信用代码",
            IdType::Passport => "护照",
            IdType::HkMacaoPermit => "港澳居民来往内地通行证",
            IdType::TaiwanPermit => "台湾居民来往大陆通行证",
            IdType::HmtResidencePermit => "港澳台居民居住证",
            IdType::ForeignPermanentResidence => "外国人永久居留身份证",
            IdType::Other => "其他证件",
        }
    }
}

impl Label for Task {
    fn zh(self) -> &'static str {
        match self {
            Task::Tax => "税务（完税）",
            Task::TransactionFiling => "住建交易备案",
        }
    }
}

impl Label for TaskStatus {
    fn zh(self) -> &'static str {
        match self {
            TaskStatus::Pending => "待办",
            TaskStatus::Succeeded => "已完成",
            TaskStatus::Failed => "未通过",
        }
    }
}

impl Label for SuspensionCause {
    fn zh(self) -> &'static str {
        match self {
            SuspensionCause::PublicNotice => "公告",
            SuspensionCause::Appraisal => "鉴定",
            SuspensionCause::ExpertReview => "专家评审",
            SuspensionCause::AwaitingMaterials => "待补材料",
            SuspensionCause::Other => "其他",
        }
    }
}

impl Label for RejectionGround {
    fn zh(self) -> &'static str {
        match self {
            RejectionGround::ViolatesLaw => "违反法律、行政法规规定",
            RejectionGround::OwnershipDispute => "存在尚未解决的权属争议",
            RejectionGround::RightExpired => "申请登记的不动产权利超过规定期限",
            RejectionGround::LegallyBarred => "法律、行政法规规定不予登记的其他情形",
        }
    }
}

impl Label for AlertLevel {
    fn zh(self) -> &'static str {
        match self {
            AlertLevel::Warning => "临期预警",
            AlertLevel::Breach => "已超期",
        }
    }
}

impl Label for ClockKind {
    fn zh(self) -> &'static str {
        match self {
            ClockKind::Promise => "承诺时限",
            ClockKind::Statutory => "法定时限",
        }
    }
}

impl Label for ErrorCode {
    fn zh(self) -> &'static str {
        match self {
            ErrorCode::InvalidTransition => "当前状态不能办理此操作",
            ErrorCode::ForbiddenRole => "无此权限",
            ErrorCode::SeparationOfDuties => "岗位分离：须由他人办理",
            ErrorCode::WrongCentre | ErrorCode::CaseNotFound => "查无此件",
            ErrorCode::ChannelNotAllowed => "此渠道不能办理该业务",
            ErrorCode::NotInstantKind => "非即时办结业务",
            ErrorCode::UnknownKind => "未知业务类型",
            ErrorCode::UnknownMaterial => "未知材料",
            ErrorCode::InvalidIdentifier => "证件号或单元号有误",
            ErrorCode::MaterialsPending => "容缺材料未补齐",
            ErrorCode::TasksPending => "部门任务未完成",
            ErrorCode::UnitSeized => "不动产已被查封",
            ErrorCode::PartialWithdrawal => "撤回须全体申请人同意",
            ErrorCode::InvalidGround => "不予登记理由不合法",
            ErrorCode::AlreadyEvaluated => "已评价",
            ErrorCode::ExceedsStatutory => "延期超过法定时限",
            ErrorCode::CalendarNotCovered => "日历未覆盖该年度",
            ErrorCode::InvalidCalendar => "节假日数据有误",
            ErrorCode::InvalidArgument => "填写有误",
            ErrorCode::Conflict => "他人已先办理，请刷新",
            ErrorCode::TimeWentBackwards => "时间早于上次操作",
            ErrorCode::InvalidPolicy => "时限政策有误",
            ErrorCode::NoPolicyInForce => "当日无适用的时限政策",
            ErrorCode::InvalidCatalogue => "业务目录有误",
            ErrorCode::IdempotencyKeyReused => "重复提交的请求内容不同",
            ErrorCode::UnitRegistered => "该不动产单元已有权利人，不能首次登记",
            ErrorCode::NotTheOwner => "申请人不是登记簿记载的权利人",
            ErrorCode::AdvanceNoticeConsentMissing => "未经预告登记权利人同意",
            ErrorCode::NoSuchMortgage => "登记簿上没有该抵押权",
            ErrorCode::NoSuchSeizure => "登记簿上没有该查封",
            ErrorCode::NoSuchEntry => "登记簿上没有该记载",
            ErrorCode::InvalidRegister => "登记簿导入数据有误",
            ErrorCode::UnknownMessage => "没有该上报报文",
            ErrorCode::ReportNotRejected => "只有被退回的报文可以重报",
            ErrorCode::QueryNotPermitted => "无权查询该不动产登记资料",
            ErrorCode::CertificateNotFound => "没有这份电子证照，请核对证照上的编号或二维码",
            _ => UNNAMED_CODE,
        }
    }
}

impl Label for regflow_process::register::query::ReaderClass {
    fn zh(self) -> &'static str {
        use regflow_process::register::query::ReaderClass as C;
        match self {
            C::Owner => "权利人",
            C::InterestedParty => "利害关系人",
            C::Authority => "国家机关",
            C::Staff => "登记机构工作人员",
        }
    }
}

impl Label for regflow_process::register::query::Outcome {
    fn zh(self) -> &'static str {
        use regflow_process::register::query::Outcome as O;
        match self {
            O::Refused => "拒绝查询",
            O::Accepted => "受理查询",
            O::Deferred => "延期答复",
            O::Answered => "已出具查询结果",
            O::Read => "查阅登记簿",
        }
    }
}

/// 中文 for a state.
pub fn state(s: State) -> &'static str {
    s.zh()
}

/// 中文 for a command, by its id (an id that names no command reads as one that failed).
pub fn command(c: &str) -> &'static str {
    c.parse::<CommandName>().map_or("未知操作", Label::zh)
}

/// 中文 for an applicant category.
pub fn category(c: ApplicantCategory) -> &'static str {
    c.zh()
}

/// 中文 for a role.
pub fn role(r: Role) -> &'static str {
    r.zh()
}

/// 中文 for a refusal code, by its id (the code itself is shown beside it).
pub fn code(c: &str) -> &'static str {
    c.parse::<ErrorCode>().map_or(UNNAMED_CODE, Label::zh)
}

/// The page title of an area.
pub fn area(a: &str) -> &'static str {
    match a {
        "staff" => "工作台 登录",
        "kiosk" => "自助查询机",
        _ => "互联网+不动产登记 登录",
    }
}

/// The signed-in person, for the page header.
pub fn person(t: &Token) -> Value {
    let roles: Vec<Value> = t.actor.roles().iter().map(|r| json!({"id": r.as_str(), "zh": role(*r)})).collect();
    json!({"id": t.actor.id(), "name": t.name, "centre": t.actor.centre(), "roles": roles,
           "applicant": t.actor.has(Role::Applicant), "kiosk": t.actor.has(Role::Kiosk)})
}

/// A case as the templates show it: the service's case document plus names in Chinese,
/// material names, and working days left on each clock.
pub fn case(engine: &Engine, case: &Case, viewer: &Actor) -> Value {
    let mut doc = view::case_doc(engine, case, viewer);
    let hours = engine.centre(case.centre()).map(|c| c.hours).unwrap_or_default();
    let kind = engine.catalogue().get(case.kind().as_str());
    let name_of = |m: &str| kind.and_then(|k| k.material(m)).map_or_else(|| m.to_owned(), |spec| spec.name.clone());
    let named = |list: &Value| -> Value {
        Value::Array(
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|m| json!({"id": m, "name": name_of(m)}))
                .collect(),
        )
    };
    let materials = doc["materials"].clone();
    let commands: Vec<Value> = doc["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|c| json!({"id": c, "zh": command(c)}))
        .collect();
    let (now, calendar) = (engine.now(), engine.calendar());
    let left = case.deadlines().map(|d| {
        json!({"promise": d.promise.working_days_left(&calendar, &hours, now),
               "statutory": d.statutory.working_days_left(&calendar, &hours, now)})
    });
    // Key materials first (SPEC 12), each with whether it was handed in.
    let mut checklist: Vec<Value> = kind
        .map(|k| {
            k.applicant_materials()
                .map(|m| {
                    json!({"id": m.id, "name": m.name, "key": m.key,
                               "presented": case.materials().contains(&m.id)})
                })
                .collect()
        })
        .unwrap_or_default();
    checklist.sort_by_key(|m| !m["key"].as_bool().unwrap_or(false));
    // Before acceptance, what the checklist still lacks.
    let before_acceptance = matches!(case.state(), State::PreReview | State::Returned | State::AwaitingVisit);
    let lacking: Vec<Value> = if before_acceptance {
        checklist.iter().filter(|m| m["presented"] == json!(false)).cloned().collect()
    } else {
        Vec::new()
    };
    if let Value::Object(map) = &mut doc {
        let parties: Vec<Value> = case
            .intake()
            .applicants
            .iter()
            .map(|a| {
                json!({"name": a.name, "id": a.id.as_str(), "id_type_zh": a.id.id_type().zh(),
                       "role_zh": a.role.zh(), "share": a.share})
            })
            .collect();
        map.insert("parties_named".into(), Value::Array(parties));
        map.insert("state_zh".into(), json!(state(case.state())));
        map.insert("kind_name".into(), json!(kind.map_or("", |k| k.name.as_str())));
        map.insert("missing_named".into(), named(&materials["missing"]));
        map.insert("pledged_named".into(), named(&materials["pledged"]));
        map.insert("presented_named".into(), named(&materials["presented"]));
        map.insert("checklist".into(), Value::Array(checklist));
        map.insert("lacking".into(), Value::Array(lacking));
        map.insert("command_list".into(), Value::Array(commands));
        map.insert("days_left".into(), left.unwrap_or(Value::Null));
        map.insert(
            "tasks_list".into(),
            Value::Array(
                case.tasks()
                    .iter()
                    .map(|(t, s)| json!({"task": t.as_str(), "zh": t.zh(), "status": s, "status_zh": s.zh()}))
                    .collect(),
            ),
        );
        map.insert("channel_zh".into(), json!(case.intake().channel.zh()));
        map.insert("priority_zh".into(), json!(case.intake().priority.zh()));
        if let Some(s) = case.suspension() {
            map.insert("suspension_cause_zh".into(), json!(s.cause.zh()));
        }
    }
    human_times(&mut doc);
    doc
}

/// `instant` as a person reads it at the centre: `YYYY-MM-DD HH:mm`.
pub fn local_minute(hours: &regflow_process::OfficeHours, instant: chrono::DateTime<chrono::Utc>) -> String {
    instant.with_timezone(&hours.time_zone()).format("%Y-%m-%d %H:%M").to_string()
}

/// Every instant of a page's document as a person reads it: the local `YYYY-MM-DD HH:mm`
/// of the offset it carries (documents are already in the centre's time zone).
pub fn human_times(value: &mut Value) {
    match value {
        Value::String(text) if text.len() >= 20 && text.as_bytes().get(10) == Some(&b'T') => {
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
                *text = at.format("%Y-%m-%d %H:%M").to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(human_times),
        Value::Object(map) => map.values_mut().for_each(human_times),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of every id a page shows has a name of its own.
    #[test]
    fn every_variant_has_a_label() {
        fn all<T: Label + std::fmt::Debug>(values: &[T]) {
            for v in values {
                let zh = v.zh();
                assert!(!zh.is_empty(), "{v:?} has no label");
                assert!(!zh.is_ascii(), "{v:?} is labelled `{zh}`, not in Chinese");
            }
        }
        all(&State::ALL);
        all(&CommandName::ALL);
        all(&ApplicantCategory::ALL);
        all(&Role::ALL);
        all(&Channel::ALL);
        all(&Priority::ALL);
        all(&PartyRole::ALL);
        all(&IdType::ALL);
        all(&Task::ALL);
        all(&TaskStatus::ALL);
        all(&SuspensionCause::ALL);
        all(&RejectionGround::ALL);
        all(&AlertLevel::ALL);
        all(&ClockKind::ALL);
        all(&ErrorCode::ALL);
        for code in ErrorCode::ALL {
            assert_ne!(code.zh(), UNNAMED_CODE, "{code} falls through to the fallback");
            assert_eq!(super::code(code.as_str()), code.zh());
        }
        for c in CommandName::ALL {
            assert_eq!(command(c.as_str()), c.zh());
        }
    }

    /// Every kind of the built-in catalogue has its Chinese name.
    #[test]
    fn every_kind_has_a_name() {
        for kind in regflow_process::Catalogue::builtin().kinds() {
            assert!(!kind.name.is_empty() && !kind.name.is_ascii(), "{} has no Chinese name", kind.id);
        }
    }
}
