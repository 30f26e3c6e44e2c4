//! The service over HTTP: the pages over HTTP: the workbench's live alerts and the kiosk.

use crate::alerts::sse_events;
use crate::support::*;
use regflow_executor::on_both;

/// Signs `who` in to the pages at `area` the way a browser does; the `Cookie` header.
pub async fn page_session(svc: &Svc, who: &str, area: &str) -> String {
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = plain.get(format!("{}{area}", svc.base)).send().await.unwrap();
    let cookie_of = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_owned())
    };
    let csrf_cookie = cookie_of(&res, "regflow_csrf").expect("a CSRF cookie");
    let html = res.text().await.unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = &html[start..start + 64];
    let res = plain
        .post(format!("{}/login", svc.base))
        .header("cookie", &csrf_cookie)
        .form(&[("csrf", csrf), ("token", svc.tokens[who].as_str()), ("next", area)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session = cookie_of(&res, "regflow_session").expect("a session cookie");
    format!("{csrf_cookie}; {session}")
}

async fn workbench_alerts_arrive_live(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "reviewer", "/staff").await;
    let mut live = svc.http.get(format!("{}/staff/alerts", svc.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED);
    svc.clock.set(at("2026-06-01T10:00:00+08:00"));
    let got = sse_events(&mut live, 4, std::time::Duration::from_secs(20)).await;
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().all(|(_, a)| a["case"] == case["id"]));
    assert_eq!(got[0].1["case_url"], json!(format!("/staff/cases/{}", case["id"].as_str().unwrap())));
    // A session cookie with its signature changed is no session.
    let forged = cookie.replace("regflow_session=", "regflow_session=x");
    let res = svc.http.get(format!("{}/staff/alerts", svc.base)).header("cookie", forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The page shows the case to the reviewer; an applicant's session cannot open /staff pages.
    let page = svc
        .http
        .get(format!("{}/staff/cases/{}", svc.base, case["id"].as_str().unwrap()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("data-command=\"review\""), "the reviewer may review");
    let applicant = page_session(&svc, "zhang", "/").await;
    let staff_page = svc
        .http
        .get(format!("{}/staff/cases/{}", svc.base, case["id"].as_str().unwrap()))
        .header("cookie", &applicant)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("name=\"token\""), "an applicant is asked to sign in as staff");
    svc.stop().await;
}
on_both!(workbench_alerts, workbench_alerts_arrive_live);

/// Posts the kiosk's query form as the signed-in kiosk; the page's HTML.
async fn kiosk_query(svc: &Svc, cookie: &str) -> String {
    let page = svc.http.get(format!("{}/kiosk", svc.base)).header("cookie", cookie).send().await.unwrap();
    let page = page.text().await.unwrap();
    let start = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[start..start + 64].to_owned();
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "张三"),
        ("id", ZHANG),
        ("unit", "630102004010GB00087F00010088"),
        ("applicant_category", "individual"),
    ];
    let res = svc.http.post(format!("{}/kiosk", svc.base)).header("cookie", cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn kiosk_answers_the_catalogues_kiosk_kind(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "kiosk", "/kiosk").await;
    let html = kiosk_query(&svc, &cookie).await;
    let start = html.find("案件号 ").unwrap_or_else(|| panic!("a case number on the page: {html}")) + "案件号 ".len();
    let id = &html[start..html[start..].find('。').unwrap() + start];
    let case = svc.engine.case(&CaseId::new(id)).await.unwrap().expect("the kiosk's case").case;
    assert_eq!((case.kind().as_str(), case.intake().channel.as_str()), ("information_query", "kiosk"));
    assert_eq!(case.materials().len(), 1, "the query's one material");
    svc.stop().await;
    // A centre whose catalogue opens nothing on the kiosk is told so, and nothing is opened.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../regflow-process/data/catalogue.toml"))
        .unwrap()
        .replace("channels = [\"kiosk\"]", "channels = []");
    let svc = Svc::start_on(
        db,
        Config { listen: "127.0.0.1:0".into(), ..Config::default() },
        Catalogue::from_toml(&text).unwrap(),
    )
    .await;
    let cookie = page_session(&svc, "kiosk", "/kiosk").await;
    let cases = svc.engine.case_ids(None, 100).await.unwrap();
    let html = kiosk_query(&svc, &cookie).await;
    assert!(html.contains("the catalogue opens no kind on the kiosk channel"), "{html}");
    assert_eq!(svc.engine.case_ids(None, 100).await.unwrap(), cases);
    svc.stop().await;
}
on_both!(kiosk_page, kiosk_answers_the_catalogues_kiosk_kind);

