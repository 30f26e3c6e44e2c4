//! Chinese names for the SPEC's ids, and cases as the templates show them.

use regflow_executor::{Engine, Token};
use regflow_process::{Actor, ApplicantCategory, Case, Role, State};
use serde_json::{json, Value};

use crate::view;

/// 中文 for a state.
pub fn state(s: State) -> &'static str {
    match s {
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

/// 中文 for a command.
pub fn command(c: &str) -> &'static str {
    match c {
        "apply" => "网上申请",
        "pre_review" => "网上预审",
        "amend" => "补正",
        "accept" => "受理",
        "supply_materials" => "补交材料",
        "complete_task" => "完成部门任务",
        "review" => "审核",
        "record" => "登簿",
        "issue_certificate" => "发证",
        "handle_instantly" => "即时办结",
        "suspend" => "中止",
        "resume" => "恢复",
        "reject" => "不予登记",
        "withdraw" => "撤回",
        "extend" => "延期",
        "evaluate" => "好差评",
        "auto_resume" => "公告期满自动恢复",
        "raise_alert" => "时限预警",
        "reproject" => "日历更新重算时限",
        "auto_suspend" => "公告期中止",
        "import" => "历史业务导入",
        _ => "",
    }
}

/// 中文 for an applicant category.
pub fn category(c: ApplicantCategory) -> &'static str {
    match c {
        ApplicantCategory::Individual => "个人",
        ApplicantCategory::Organisation => "单位",
    }
}

/// 中文 for a role.
pub fn role(r: Role) -> &'static str {
    match r {
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
        Role::System => "系统",
    }
}

/// 中文 for a refusal code (the code itself is shown beside it).
pub fn code(c: &str) -> &'static str {
    match c {
        "invalid_transition" => "当前状态不能办理此操作",
        "forbidden_role" => "无此权限",
        "separation_of_duties" => "岗位分离：须由他人办理",
        "wrong_centre" | "case_not_found" => "查无此件",
        "channel_not_allowed" => "此渠道不能办理该业务",
        "not_instant_kind" => "非即时办结业务",
        "unknown_kind" => "未知业务类型",
        "unknown_material" => "未知材料",
        "invalid_identifier" => "证件号或单元号有误",
        "materials_pending" => "容缺材料未补齐",
        "tasks_pending" => "部门任务未完成",
        "unit_seized" => "不动产已被查封",
        "partial_withdrawal" => "撤回须全体申请人同意",
        "invalid_ground" => "不予登记理由不合法",
        "already_evaluated" => "已评价",
        "exceeds_statutory" => "延期超过法定时限",
        "invalid_argument" => "填写有误",
        "conflict" => "他人已先办理，请刷新",
        _ => "未能办理",
    }
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
           "applicant": t.actor.has(Role::Applicant)})
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
    let checklist: Vec<Value> = kind
        .map(|k| {
            k.applicant_materials()
                .map(|m| {
                    json!({"id": m.id, "name": m.name, "key": m.key,
                               "presented": case.materials().contains(&m.id)})
                })
                .collect()
        })
        .unwrap_or_default();
    if let Value::Object(map) = &mut doc {
        map.insert("state_zh".into(), json!(state(case.state())));
        map.insert("kind_name".into(), json!(kind.map_or("", |k| k.name.as_str())));
        map.insert("missing_named".into(), named(&materials["missing"]));
        map.insert("pledged_named".into(), named(&materials["pledged"]));
        map.insert("presented_named".into(), named(&materials["presented"]));
        map.insert("checklist".into(), Value::Array(checklist));
        map.insert("command_list".into(), Value::Array(commands));
        map.insert("days_left".into(), left.unwrap_or(Value::Null));
        map.insert(
            "tasks_list".into(),
            Value::Array(
                case.tasks()
                    .iter()
                    .map(|(t, s)| json!({"task": t.as_str(), "zh": task(t.as_str()), "status": s}))
                    .collect(),
            ),
        );
    }
    doc
}

/// 中文 for a task.
pub fn task(t: &str) -> &'static str {
    match t {
        "tax" => "税务（完税）",
        "transaction_filing" => "住建交易备案",
        _ => "",
    }
}
