//! Wiring: the pool, the bot, the dispatcher; and a graceful stop.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use futures::future::BoxFuture;
use teloxide::dispatching::Dispatcher;
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::error_handlers::{ErrorHandler, LoggingErrorHandler};
use teloxide::prelude::*;
use teloxide::types::{Me, ParseMode};
use teloxide::update_listeners::{UpdateListener, webhooks};
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

use crate::attendance::AttendanceService;
use crate::bot::{self, BotError, Ctx, SharedCtx, State};
use crate::clock::SharedClock;
use crate::config::{Config, ConfigError, Webhook};
use crate::delivery::{Delivery, DeliveryConfig, JoinLinks};
use crate::domain::attendance::JoinTokens;
use crate::health::{Health, ReadyLimits};
use crate::http::{Probes, UpdatesVia, WebhookRoute};
use crate::leader;
use crate::meetings::Meetings;
use crate::metrics::Metrics;
use crate::series::SeriesService;
use crate::store::attendance::AttendanceStore;
use crate::store::{self, Db, DbStorage, Events, Groups, Invites, Providers, SeriesStore, Settings, Users};
use crate::telegram::polling::WatchedPolling;
use crate::telegram::{Limits, RawBot, SendBudget, Tg};

/// Knobs that differ between production and tests or benches.
#[derive(Clone, Debug)]
pub struct Tuning {
    /// The long-poll timeout of getUpdates (and how often a webhook bot probes getWebhookInfo).
    pub poll_timeout: Duration,
    pub limits: Limits,
    /// How stale a sign of life may be before `/readyz` fails; follows the poll timeout.
    pub ready: ReadyLimits,
}

impl Tuning {
    /// Telegram's limits, with the overall rate given.
    pub fn for_rate(send_rate: u32) -> Self {
        Self::with_poll_timeout(Duration::from_secs(10), Limits::telegram(send_rate))
    }

    /// A poll timeout and the readiness limits that go with it.
    pub fn with_poll_timeout(poll_timeout: Duration, limits: Limits) -> Self {
        Self { poll_timeout, limits, ready: ReadyLimits::for_poll_timeout(poll_timeout) }
    }

    /// Telegram's limits with the configured rates: paid broadcasts get what they add above
    /// `SEND_RATE`, so the two together stay within `PAID_BROADCAST_RATE`.
    pub fn for_config(config: &Config) -> Self {
        let mut tuning = Self::for_rate(config.send_rate);
        tuning.limits.paid_per_sec = config.paid_broadcast_rate.map(|paid| f64::from(paid - config.send_rate));
        tuning
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Self::for_rate(30)
    }
}

/// Opens the database and applies the migrations; the `migrate` subcommand stops here.
pub async fn open_store(config: &Config) -> anyhow::Result<store::Db> {
    let pool = store::connect(&config.database_url).await?;
    store::migrate(&pool).await.context("applying migrations")?;
    Ok(pool)
}

/// Counts of what went wrong while running, for tests, benches and (later) metrics.
#[derive(Debug, Default)]
pub struct Stats {
    /// Updates whose handler returned an error.
    pub handler_errors: AtomicU64,
}

