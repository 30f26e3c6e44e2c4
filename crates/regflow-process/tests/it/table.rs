//! The transition table, expanded, against its snapshot: a change to who may do what from
//! which state shows up as a diff of `snapshots/transitions.txt` in review.
//! `REGFLOW_BLESS=1 cargo test -p regflow-process table` rewrites the snapshot.

use regflow_process::transition::{transitions, Who};

fn render() -> String {
    let mut out = String::new();
    for t in transitions() {
        let from = t.from.map_or("new", |s| s.as_str());
        let to: Vec<&str> = t.to.iter().map(|s| s.as_str()).collect();
        let who = match t.who {
            Who::Roles(roles) => roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("|"),
            Who::ChannelRole => "channel role".into(),
            Who::Applicants => "applicants".into(),
            Who::ApplicantsOrClerk => "applicants|clerk".into(),
            Who::TaskOfficer => "task officer".into(),
            Who::System => "system".into(),
        };
        out.push_str(&format!("{from:<15} {:<17} -> {:<28} by {who}\n", t.command.as_str(), to.join("|")));
    }
    out
}

#[test]
fn the_table_matches_its_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/transitions.txt");
    let got = render();
    if std::env::var_os("REGFLOW_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "the table changed; review the diff and bless it if meant");
}

#[test]
fn each_kind_lists_the_steps_its_transitions_reach() {
    use regflow_process::catalogue::{Catalogue, Produces};
    use regflow_process::transition::steps;
    let catalogue = Catalogue::builtin();
    let mut seen = std::collections::BTreeSet::new();
    for kind in catalogue.kinds() {
        let got: Vec<&str> = steps(kind).iter().map(|c| c.as_str()).collect();
        let want: &[&str] = match kind.produces {
            Produces::QueryResult => &["accept", "review"],
            p if p.issues_certificate() => &["accept", "review", "record", "issue_certificate"],
            _ => &["accept", "review", "record"],
        };
        assert_eq!(got, want, "{}", kind.id);
        seen.insert(got.len());
    }
    // The catalogue has kinds of all three shapes.
    assert_eq!(seen.len(), 3);
}
