//! `webinar-bot migrate-to-postgres --from sqlite://… --to postgres://…`: the output around
//! `store::copy`, which does the work.

use std::process::ExitCode;

use webinar_bot::config::without_password;
use webinar_bot::store::copy::{self, Report};

pub fn run(from: &str, to: &str) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(copy::sqlite_to_postgres(from, to)) {
        Ok(report) => {
            print_report(&report, from, to);
            ExitCode::SUCCESS
        }
        Err(err) => {
            // The error names databases by host and name only; the URL given is shown the same way.
            eprintln!("migrate-to-postgres: {err}; nothing was copied to {}", without_password(to));
            ExitCode::FAILURE
        }
    }
}

fn print_report(report: &Report, from: &str, to: &str) {
    if !report.source_migrated.is_empty() {
        let versions: Vec<String> = report.source_migrated.iter().map(i64::to_string).collect();
        println!("the source was behind this binary: applied its migrations {} first", versions.join(", "));
    }
    if report.codes_hashed > 0 {
        println!("{} invitation codes stored in the clear were hashed in the source first", report.codes_hashed);
    }
    println!("{:<16} {:>10} {:>10}", "table", "sqlite", "postgres");
    for (table, source, target) in &report.counts {
        println!("{table:<16} {source:>10} {target:>10}");
    }
    let rows: i64 = report.counts.iter().map(|(_, n, _)| n).sum();
    println!(
        "copied {rows} rows from {} to {} in {:.1} s; row counts match",
        without_password(from),
        without_password(to),
        report.elapsed.as_secs_f64()
    );
    println!(
        "start the bot with DATABASE_URL set to the target and the same key (BOT_SECRET_KEY or \
         secret.key): the provider secrets were copied sealed with it"
    );
}