/// A started bot: its shared context (tests and benches reach the store and delivery through it)
/// and the task that runs the dispatcher.
pub struct Running {
    pub ctx: SharedCtx,
    pub stats: Arc<Stats>,
    /// Where the HTTP server listens; None with `HTTP_ADDR=off`.
    pub http_addr: Option<SocketAddr>,
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

/// Opens everything the bot needs and starts serving in the background: as soon as Telegram
/// answers, the dispatcher, the delivery scheduler and the series task run.
pub async fn start(
    config: Config,
    clock: SharedClock,
    tuning: Tuning,
    shutdown: CancellationToken,
) -> anyhow::Result<Running> {
    let pool = open_store(&config).await?;
    let single = match &pool {
        Db::Sqlite(_) => Some(store::maintenance::hold_single_instance(&config.database_url)?),
        // Several instances share PostgreSQL: the leader lease decides who serves.
        Db::Postgres(..) => None,
    };
    let users = Users::new(pool.clone());
    users
        .sync_admins(&config.admin_ids, config.default_language, config.default_timezone, clock.now())
        .await
        .context("syncing ADMIN_IDS")?;

    // A key that does not load stops the start: without it no provider secret could be read.
    let key = crate::crypto::load_or_create_key(config.secret_key.as_deref(), &config.data_dir)
        .context("loading the key that seals provider secrets (BOT_SECRET_KEY or secret.key in DATA_DIR)")?;
    let providers = Providers::new(pool.clone(), crate::crypto::SecretBox::new(&key));
    ensure_key_matches(&providers, &config).await?;
    ensure_default_provider(&providers, &users, &config, &clock).await?;

    // Nobody could read metrics without the HTTP server: then they are not kept at all.
    let metrics = if config.http_addr.is_some() { Metrics::enabled() } else { Metrics::disabled() };
    let health = Arc::new(Health::default());
    let raw = build_raw_bot(&config);
    let bot = Tg::new(raw.clone(), SendBudget::start(tuning.limits)).with_metrics(metrics.clone());
    let dialogues = DbStorage::<State>::new(pool.clone());
    let join_links =
        JoinLinks { tokens: JoinTokens::new(key.derive(JOIN_LINKS_PURPOSE)), public_url: config.public_url.clone() };
    let delivery = Delivery::new(
        pool.clone(),
        bot.bulk(),
        clock.clone(),
        DeliveryConfig {
            rate: tuning.limits.overall_per_sec,
            paid_rate: tuning.limits.paid_per_sec,
            default_lang: config.default_language,
            default_tz: config.default_timezone,
        },
        Some(join_links.clone()),
        health.clone(),
        metrics.clone(),
    );
    let http = crate::providers::guarded_client(config.address_policy());
    let events = Events::new(pool.clone());
    let meetings = Arc::new(
        Meetings::new(
            events.clone(),
            providers.clone(),
            users.clone(),
            http,
            delivery.clone(),
            clock.clone(),
            config.address_policy(),
        )
        .with_metrics(metrics.clone()),
    );
    let series = SeriesService::new(
        SeriesStore::new(pool.clone()),
        events.clone(),
        meetings.clone(),
        delivery.clone(),
        clock.clone(),
    );
    let attendance = AttendanceService::new(
        AttendanceStore::new(pool.clone()),
        events.clone(),
        users.clone(),
        meetings.clone(),
        delivery.clone(),
        clock.clone(),
        join_links,
    );
    let platform = crate::platform::PlatformService::new(
        pool.clone(),
        crate::platform::Services {
            meetings: meetings.clone(),
            series: series.clone(),
            attendance: attendance.clone(),
            providers: providers.clone(),
            delivery: delivery.clone(),
        },
        clock.clone(),
        key.derive(crate::platform::LINKS_PURPOSE),
    );
    let ctx = Arc::new(Ctx {
        config: config.clone(),
        pool: pool.clone(),
        users,
        invites: Invites::new(pool.clone()),
        groups: Groups::new(pool.clone()),
        events,
        delivery,
        meetings,
        series,
        attendance,
        clock,
        dialogues,
        providers,
        settings: Settings::new(pool.clone()),
        platform: platform.clone(),
    });
    let stats = Arc::new(Stats::default());
    // teloxide's webhook handler, made now so the server serves it from the start; updates it
    // takes wait in its channel until the dispatcher runs.
    let (webhook_listener, webhook_route) = match (&config.webhook, config.http_addr) {
        (Some(webhook), Some(addr)) => {
            let options = webhooks::Options::new(addr, webhook.url.clone()).secret_token(webhook.secret.clone());
            let (listener, _stopped, router) = webhooks::axum_no_setup(options);
            (Some(listener), Some(WebhookRoute { router, secret: webhook.secret.clone() }))
        }
        _ => (None, None),
    };
    let server = match config.http_addr {
        Some(addr) => {
            let probes = Arc::new(Probes {
                pool: pool.clone(),
                delivery: ctx.delivery.clone(),
                health: health.clone(),
                metrics: metrics.clone(),
                clock: ctx.clock.clone(),
                limits: tuning.ready,
                via: if config.webhook.is_some() { UpdatesVia::Webhook } else { UpdatesVia::Polling },
                metrics_token: config.metrics_token.clone(),
                platform,
                api_rate: config.api_rate,
            });
            Some(crate::http::start(addr, probes, webhook_route, shutdown.clone()).await?)
        }
        None => None,
    };
    let http_addr = server.as_ref().map(|s| s.addr);
    // Written at every start: without a webhook nothing is queued that would never be sent.
    let webhook_queue = crate::store::webhooks::WebhookQueue::new(pool.clone());
    webhook_queue.set_enabled(config.platform_webhook.is_some()).await?;
    let webhooks = match &config.platform_webhook {
        Some(target) => {
            let http = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .context("building the HTTP client for the platform's webhook")?;
            Some(crate::webhooks::WebhookSender::new(webhook_queue, http, target.clone(), ctx.clock.clone()))
        }
        None => None,
    };
    let serving = Serving {
        raw,
        bot,
        webhooks,
        ctx: ctx.clone(),
        stats: stats.clone(),
        poll_timeout: tuning.poll_timeout,
        health,
        metrics,
    };
    let task = tokio::spawn(async move {
        let result = serving.run(shutdown.clone(), webhook_listener).await;
        // Whatever ended the bot (a refused token, too) ends the server.
        shutdown.cancel();
        if let Some(server) = server {
            // Cancelled with the rest; requests in hand get a moment, then the pool closes.
            let _ = tokio::time::timeout(Duration::from_secs(5), server.task).await;
        }
        pool.close().await;
        drop(single);
        if result.is_ok() {
            tracing::info!("stopped");
        }
        result
    });
    Ok(Running { ctx, stats, http_addr, task })
}

/// What the key derives the join-link tokens' key for; changing it changes every token.
const JOIN_LINKS_PURPOSE: &str = "webinar-bot join links v1";

/// What the background task needs to serve.
struct Serving {
    raw: RawBot,
    /// Calls to the learning platform's webhook, sent only by the instance that sends messages.
    webhooks: Option<crate::webhooks::WebhookSender>,
    bot: Tg,
    ctx: SharedCtx,
    stats: Arc<Stats>,
    poll_timeout: Duration,
    health: Arc<Health>,
    metrics: Metrics,
}

impl Serving {
    /// On PostgreSQL, waits as a standby for the leader lease first, and serves only while it
    /// holds it: a lost lease halts every send at once and ends the process with an error, so
    /// its supervisor starts it again, as a standby.
    async fn run<W>(self, shutdown: CancellationToken, webhook: Option<W>) -> anyhow::Result<()>
    where
        W: UpdateListener<Err = Infallible> + Send,
    {
        let Db::Postgres(pool, me) = self.ctx.pool.clone() else {
            return self.serve(shutdown, None, webhook).await;
        };
        let Some(term) = leader::wait_for_lease(&pool, &me, &self.health, &shutdown).await else {
            return Ok(());
        };
        let halting = tokio::spawn({
            let (lost, bot) = (term.lost.clone(), self.bot.clone());
            async move {
                lost.cancelled().await;
                bot.halt();
            }
        });
        let result = self.serve(term.serving.clone(), Some(term.lost.clone()), webhook).await;
        let lost = term.lost.is_cancelled();
        term.end(&pool).await;
        halting.abort();
        match lost {
            true => Err(anyhow::anyhow!("lost the leader lease: stopped sending; start again to stand by")),
            false => result,
        }
    }