/// The CSRF field of a page's form.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[start..start + 64].to_owned()
}

/// Posts an application form for a transfer of UNIT with `parties` and every material, as
/// the signed-in person; the id of the case the answer's redirect names under `prefix`.
async fn apply_by_form(
    svc: &Svc,
    cookie: &str,
    path: &str,
    html: &str,
    parties: &[(&str, &str)],
    prefix: &str,
) -> String {
    let csrf = csrf_of(html);
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("kind", "transfer_second_hand"),
        ("applicant_category", "individual"),
        ("unit", UNIT),
        ("priority", "standard"),
    ];
    form.extend_from_slice(parties);
    for m in TRANSFER_KEY.iter().chain(&TRANSFER_OTHER) {
        form.push(("materials", m));
    }
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = plain.post(format!("{}{path}", svc.base)).header("cookie", cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(prefix), "the case, not the form again: {to}");
    to.trim_start_matches(prefix).split('?').next().unwrap().to_owned()
}

async fn window_form_parties(db: &Db) {
    // A transfer entered at the window with its seller and buyers, their roles,
    // identifier types and shares (the register's owner checks need them).
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "clerk", "/staff").await;
    let form_page =
        svc.http.get(format!("{}/staff/accept?kind=transfer_second_hand", svc.base)).header("cookie", &cookie);
    let html = form_page.send().await.unwrap().text().await.unwrap();
    for shown in ["p4_role", "义务人（卖方、抵押人等）", "护照", "份额"] {
        assert!(html.contains(shown), "the window form offers {shown}");
    }
    let parties = [
        ("p1_name", "张三"),
        ("p1_id", ZHANG),
        ("p1_role", "obligor"),
        ("p2_name", "王五"),
        ("p2_id", WANG),
        ("p2_role", "obligee"),
        ("p2_share", "1/2"),
        ("p3_name", "John Smith"),
        ("p3_id_type", "passport"),
        ("p3_id", "E12345678"),
        ("p3_role", "obligee"),
        ("p3_share", "1/2"),
        ("p4_name", ""),
        ("p4_id", ""),
        ("priority", "standard"),
    ];
    let id = apply_by_form(&svc, &cookie, "/staff/accept", &html, &parties, "/staff/cases/").await;
    let (_, case) = svc.get(&format!("/v1/cases/{id}"), "clerk").await;
    let roles: Vec<(&str, &str, Option<&str>)> = case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["role"].as_str().unwrap(), p["id_type"].as_str().unwrap(), p["share"].as_str()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("obligor", "resident_id", None),
            ("obligee", "resident_id", Some("1/2")),
            ("obligee", "passport", Some("1/2"))
        ],
        "{case}"
    );
    let page = svc.http.get(format!("{}/staff/cases/{id}", svc.base)).header("cookie", &cookie).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("张三（居民身份证"), "{page}");
    let shown: String = page.find("<dt>申请人</dt>").map(|i| page[i..].chars().take(200).collect()).unwrap_or_default();
    assert!(page.contains("义务人") && page.contains("护照 E12345678，权利人，份额 1&#x2f;2"), "{shown}");
    svc.stop().await;
}
on_both!(the_window_form_takes_sellers_buyers_their_documents_and_shares, window_form_parties);

