use std::process::ExitCode;

use tokio_util::sync::CancellationToken;
use webinar_bot::app::{self, Tuning};
use webinar_bot::clock::SystemClock;
use webinar_bot::config::{Config, ConfigError};

const USAGE: &str = "usage: webinar-bot [run | migrate | check-config]";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "run".to_owned());
    if !matches!(command.as_str(), "run" | "migrate" | "check-config") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    if command == "check-config" {
        println!("configuration is valid: {config:?}");
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        if command == "migrate" {
            let pool = app::open_store(&config).await?;
            pool.close().await;
            println!("migrations applied");
            return Ok(());
        }
        let shutdown = CancellationToken::new();
        tokio::spawn(stop_on_signal(shutdown.clone()));
        let tuning = Tuning::for_config(&config);
        app::run(config, std::sync::Arc::new(SystemClock), tuning, shutdown).await
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Found only once the database is open (a key that does not match it): still the
        // configuration's fault, so the same code as a malformed variable.
        Err(err) if err.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("configuration error: {err:#}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

/// SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop) both mean: finish what is in hand and stop.
async fn stop_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("stopping: finishing the updates in hand");
    shutdown.cancel();
}