    /// Serves until `shutdown`; a lost lease (`lost`) drops the dispatcher at once, with the
    /// long poll it has open, so the next leader's getUpdates never overlaps it.
    async fn serve<W>(
        self,
        shutdown: CancellationToken,
        lost: Option<CancellationToken>,
        webhook: Option<W>,
    ) -> anyhow::Result<()>
    where
        W: UpdateListener<Err = Infallible> + Send,
    {
        let Some(me) = connect(&self.raw, &shutdown).await? else { return Ok(()) };
        self.health.telegram_answered(self.ctx.clock.now());
        tracing::info!(bot = %me.username(), "connected to Telegram");
        self.ctx.platform.set_username(me.username());
        let scheduler = self.ctx.delivery.spawn(shutdown.clone());
        let repeater = self.ctx.series.spawn(shutdown.clone());
        let attendance = self.ctx.attendance.spawn(shutdown.clone());
        let webhooks = self.webhooks.as_ref().map(|sender| sender.spawn(shutdown.clone()));
        // The menu is a nicety: registering it must not delay the first update.
        tokio::spawn({
            let bot = self.bot.clone();
            let lang = self.ctx.config.default_language;
            async move { bot::commands::register(&bot, lang).await }
        });
        let dispatched = self.dispatch(&shutdown, webhook);
        let result = match lost {
            Some(lost) => tokio::select! {
                result = dispatched => result,
                _ = lost.cancelled() => Ok(()),
            },
            None => dispatched.await,
        };
        // Whatever ended the dispatcher ends the rest, so a failed start never leaves the
        // scheduler running without it (or the process waiting on a scheduler that never stops).
        shutdown.cancel();
        // The scheduler stops with the same token; let it finish the sends in hand first.
        if let Err(err) = scheduler.await {
            tracing::error!(%err, "the delivery scheduler ended abnormally");
        }
        if let Err(err) = repeater.await {
            tracing::error!(%err, "the series task ended abnormally");
        }
        if let Err(err) = attendance.await {
            tracing::error!(%err, "the attendance task ended abnormally");
        }
        if let Some(Err(err)) = match webhooks {
            Some(task) => Some(task.await),
            None => None,
        } {
            tracing::error!(%err, "the platform webhook task ended abnormally");
        }
        result
    }

