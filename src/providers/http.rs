//! The HTTP plumbing every provider shares: one client, logging without
//! secrets, retries with backoff for idempotent calls only.

use super::{ProviderError, ProviderKind};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How idempotent calls (get, update, delete) are retried on network errors
/// and 5xx. Create is never retried: a lost answer may hide a created meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first included.
    pub attempts: u32,
    /// Delay before the second try; doubled before each next one.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 3, first_delay: Duration::from_millis(500) }
    }
}

/// A response read whole: status, body and the `Retry-After` seconds.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    pub fn json<T: DeserializeOwned>(&self, service: ProviderKind) -> Result<T, ProviderError> {
        serde_json::from_slice(&self.body).map_err(|_| ProviderError::Malformed(service))
    }

    /// Failures every service shares: 429, 5xx, and the rest as "refused".
    pub fn common_failure(&self, service: ProviderKind, code: Option<String>) -> ProviderError {
        let status = self.status.as_u16();
        match status {
            429 => ProviderError::RateLimited { service, retry_after: self.retry_after },
            500..=599 => ProviderError::ServerError { service, status },
            _ => ProviderError::Rejected { service, status, code: code.map(short_code).unwrap_or_default() },
        }
    }
}

/// Error codes come from the remote side: keep them short and printable so
/// they cannot smuggle a long text into our messages.
fn short_code(code: String) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')).take(64).collect()
}

#[derive(Clone, Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    retry: RetryPolicy,
    service: ProviderKind,
}

impl Http {
    pub fn new(client: reqwest::Client, retry: RetryPolicy, service: ProviderKind) -> Self {
        Self { client, retry, service }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends once. For create calls, and for anything not safe to repeat.
    pub async fn once(&self, request: RequestBuilder) -> Result<Reply, ProviderError> {
        let request = request.build().map_err(|_| ProviderError::Malformed(self.service))?;
        let method = request.method().clone();
        let path = request.url().path().to_owned();
        let result = self.client.execute(request).await;
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                let mapped = self.transport_error(&err);
                tracing::warn!(service = %self.service, %method, path, error = %mapped, "provider call failed");
                return Err(mapped);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(|err| self.transport_error(&err))?.to_vec();
        tracing::debug!(service = %self.service, %method, path, status = status.as_u16(), "provider call");
        Ok(Reply { status, body, retry_after })
    }

    /// Sends with retries on network errors and 5xx. `build` makes a fresh
    /// request for each try.
    pub async fn idempotent<F>(&self, build: F) -> Result<Reply, ProviderError>
    where
        F: Fn() -> RequestBuilder,
    {
        let mut delay = self.retry.first_delay;
        let mut attempt = 1;
        loop {
            let result = self.once(build()).await;
            let retryable = match &result {
                Ok(reply) => reply.status.is_server_error(),
                Err(err) => err.is_transient(),
            };
            if !retryable || attempt >= self.retry.attempts {
                return result;
            }
            tracing::info!(service = %self.service, attempt, "retrying provider call");
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
            attempt += 1;
        }
    }

    fn transport_error(&self, err: &reqwest::Error) -> ProviderError {
        if err.is_timeout() {
            ProviderError::Timeout(self.service)
        } else if err.is_decode() {
            ProviderError::Malformed(self.service)
        } else {
            ProviderError::Network(self.service)
        }
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}
