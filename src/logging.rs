//! The log subscriber `main` installs: readable lines by default, one JSON object a line with
//! `LOG_FORMAT=json`. A function of its own so the test that looks for secrets in log lines
//! reads exactly what production writes.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

pub type BoxSubscriber = Box<dyn tracing::Subscriber + Send + Sync>;

/// `RUST_LOG`, or `info` when it is not set or does not parse.
pub fn filter_from_env() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// `ansi`: colour the text format; only for a terminal, never for a file or a pipe.
pub fn subscriber<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool) -> BoxSubscriber
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => Box::new(logs.finish()),
        // The event's fields at the top level, where log collectors look for them.
        LogFormat::Json => Box::new(logs.json().flatten_event(true).with_current_span(false).finish()),
    }
}
