use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use webinar_bot::app::{self, Tuning};
use webinar_bot::backup::{self, KeyStatus};
use webinar_bot::clock::SystemClock;
use webinar_bot::config::{Config, ConfigError, LogFormat};
use webinar_bot::logging;

mod move_to_postgres;

const USAGE: &str = "usage: webinar-bot [run | migrate | check-config | backup PATH | restore PATH | healthcheck \
                     | migrate-to-postgres --from sqlite://… --to postgres://…]";

enum Command {
    Run,
    Migrate,
    CheckConfig,
    Backup(PathBuf),
    Restore(PathBuf),
    Healthcheck,
    MigrateToPostgres { from: String, to: String },
}

impl Command {
    fn parse(mut args: impl Iterator<Item = String>) -> Option<Self> {
        let command = match args.next().as_deref() {
            None | Some("run") => Command::Run,
            Some("migrate") => Command::Migrate,
            Some("check-config") => Command::CheckConfig,
            Some("healthcheck") => Command::Healthcheck,
            Some("backup") => Command::Backup(args.next()?.into()),
            Some("restore") => Command::Restore(args.next()?.into()),
            Some("migrate-to-postgres") => return Self::parse_move(args),
            Some(_) => return None,
        };
        args.next().is_none().then_some(command)
    }

    /// `--from URL --to URL`, in either order, each once.
    fn parse_move(mut args: impl Iterator<Item = String>) -> Option<Self> {
        let (mut from, mut to) = (None, None);
        while let Some(flag) = args.next() {
            let slot = match flag.as_str() {
                "--from" => &mut from,
                "--to" => &mut to,
                _ => return None,
            };
            if slot.replace(args.next()?).is_some() {
                return None;
            }
        }
        Some(Command::MigrateToPostgres { from: from?, to: to? })
    }
}

fn main() -> ExitCode {
    let Some(command) = Command::parse(std::env::args().skip(1)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // Needs neither the token nor the key: the copy moves sealed secrets as they are.
    if let Command::MigrateToPostgres { from, to } = &command {
        return move_to_postgres::run(from, to);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    if let Command::CheckConfig = command {
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
        match command {
            Command::Migrate => {
                let pool = app::open_store(&config).await?;
                pool.close().await;
                println!("migrations applied");
                return Ok(());
            }
            Command::Backup(path) => return take_backup(&config, &path).await,
            Command::Restore(path) => return restore(&config, &path).await,
            Command::Healthcheck => return healthcheck(&config).await,
            Command::Run | Command::CheckConfig | Command::MigrateToPostgres { .. } => {}
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

fn init_logging(format: LogFormat) {
    use tracing_subscriber::util::SubscriberInitExt;
    // Also routes teloxide's `log` records into the same subscriber.
    let ansi = std::io::stdout().is_terminal();
    logging::subscriber(format, logging::filter_from_env(), std::io::stdout, ansi).init();
}

const KEY_WARNING: &str = "\
KEEP THE KEY WITH THE BACKUP: provider credentials in the database are sealed with BOT_SECRET_KEY
(or secret.key in the data folder). Without that key they can never be read again: store it
safely, apart from the backup, and restore it together with the database.";

async fn take_backup(config: &Config, path: &Path) -> anyhow::Result<()> {
    backup::backup(config, path).await?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({size} bytes); integrity check ok", path.display());
    let key = match &config.secret_key {
        Some(_) => "the BOT_SECRET_KEY variable".to_owned(),
        None => config.data_dir.join(webinar_bot::crypto::KEY_FILE_NAME).display().to_string(),
    };
    eprintln!("{KEY_WARNING}\nThis bot's key: {key}");
    Ok(())
}

async fn restore(config: &Config, path: &Path) -> anyhow::Result<()> {
    let status = backup::restore(config, path).await?;
    let target = backup::database_path(config)?;
    println!("restored {} to {}", path.display(), target.display());
    if status == KeyStatus::Missing {
        eprintln!(
            "NO KEY YET: put the secret.key of the bot this backup came from into {} (or set BOT_SECRET_KEY) \
             before starting; the bot refuses to start with any other key.",
            config.data_dir.display()
        );
    }
    Ok(())
}

/// `/readyz` of the bot running with this configuration: exit 0 when ready, 1 otherwise, so a
/// container needs no curl.
async fn healthcheck(config: &Config) -> anyhow::Result<()> {
    let Some(addr) = config.http_addr else {
        anyhow::bail!("HTTP_ADDR is off: there is no server to ask");
    };
    let url = format!("http://{}/readyz", reachable(addr));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).no_proxy().build()?;
    let response = client.get(&url).send().await.map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        println!("ready");
        return Ok(());
    }
    anyhow::bail!("not ready ({status}): {body}")
}

/// A server listening on every address is asked on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port()),
        _ => addr,
    }
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
