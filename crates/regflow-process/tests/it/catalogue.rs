//! The built-in catalogue and catalogue loading.

use regflow_process::catalogue::{Catalogue, CatalogueError, Produces, Provider, Task, UnitEffect};
use regflow_process::{Channel, ErrorCode, KindId, PolicyTimeline};

/// (kind, materials, non-key, provided by a task, tasks, produces, notice days, extra channel)
type Row = (
    &'static str,
    usize,
    &'static [&'static str],
    &'static [(&'static str, Task)],
    &'static [Task],
    Produces,
    Option<u32>,
    Option<Channel>,
);

#[test]
fn builtin_catalogue_is_the_spec_table() {
    let c = Catalogue::builtin();
    assert_eq!(c.kinds().len(), 14);
    let ids: Vec<&str> = c.kinds().iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, regflow_process::kind::BUILTIN_KIND_IDS);
    let rows: [Row; 14] = [
        (
            "transfer_second_hand",
            7,
            &["marital_status_proof", "household_register"],
            &[("tax_payment_proof", Task::Tax)],
            &[Task::TransactionFiling, Task::Tax],
            Produces::TitleCertificate,
            None,
            None,
        ),
        (
            "transfer_new_commercial",
            8,
            &["marital_status_proof"],
            &[("tax_payment_proof", Task::Tax), ("developer_first_registration", Task::TransactionFiling)],
            &[Task::TransactionFiling, Task::Tax],
            Produces::TitleCertificate,
            None,
            None,
        ),
        ("first_registration", 6, &[], &[], &[], Produces::TitleCertificate, None, None),
        ("first_registration_homestead", 4, &[], &[], &[], Produces::TitleCertificate, Some(15), None),
        ("change", 4, &[], &[], &[], Produces::TitleCertificate, None, None),
        ("mortgage", 5, &[], &[], &[], Produces::RegistrationCertification, None, Some(Channel::Bank)),
        ("mortgage_cancellation", 4, &[], &[], &[], Produces::Notice, None, Some(Channel::Bank)),
        ("cancellation", 4, &[], &[], &[], Produces::Notice, None, None),
        ("seizure", 2, &[], &[], &[], Produces::Notice, None, Some(Channel::Court)),
        ("seizure_release", 2, &[], &[], &[], Produces::Notice, None, Some(Channel::Court)),
        ("information_query", 1, &[], &[], &[], Produces::QueryResult, None, Some(Channel::Kiosk)),
        ("correction", 4, &[], &[], &[], Produces::TitleCertificate, None, None),
        ("objection", 3, &[], &[], &[], Produces::RegistrationCertification, None, None),
        ("advance_notice", 4, &[], &[], &[], Produces::RegistrationCertification, None, None),
    ];
    for (id, count, non_key, by_task, tasks, produces, notice, extra) in rows {
        let k = c.get(id).unwrap();
        assert_eq!(k.materials.len(), count, "{id}");
        for m in &k.materials {
            assert_eq!(m.key, !non_key.contains(&m.id.as_str()), "{id}.{}", m.id);
            let expected = by_task.iter().find(|(mid, _)| *mid == m.id.as_str()).map(|(_, t)| Provider::Task(*t));
            assert_eq!(m.provider, expected.unwrap_or(Provider::Applicant), "{id}.{}", m.id);
        }
        assert_eq!(k.tasks, tasks, "{id}");
        assert_eq!(k.produces, produces, "{id}");
        assert_eq!(k.public_notice_days, notice, "{id}");
        let court_only = ["seizure", "seizure_release"].contains(&id);
        for ch in Channel::ALL {
            let expected =
                if court_only { ch == Channel::Court } else { Channel::GENERAL.contains(&ch) || Some(ch) == extra };
            assert_eq!(k.allows(ch), expected, "{id} on {ch}");
        }
        assert!(k.pledges);
        assert_eq!(
            k.blocked_by_seizure,
            ["transfer_second_hand", "transfer_new_commercial", "change", "mortgage"].contains(&id),
            "{id}"
        );
    }
    // By channel: the kiosk opens the information query only, the court its two kinds.
    let on = |ch| c.opened_on(ch).map(|k| k.id.as_str()).collect::<Vec<_>>();
    assert_eq!(on(Channel::Kiosk), ["information_query"]);
    assert_eq!(on(Channel::Court), ["seizure", "seizure_release"]);
    assert_eq!(on(Channel::Window).len(), 12);
    assert_eq!(c.get("seizure").unwrap().unit_effect, Some(UnitEffect::Seize));
    assert_eq!(c.get("seizure_release").unwrap().unit_effect, Some(UnitEffect::Release));
    let counts = c.material_counts();
    assert_eq!(counts[&KindId::parse("transfer_second_hand").unwrap()], (7, Some(23)));
    assert_eq!(counts[&KindId::parse("transfer_new_commercial").unwrap()], (8, Some(20)));
    // Policies validate against a catalogue's ids.
    assert!(PolicyTimeline::from_toml_with_kinds(
        "[[policy]]\nid='p'\neffective_from=2020-01-01\npromise={individual=1,organisation=1}\n[policy.kinds]\nseizure='instant'\n",
        &c.ids()
    )
    .is_ok());
}

