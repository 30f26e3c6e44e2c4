//! The quick start an integrator copies: open an engine, accept a case, move it through
//! its steps, print its deadlines and history.
//!
//! `cargo run --example embed [-- --database postgres://…]` (default: in-memory SQLite)

use regflow::executor::{Engine, Request};
use regflow::process::catalogue::Task;
use regflow::process::{
    Actor, ApplicantCategory, ApplicantInput, Centre, CentreId, Channel, Command, IntakeInput, Role,
};

/// The quick start: one case through the engine, from acceptance to the certificate.
#[derive(clap::Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Where to keep the case.
    #[arg(long, default_value = "sqlite::memory:")]
    database: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    let url = args.database.as_str();

    // 1. An engine: SQLite in memory (or PostgreSQL), built-in calendar, policies and kinds.
    let engine = Engine::builder(url).centre(Centre::new("xining")).build().await?;
    let xining = CentreId::new("xining");
    let staff = |id: &str, role: Role| Actor::new(id, [role], xining.clone());

    // 2. Acceptance at the window: one set of materials, decided on the spot.
    let accept = Command::Accept {
        intake: Some(IntakeInput::new(
            "transfer_second_hand",
            ApplicantCategory::Individual,
            vec![ApplicantInput::new("张三", "630102198503120015"), ApplicantInput::new("李四", "630102199211080028")],
            "630102001001GB00001F00010001",
            Channel::Window,
        )),
        materials: ["application_form", "identity_proof", "title_certificate", "sale_contract"]
            .map(String::from)
            .to_vec(),
    };
    let done = engine.execute(Request::new(staff("clerk-1", Role::Clerk), accept)).await?;
    let id = done.case.id().clone();
    let hours = engine.centre(&xining).expect("configured").hours;
    let deadlines = done.case.deadlines().expect("accepted");
    println!("case {id}: {}", done.case.state());
    println!("  promise due   {}", hours.format(deadlines.promise.due_at));
    println!("  statutory due {}", hours.format(deadlines.statutory.due_at));
    println!("  pledged (容缺) {:?}", done.case.pledged().iter().map(|m| m.as_str()).collect::<Vec<_>>());

    // 3. The departments work in parallel; the applicant brings the pledged materials.
    let steps = [
        (staff("tax-1", Role::TaxOfficer), Command::task_succeeded(Task::Tax)),
        (staff("tr-1", Role::TransactionOfficer), Command::task_succeeded(Task::TransactionFiling)),
        (
            Actor::applicant("630102198503120015", xining.clone()),
            Command::SupplyMaterials { materials: vec!["marital_status_proof".into(), "household_register".into()] },
        ),
        // 4. Review, record, issue: the three steps and the certificate.
        (staff("rev-1", Role::Reviewer), Command::Review),
        (staff("reg-1", Role::Registrar), Command::Record),
        (staff("clerk-2", Role::Clerk), Command::IssueCertificate),
    ];
    for (actor, command) in steps {
        let name = command.name();
        let done = engine.execute(Request::to(&id, actor, command)).await?;
        println!("{name:>18} → {}", done.case.state());
    }

    // 5. The history: every change, hash-chained.
    let view = engine.case(&id).await?.expect("stored");
    println!("history of {id}:");
    for e in &view.history {
        println!(
            "  #{} {} {:<18} by {:<20} {} → {}  {}…",
            e.event.seq,
            e.event.at.with_timezone(&hours.time_zone()).format("%Y-%m-%d %H:%M:%S"),
            e.event.command,
            e.event.actor,
            e.event.state_before.map_or("new", |s| s.as_str()),
            e.event.state_after,
            &e.hash[..12]
        );
    }
    let c = view.case.completion().expect("completed");
    println!("completed: {} working days used, on time: {}", c.working_days_used, c.on_time);
    println!("history intact: {}", engine.verify(&id).await?.is_intact());
    Ok(())
}
