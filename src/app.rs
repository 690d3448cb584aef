//! Wiring: the pool, the bot, the dispatcher; and a graceful stop.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use teloxide::dispatching::Dispatcher;
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::update_listeners::Polling;
use tokio_util::sync::CancellationToken;

use crate::bot::{self, AppBot, Ctx, SharedCtx, State};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::delivery::{Delivery, DeliveryConfig};
use crate::meetings::Meetings;
use crate::store::{self, DbStorage, Events, Groups, Invites, Providers, Settings, Users};

/// Knobs that differ between production and tests or benches.
#[derive(Clone, Debug)]
pub struct Tuning {
    /// The long-poll timeout of getUpdates.
    pub poll_timeout: Duration,
    pub limits: teloxide::adaptors::throttle::Limits,
}

impl Tuning {
    /// Telegram's limits, with the overall rate from the configuration.
    pub fn for_rate(send_rate: u32) -> Self {
        let limits = teloxide::adaptors::throttle::Limits {
            messages_per_sec_overall: send_rate,
            // Telegram asks for about one message a second in a chat and tolerates short bursts:
            // a person tapping through a dialogue gets each answer at once, and a private chat
            // stays within a message a second over the minute. teloxide's default of 20 a
            // minute is the group limit, which stalls a long dialogue.
            messages_per_sec_chat: 3,
            messages_per_min_chat: 60,
            // Telegram allows 20 a minute in a group; teloxide's default of 10 is for channels.
            messages_per_min_channel_or_supergroup: 20,
        };
        Self { poll_timeout: Duration::from_secs(10), limits }
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Self::for_rate(30)
    }
}

/// Opens the database and applies the migrations; the `migrate` subcommand stops here.
pub async fn open_store(config: &Config) -> anyhow::Result<sqlx::SqlitePool> {
    let pool = store::connect(&config.database_url).await.context("opening the database")?;
    store::migrate(&pool).await.context("applying migrations")?;
    Ok(pool)
}

/// A started bot: its shared context (tests and benches reach the store and delivery through it)
/// and the task that runs the dispatcher.
pub struct Running {
    pub ctx: SharedCtx,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Runs the bot until `shutdown` is cancelled: then it stops taking updates, lets the handlers
/// in hand finish, and closes the pool.
pub async fn run(
    config: Config,
    clock: SharedClock,
    tuning: Tuning,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    start(config, clock, tuning, shutdown).await?.task.await?
}

/// Opens everything the bot needs and starts the dispatcher in the background.
pub async fn start(
    config: Config,
    clock: SharedClock,
    tuning: Tuning,
    shutdown: CancellationToken,
) -> anyhow::Result<Running> {
    let pool = open_store(&config).await?;
    let users = Users::new(pool.clone());
    users
        .sync_admins(&config.admin_ids, config.default_language, config.default_timezone, clock.now())
        .await
        .context("syncing ADMIN_IDS")?;

    // A key that does not load stops the start: without it no provider secret could be read.
    let key = crate::crypto::load_or_create_key(config.secret_key.as_deref(), &config.data_dir)
        .context("loading the key that seals provider secrets (BOT_SECRET_KEY or secret.key in DATA_DIR)")?;
    let providers = Providers::new(pool.clone(), crate::crypto::SecretBox::new(&key));
    ensure_default_provider(&providers, &users, &config, &clock).await?;

    let bot = build_bot(&config, &tuning);
    let dialogues = DbStorage::<State>::new(pool.clone());
    let erased: Arc<ErasedStorage<State>> = Storage::<State>::erase(dialogues.clone());
    let delivery = Delivery::new(
        pool.clone(),
        bot.clone(),
        clock.clone(),
        DeliveryConfig {
            rate: f64::from(tuning.limits.messages_per_sec_overall),
            default_lang: config.default_language,
            default_tz: config.default_timezone,
        },
    );
    let http = crate::providers::http_client();
    let events = Events::new(pool.clone());
    let meetings = Meetings::new(events.clone(), providers.clone(), http.clone(), delivery.clone(), clock.clone());
    let ctx = Arc::new(Ctx {
        config: config.clone(),
        pool: pool.clone(),
        users,
        invites: Invites::new(pool.clone()),
        groups: Groups::new(pool.clone()),
        events,
        delivery: delivery.clone(),
        meetings,
        clock,
        dialogues,
        providers,
        settings: Settings::new(pool.clone()),
        http,
    });
    let scheduler = delivery.spawn(shutdown.clone());

    // The menu is a nicety: registering it must not delay the first update.
    tokio::spawn({
        let bot = bot.clone();
        let lang = config.default_language;
        async move { bot::commands::register(&bot, lang).await }
    });

    let mut dispatcher = Dispatcher::builder(bot.clone(), bot::schema())
        .dependencies(dptree::deps![ctx.clone(), erased])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
        .build();
    let stop = dispatcher.shutdown_token();
    let stopper = tokio::spawn(async move {
        shutdown.cancelled().await;
        // The token refuses while the dispatcher is still starting; ask again until it takes.
        loop {
            match stop.shutdown() {
                Ok(done) => break done.await,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    });

    let task = tokio::spawn(async move {
        let listener = Polling::builder(bot.clone()).timeout(tuning.poll_timeout).delete_webhook().await.build();
        let result = dispatcher
            .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("getUpdates failed"))
            .await;
        stopper.abort();
        // The scheduler stops with the same token; let it finish the sends in hand first.
        if let Err(err) = scheduler.await {
            tracing::error!(%err, "the delivery scheduler ended abnormally");
        }
        pool.close().await;
        result.context("Telegram did not answer getMe: check TELOXIDE_TOKEN and the network")?;
        tracing::info!("stopped");
        Ok(())
    });
    Ok(Running { ctx, task })
}

/// Jitsi needs no account, so a fresh install can hold classes at once: a shared Jitsi on
/// meet.jit.si, owned by the first administrator, is created when no provider was ever saved.
async fn ensure_default_provider(
    providers: &Providers,
    users: &Users,
    config: &Config,
    clock: &SharedClock,
) -> anyhow::Result<()> {
    let Some(owner) = users.first_admin().await.context("finding an administrator")? else {
        return Ok(());
    };
    let name = crate::i18n::tr(config.default_language, crate::providers::ProviderKind::Jitsi.i18n_key());
    if providers.ensure_default_jitsi(owner, &name, clock.now()).await.context("creating the default Jitsi provider")? {
        tracing::info!("created the default shared Jitsi provider");
    }
    Ok(())
}

fn build_bot(config: &Config, tuning: &Tuning) -> AppBot {
    let mut bot = Bot::new(&config.token);
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    bot.throttle(tuning.limits).parse_mode(ParseMode::Html)
}