async fn portal_form_parties(db: &Db) {
    // Online, the applicant says whether they sell or buy, and names the other side.
    let svc = Svc::start(db, Limits::default()).await;
    let cookie = page_session(&svc, "zhang", "/").await;
    let page = svc.http.get(format!("{}/apply?kind=transfer_second_hand", svc.base)).header("cookie", &cookie);
    let html = page.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("您的身份") && html.contains("p3_share") && !html.contains("p4_name"), "three other rows");
    let parties = [
        ("p0_role", "obligor"),
        ("p1_name", "李四"),
        ("p1_id", LI),
        ("p1_role", "obligee"),
        ("p1_share", "1/1"),
        ("priority", "standard"),
    ];
    let id = apply_by_form(&svc, &cookie, "/apply", &html, &parties, "/my/cases/").await;
    let (_, case) = svc.get(&format!("/v1/cases/{id}"), "zhang").await;
    assert_eq!(case["parties"][0]["role"], "obligor", "{case}");
    assert_eq!(
        (case["parties"][1]["role"].as_str(), case["parties"][1]["share"].as_str()),
        (Some("obligee"), Some("1/1"))
    );
    svc.stop().await;
}
on_both!(the_online_form_takes_the_applicants_role_and_the_other_side, portal_form_parties);

async fn case_search(db: &Db) {
    // SPEC 12: the clerk finds any case of the centre by case id, unit number or a party's
    // identifier; another centre's clerk finds none of them.
    let svc = Svc::start(db, Limits::default()).await;
    let (s, case) = svc.post("/v1/cases", "clerk", transfer(zhang_and_li())).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_owned();
    let cookie = page_session(&svc, "clerk", "/staff").await;
    let search = |cookie: String, q: String| {
        let http = svc.http.clone();
        let url = format!("{}/staff/search", svc.base);
        async move { http.get(url).query(&[("q", q)]).header("cookie", cookie).send().await.unwrap().text().await.unwrap() }
    };
    let link = format!("href=\"/staff/cases/{id}\"");
    for q in [id.clone(), UNIT.to_lowercase(), format!(" {LI} ")] {
        let html = search(cookie.clone(), q.clone()).await;
        assert!(html.contains(&link) && html.contains("：1 件"), "{q} finds the case");
    }
    let html = search(cookie.clone(), WANG.to_owned()).await;
    assert!(!html.contains(&link) && html.contains("没有找到"), "a stranger's number finds nothing");
    let other = page_session(&svc, "h_clerk", "/staff").await;
    assert!(!search(other, UNIT.to_owned()).await.contains(&link), "another centre's clerk finds nothing");
    svc.stop().await;
}
on_both!(the_clerk_finds_a_case_by_id_unit_or_party, case_search);

async fn sign_in_returns_only_to_this_site(db: &Db) {
    // A deep link's page comes back after signing in; any other place is refused for the
    // area's home. Outside demo mode no demo hint shows.
    let svc = Svc::start(db, Limits::default()).await;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = plain.get(format!("{}/staff/cases/x", svc.base)).send().await.unwrap();
    let csrf_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("regflow_csrf="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(!html.contains("--demo"), "a demo hint outside demo mode");
    let csrf = csrf_of(&html);
    for (next, lands) in [
        ("/staff/cases/abc?x=1", "/staff/cases/abc?x=1"),
        ("//evil.example/staff", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ] {
        let res = plain
            .post(format!("{}/login", svc.base))
            .header("cookie", &csrf_cookie)
            .form(&[("csrf", csrf.as_str()), ("token", svc.tokens["clerk"].as_str()), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(to == lands || to.starts_with(&format!("{lands}?")), "{next} → {to}");
    }
    svc.stop().await;
}
on_both!(sign_in_returns_to_a_deep_link_of_this_site_only, sign_in_returns_only_to_this_site);