    async fn dispatch<W>(&self, shutdown: &CancellationToken, webhook: Option<W>) -> anyhow::Result<()>
    where
        W: UpdateListener<Err = Infallible> + Send,
    {
        let erased: Arc<ErasedStorage<State>> = Storage::<State>::erase(self.ctx.dialogues.clone());
        let schema =
            bot::observe::observed(bot::schema(), self.metrics.clone(), self.health.clone(), self.ctx.clock.clone());
        let mut dispatcher = Dispatcher::builder(self.raw.clone(), schema)
            .dependencies(dptree::deps![self.ctx.clone(), erased, self.bot.clone()])
            .default_handler(|_| async {})
            .error_handler(Arc::new(CountingErrorHandler(self.stats.clone())))
            .build();
        let stop = dispatcher.shutdown_token();
        let stopper = tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                shutdown.cancelled().await;
                // The token refuses while the dispatcher is still starting; ask again until it takes.
                loop {
                    match stop.shutdown() {
                        Ok(done) => break done.await,
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
            }
        });
        let result = match (webhook, &self.ctx.config.webhook) {
            (Some(listener), Some(config)) => {
                if !self.set_webhook(config, shutdown).await? {
                    stopper.abort();
                    return Ok(());
                }
                let probe = tokio::spawn(probe_webhook(
                    self.raw.clone(),
                    config.url.clone(),
                    self.health.clone(),
                    self.ctx.clock.clone(),
                    self.poll_timeout,
                    shutdown.clone(),
                ));
                let result = dispatcher
                    .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("webhook failed"))
                    .await;
                probe.abort();
                // Telegram keeps what comes meanwhile and hands it over at the next setWebhook,
                // without waiting out the backoff it applies to an address that stopped answering.
                let deleted = tokio::time::timeout(Duration::from_secs(3), self.raw.delete_webhook().into_future());
                if !matches!(deleted.await, Ok(Ok(_))) {
                    tracing::warn!("could not delete the webhook on the way out");
                }
                result
            }
            _ => {
                let listener = WatchedPolling::start(
                    self.raw.clone(),
                    self.poll_timeout,
                    reconnect_delay,
                    self.health.clone(),
                    self.ctx.clock.clone(),
                )
                .await;
                dispatcher
                    .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("getUpdates failed"))
                    .await
            }
        };
        stopper.abort();
        result.context("Telegram stopped answering getMe")
    }

    /// Points Telegram at `WEBHOOK_URL` with the secret, trying again while Telegram cannot be
    /// reached; an address Telegram refuses stops the start. False when asked to stop meanwhile.
    async fn set_webhook(&self, webhook: &Webhook, shutdown: &CancellationToken) -> anyhow::Result<bool> {
        let mut failures = 0u32;
        loop {
            let request = self.raw.set_webhook(webhook.url.clone()).secret_token(webhook.secret.clone());
            let err = match request.await {
                Ok(_) => {
                    self.health.telegram_answered(self.ctx.clock.now());
                    tracing::info!(url = %webhook.url, "receiving updates by webhook");
                    return Ok(true);
                }
                Err(RequestError::Api(err)) => {
                    return Err(
                        ConfigError::new("WEBHOOK_URL", format!("Telegram refused {}: {err}", webhook.url)).into()
                    );
                }
                Err(err) => err,
            };
            failures += 1;
            tracing::warn!(%err, failures, "could not set the webhook; trying again");
            tokio::select! {
                _ = tokio::time::sleep(reconnect_delay(failures)) => {}
                _ = shutdown.cancelled() => return Ok(false),
            }
        }
    }
}

