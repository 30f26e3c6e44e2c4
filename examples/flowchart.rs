//! A kind's flow chart, generated from the process crate's transition table — never drawn
//! by hand. Prints Mermaid (for Markdown) and Graphviz DOT.
//!
//! `cargo run --example flowchart -- [KIND] [--format mermaid|dot] [--all]` (one format a
//! run; Mermaid by default)
//!
//! KIND defaults to `transfer_second_hand` (不动产转移登记流程图). `--all` adds the commands
//! that leave the state unchanged (materials, tasks, extensions) and the engine's own.

use regflow::process::transition::{for_kind, Transition};
use regflow::process::{Catalogue, CommandName, KindSpec, PolicyTimeline, Role, State};
use std::fmt::Write as _;

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

/// The chart's text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Mermaid, for Markdown.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// A kind's flow chart, generated from the transition table.
#[derive(clap::Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The registration kind (an id of the built-in catalogue).
    #[arg(default_value = "transfer_second_hand")]
    kind: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,
    /// Also draw the commands that keep the state and the engine's own.
    #[arg(long)]
    all: bool,
}

fn main() -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    let (all, kind_id) = (args.all, args.kind.as_str());
    let catalogue = Catalogue::builtin();
    let Some(kind) = catalogue.get(kind_id) else {
        let known: Vec<&str> = catalogue.kinds().iter().map(|k| k.id.as_str()).collect();
        eprintln!("flowchart: unknown kind `{kind_id}` (known: {})", known.join(", "));
        return Ok(std::process::ExitCode::from(2));
    };
    let latest = PolicyTimeline::builtin().policies().last().cloned().ok_or("no policy")?;
    let instant = regflow::process::ApplicantCategory::ALL.iter().any(|c| latest.is_instant(&kind.id, *c));
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
    let mut out = String::new();
    if args.format == Format::Mermaid {
        writeln!(out, "%% {title}")?;
        writeln!(out, "flowchart TD")?;
        for s in &states {
            writeln!(out, "    {}([\"{}\"])", node(*s), label(*s))?;
        }
        for t in &rows {
            for to in t.to {
                writeln!(out, "    {} -->|\"{}<br/>{}\"| {}", node(t.from), t.command, who(t, kind), to.as_str())?;
            }
        }
    } else {
        writeln!(out, "// {title}")?;
        writeln!(out, "digraph {} {{", kind.id)?;
        writeln!(out, "    rankdir=TB; node [shape=box, style=rounded];")?;
        for s in &states {
            let terminal = s.is_some_and(|s| s.is_terminal());
            writeln!(
                out,
                "    {} [label=\"{}\"{}];",
                node(*s),
                label(*s),
                if terminal { ", peripheries=2" } else { "" }
            )?;
        }
        for t in &rows {
            for to in t.to {
                writeln!(out, "    {} -> {} [label=\"{}\\n{}\"];", node(t.from), to.as_str(), t.command, who(t, kind))?;
            }
        }
        writeln!(out, "}}")?;
    }
    Ok(regflow_sim::write_stdout(&out))
}