#[track_caller]
fn check_invalid(text: &str, entry: &str, needle: &str) {
    match Catalogue::from_toml(text) {
        Err(e @ CatalogueError::Invalid { .. }) => {
            assert_eq!(e.code(), ErrorCode::InvalidCatalogue);
            let CatalogueError::Invalid { entry: got, reason } = e else { unreachable!() };
            assert_eq!(got, entry, "{reason}");
            assert!(reason.contains(needle), "`{reason}` lacks `{needle}`");
        }
        other => panic!("expected invalid {entry}, got {other:?}"),
    }
}

#[test]
fn catalogue_validation_names_the_entry() {
    let kind = |extra: &str, materials: &str| {
        format!(
            "[[kind]]\nid = \"k\"\nname = \"K\"\nproduces = \"title_certificate\"\n{extra}\nmaterial = [{materials}]\n"
        )
    };
    let form = "{ id = \"form\", name = \"申请书\" }";
    check_invalid(&kind("tasks = [\"audit\"]", form), "`k`.tasks", "unknown task `audit`");
    check_invalid(&kind("channels = [\"fax\"]", form), "`k`.channels", "unknown channel `fax`");
    check_invalid(&kind("public_notice_days = -15", form), "`k`", "negative");
    // Counts from input are bounded, never wrapped.
    check_invalid(&kind("public_notice_days = 4294967311", form), "`k`", "more than 250");
    check_invalid(&kind("materials_before_reform = 4294967296", form), "`k`", "too large");
    // A seizure is registered on a court's commission only.
    check_invalid(
        &kind("unit_effect = \"seize\"\nchannels = [\"court\", \"bank\"]", form),
        "`k`.channels",
        "only on `court`",
    );
    let court_only = Catalogue::from_toml(&kind("unit_effect = \"release\"", form)).unwrap();
    let k = court_only.get("k").unwrap();
    assert_eq!(k.channels.iter().copied().collect::<Vec<_>>(), vec![Channel::Court]);
    check_invalid(&kind("", ""), "`k`", "checklist is empty");
    check_invalid(&kind("", &format!("{form}, {form}")), "`k`.material.form", "listed twice");
    check_invalid(
        &kind("", "{ id = \"tax_proof\", name = \"x\", provider = \"tax\" }"),
        "`k`.material.tax_proof",
        "not one of the kind's tasks",
    );
    check_invalid(&kind("", "{ id = \"Bad Id\", name = \"x\" }"), "`k`.material.Bad Id", "not a material id");
    check_invalid(&format!("{}{}", kind("", form), kind("", form)), "`k`", "duplicate kind id");
    check_invalid(&kind("", form).replace("id = \"k\"", "id = \"K-1\""), "`K-1`", "not a kind id");
    let e = Catalogue::from_toml(&kind("colour = \"red\"", form)).unwrap_err();
    assert!(matches!(e, CatalogueError::Syntax { .. }) && e.to_string().contains("colour"), "{e}");
    let e = Catalogue::from_toml(&kind("", form).replace("title_certificate", "deed")).unwrap_err();
    assert!(matches!(e, CatalogueError::Syntax { .. }), "{e}");
}