/// A webhook bot hears nothing while nobody writes: every `every`, getWebhookInfo tells whether
/// Telegram answers and still sends to our address. Its last delivery error is logged once.
async fn probe_webhook(
    bot: RawBot,
    url: url::Url,
    health: Arc<Health>,
    clock: SharedClock,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut last_error: Option<String> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.cancelled() => return,
        }
        match bot.get_webhook_info().await {
            Ok(info) if info.url.as_ref().map(url::Url::as_str) == Some(url.as_str()) => {
                health.telegram_answered(clock.now());
                if info.last_error_message != last_error {
                    if let Some(message) = &info.last_error_message {
                        tracing::warn!(%message, pending = info.pending_update_count, "Telegram reports a webhook delivery error");
                    }
                    last_error = info.last_error_message;
                }
            }
            Ok(info) => tracing::error!(
                set = ?info.url.as_ref().map(url::Url::as_str),
                "Telegram sends this bot's updates elsewhere (another instance, or the webhook was deleted)"
            ),
            Err(err) => tracing::warn!(%err, "getWebhookInfo failed"),
        }
    }
}

/// Logs a failed handler and counts it.
struct CountingErrorHandler(Arc<Stats>);

impl ErrorHandler<BotError> for CountingErrorHandler {
    fn handle_error(self: Arc<Self>, error: BotError) -> BoxFuture<'static, ()> {
        self.0.handler_errors.fetch_add(1, Ordering::Relaxed);
        tracing::error!(%error, "a handler failed");
        Box::pin(async {})
    }
}

/// While Telegram cannot be reached, a failure is logged at most this often.
const UNREACHABLE_LOG_EVERY: Duration = Duration::from_secs(60);

/// Waits until Telegram answers getMe: retried with backoff while the network or Telegram is
/// down, refused at once when Telegram rejects the token. None when asked to stop meanwhile.
async fn connect(bot: &RawBot, shutdown: &CancellationToken) -> anyhow::Result<Option<Me>> {
    let mut failures = 0u32;
    let mut logged_at: Option<tokio::time::Instant> = None;
    loop {
        let err = match bot.get_me().await {
            Ok(me) => {
                if failures > 0 {
                    tracing::info!(failures, "Telegram answers again");
                }
                return Ok(Some(me));
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => anyhow::bail!(
                "Telegram refused the bot token (401 Unauthorized): check TELOXIDE_TOKEN, or ask @BotFather for a new one"
            ),
            Err(err) => err,
        };
        failures += 1;
        if logged_at.is_none_or(|at| at.elapsed() >= UNREACHABLE_LOG_EVERY) {
            tracing::error!(%err, failures, "cannot reach Telegram; trying again until it answers");
            logged_at = Some(tokio::time::Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(reconnect_delay(failures)) => {}
            _ = shutdown.cancelled() => return Ok(None),
        }
    }
}

/// Half a second after the first failure, doubling up to ten seconds: Telegram back after an
/// outage is noticed within ten seconds, so `/readyz` is green again well within 30 s. (teloxide's
/// own polling backoff grows to 64 s.)
fn reconnect_delay(failures: u32) -> Duration {
    Duration::from_millis(500 << failures.saturating_sub(1).min(5)).min(Duration::from_secs(10))
}

/// A new or lost key would start the bot with every stored provider secret unreadable, and the
/// first teacher to create a class would meet an internal error. Refuse to start instead.
async fn ensure_key_matches(providers: &Providers, config: &Config) -> anyhow::Result<()> {
    if providers.key_opens_stored().await.context("reading the stored provider secrets")? {
        return Ok(());
    }
    let source = match config.secret_key {
        Some(_) => "BOT_SECRET_KEY".to_owned(),
        None => config.data_dir.join(crate::crypto::KEY_FILE_NAME).display().to_string(),
    };
    Err(ConfigError::new(
        crate::crypto::KEY_ENV_VAR,
        format!(
            "the key from {source} does not match the database {}: its provider secrets were sealed \
             with another key. Restore the key they were sealed with (BOT_SECRET_KEY or secret.key)",
            crate::config::without_password(&config.database_url)
        ),
    )
    .into())
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

fn build_raw_bot(config: &Config) -> RawBot {
    let mut bot = Bot::new(&config.token);
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    bot.parse_mode(ParseMode::Html)
}
