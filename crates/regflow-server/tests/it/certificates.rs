//! Certificates over HTTP (SPEC 15.1): the public verification tells no names, the file
//! and its QR code go to the centre's staff and the case's parties only, and the file
//! verifies against the public key the service publishes.

use crate::support::*;
use crate::units::record_first_registration;
use regflow_executor::on_both;
use regflow_executor::signing::PublicKey;
use regflow_process::register::certificate::{certificate_id, read_signed_file};

async fn raw(svc: &Svc, path: &str, who: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = svc.http.get(format!("{}{path}", svc.base));
    if let Some(who) = who {
        req = req.bearer_auth(&svc.tokens[who]);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let kind = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

async fn certificates(db: &Db) {
    let svc = Svc::start(db, Limits::default()).await;
    let case = record_first_registration(&svc).await;
    let (s, v) = svc.command(&case, "clerk", json!({"command": "issue_certificate"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = certificate_id("xining", &case);
    assert_eq!(v["certificate"]["id"], json!(id), "{v}");
    let (_, doc) = svc.get(&format!("/v1/cases/{case}"), "zhang").await;
    assert_eq!(
        (doc["certificate"]["status"].as_str(), doc["certificate"]["type"].as_str()),
        (Some("valid"), Some("title"))
    );

    // Anyone may verify, and learns no name or identifier.
    let (s, answer) = svc.call(Method::GET, &format!("/v1/certificates/{id}/verify"), None, None).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "valid");
    assert_eq!(answer["number"], "青(2026)西宁市不动产权第0000001号");
    let text = answer.to_string();
    assert!(!text.contains("张三") && !text.contains(ZHANG), "{text}");
    let (_, forged) =
        svc.call(Method::GET, &format!("/v1/certificates/{id}/verify?hash={}", "0".repeat(64)), None, None).await;
    assert_eq!(forged["status"], "not_genuine");
    let (s, p) = svc.call(Method::GET, "/v1/certificates/no-such-id/verify", None, None).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("certificate_not_found")));

    // The file: staff and the case's parties; another applicant or centre is told nothing.
    let (s, kind, file) = raw(&svc, &format!("/v1/certificates/{id}"), Some("zhang")).await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/json"));
    let (s, _, by_clerk) = raw(&svc, &format!("/v1/certificates/{id}"), Some("clerk")).await;
    assert_eq!((s, &by_clerk), (StatusCode::OK, &file));
    for who in ["wang", "h_clerk"] {
        let (s, p) = svc.get(&format!("/v1/certificates/{id}"), who).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::NOT_FOUND, Some("certificate_not_found")), "{who}");
    }
    let (s, _) = svc.call(Method::GET, &format!("/v1/certificates/{id}"), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // It verifies against the published key, and its hash is the one verification knows.
    let signed = read_signed_file(&file).unwrap();
    let (s, keys) = svc.call(Method::GET, "/v1/keys/xining", None, None).await;
    assert_eq!(s, StatusCode::OK, "{keys}");
    let key = PublicKey::from_pem(keys["keys"][0]["public_key"].as_str().unwrap()).unwrap();
    assert_eq!(key.key_id, signed.key_id);
    assert!(key.verifies(&signed.signed_bytes, &signed.signature));
    let (_, genuine) =
        svc.call(Method::GET, &format!("/v1/certificates/{id}/verify?hash={}", signed.hash), None, None).await;
    assert_eq!(genuine["status"], "valid");

    // The case pages show it with its QR code; the file downloads through the session.
    let page_get = |cookie: String, path: String| {
        let (http, base) = (svc.http.clone(), svc.base.clone());
        async move {
            let res = http.get(format!("{base}{path}")).header("cookie", cookie).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let zhang = crate::pages::page_session(&svc, "zhang", "/").await;
    let (s, html) = page_get(zhang.clone(), format!("/my/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("青(2026)西宁市不动产权第0000001号") && html.contains("有效") && html.contains("<svg"),
        "{html}"
    );
    let (s, downloaded) = page_get(zhang, format!("/my/certificates/{id}")).await;
    assert_eq!((s, downloaded.as_bytes()), (StatusCode::OK, file.as_slice()));
    let wang = crate::pages::page_session(&svc, "wang", "/").await;
    let (s, _) = page_get(wang, format!("/my/certificates/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let clerk = crate::pages::page_session(&svc, "clerk", "/staff").await;
    let (s, html) = page_get(clerk, format!("/staff/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"certificate-number\">青(2026)西宁市不动产权第0000001号"), "{html}");

    // The QR code points at the verification address.
    let (s, kind, svg) = raw(&svc, &format!("/v1/certificates/{id}/qr.svg"), Some("zhang")).await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "image/svg+xml"));
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    svc.stop().await;
}
on_both!(a_certificate_verifies_publicly_and_its_file_goes_to_its_parties, certificates);
