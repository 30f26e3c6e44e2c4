//! A kind's flow chart, generated from the process crate's transition table — never drawn
//! by hand. Prints Mermaid (for Markdown) and Graphviz DOT.
//!
//! `cargo run --example flowchart -- [KIND] [--format mermaid|dot] [--all]`
//!
//! KIND defaults to `transfer_second_hand` (不动产转移登记流程图). `--all` adds the commands
//! that leave the state unchanged (materials, tasks, extensions) and the engine's own.

use regflow::process::transition::{for_kind, Transition};
use regflow::process::{Catalogue, CommandName, KindSpec, PolicyTimeline, Role, State};

/// The roles of an edge, from the table and the kind's channels and tasks.
fn who(t: &Transition, kind: &KindSpec) -> String {
    t.roles_for(kind)
        .iter()
        .map(|r| match r {
            Role::System => "engine",
            r => r.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn node(s: Option<State>) -> String {
    s.map_or_else(|| "new".into(), |s| s.as_str().to_owned())
}

fn label(s: Option<State>) -> String {
    s.map_or_else(|| "新申请 new".into(), |s| format!("{} {}", s.name_zh(), s.as_str()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let format = args
        .iter()
        .position(|a| a == "--format")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let kind_id = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--format"))
        .map_or("transfer_second_hand", |(_, a)| a.as_str());
    let catalogue = Catalogue::builtin();
    let kind = catalogue
        .get(kind_id)
        .ok_or_else(|| format!("unknown kind `{kind_id}`"))?;
    let latest = PolicyTimeline::builtin()
        .policies()
        .last()
        .cloned()
        .ok_or("no policy")?;
    let instant = regflow::process::ApplicantCategory::ALL
        .iter()
        .any(|c| latest.is_instant(&kind.id, *c));
    let rows: Vec<Transition> = for_kind(kind, instant)
        .into_iter()
        .filter(|t| {
            all || (t.to.iter().any(|to| Some(*to) != t.from)
                && !matches!(t.command, CommandName::RaiseAlert | CommandName::Reproject))
        })
        .collect();
    let mut states: Vec<Option<State>> = vec![None];
    for t in &rows {
        for s in t.from.into_iter().chain(t.to.iter().copied()) {
            if !states.contains(&Some(s)) {
                states.push(Some(s));
            }
        }
    }
    let title = format!("{} {} (policy {})", kind.name, kind.id, latest.id());
    if format != Some("dot") {
        println!("%% {title}");
        println!("flowchart TD");
        for s in &states {
            println!("    {}([\"{}\"])", node(*s), label(*s));
        }
        for t in &rows {
            for to in t.to {
                println!(
                    "    {} -->|\"{}<br/>{}\"| {}",
                    node(t.from),
                    t.command,
                    who(t, kind),
                    to.as_str()
                );
            }
        }
    }
    if format != Some("mermaid") {
        println!("// {title}");
        println!("digraph {} {{", kind.id);
        println!("    rankdir=TB; node [shape=box, style=rounded];");
        for s in &states {
            let terminal = s.is_some_and(|s| s.is_terminal());
            println!(
                "    {} [label=\"{}\"{}];",
                node(*s),
                label(*s),
                if terminal { ", peripheries=2" } else { "" }
            );
        }
        for t in &rows {
            for to in t.to {
                println!(
                    "    {} -> {} [label=\"{}\\n{}\"];",
                    node(t.from),
                    to.as_str(),
                    t.command,
                    who(t, kind)
                );
            }
        }
        println!("}}");
    }
    Ok(())
}
