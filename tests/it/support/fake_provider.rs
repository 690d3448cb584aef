//! A fake provider API on 127.0.0.1: scripted replies per (method, path),
//! every request recorded with its headers and body. Also a tracing capture,
//! to prove no secret reaches a log line.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use chrono::{TimeZone, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use webinar_bot::providers::{MeetingRequest, ProviderError, RetryPolicy};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// Form-encoded body as key → value (bracket keys kept as they are).
    pub fn form(&self) -> BTreeMap<String, String> {
        url::form_urlencoded::parse(&self.body).into_owned().collect()
    }

    pub fn query_pairs(&self) -> BTreeMap<String, String> {
        url::form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            content_type: Some("application/json"),
            headers: Vec::new(),
            delay: None,
        }
    }

    pub fn empty(status: u16) -> Self {
        Self { status, body: String::new(), content_type: None, headers: Vec::new(), delay: None }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self { status, body: body.to_owned(), content_type: Some("text/html"), headers: Vec::new(), delay: None }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

struct Route {
    method: String,
    path: String,
    replies: VecDeque<Reply>,
}

#[derive(Default)]
struct Inner {
    routes: Vec<Route>,
    recorded: Vec<Recorded>,
}

#[derive(Clone)]
pub struct FakeServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub origin: String,
    inner: Arc<Mutex<Inner>>,
}

/// Status for a request no route expects: unlike any documented answer.
pub const UNROUTED: u16 = 418;

impl FakeServer {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { origin, inner }
    }

    /// Queues a reply for `method path`; the last queued reply repeats. A
    /// path ending in `*` matches any path with that prefix; `{path_last}` in
    /// a reply body becomes the request path's last segment (for services
    /// that echo a name the client chose at random).
    pub fn on(&self, method: &str, path: &str, reply: Reply) -> &Self {
        let mut inner = self.inner.lock().unwrap();
        match inner.routes.iter_mut().find(|r| r.method == method && r.path == path) {
            Some(route) => route.replies.push_back(reply),
            None => inner.routes.push(Route {
                method: method.to_owned(),
                path: path.to_owned(),
                replies: VecDeque::from([reply]),
            }),
        }
        self
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().recorded.clone()
    }

    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method == method && r.path == path).collect()
    }

    /// The first webhook call of type `event` that reached `path` (the bot sends from a task of
    /// its own), waiting up to 5 s for it.
    pub async fn webhook(&self, path: &str, event: &str) -> Recorded {
        for _ in 0..500 {
            let found = self.requests_to("POST", path).into_iter().find(|r| r.header("x-webinar-event") == Some(event));
            if let Some(found) = found {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no {event} webhook reached {path}: {:?}", self.requests_to("POST", path));
    }

    pub fn only(&self, method: &str, path: &str) -> Recorded {
        let found = self.requests_to(method, path);
        assert_eq!(found.len(), 1, "expected one {method} {path}, got {:?}", self.requests());
        found.into_iter().next().unwrap()
    }
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default().to_vec();
    let headers =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers,
        body,
    };
    let mut reply = next_reply(&inner, &recorded);
    let last = recorded.path.rsplit('/').next().unwrap_or("");
    reply.body = reply.body.replace("{path_last}", last);
    inner.lock().unwrap().recorded.push(recorded);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    to_response(reply)
}

fn next_reply(inner: &Mutex<Inner>, request: &Recorded) -> Reply {
    let mut inner = inner.lock().unwrap();
    let route = inner.routes.iter_mut().find(|r| r.method == request.method && matches(&r.path, &request.path));
    match route {
        Some(route) if route.replies.len() > 1 => route.replies.pop_front().unwrap(),
        Some(route) => route.replies[0].clone(),
        None => Reply::json(UNROUTED, serde_json::json!({"unrouted": request.path})),
    }
}

fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

fn to_response(reply: Reply) -> Response<Body> {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    if let Some(ct) = reply.content_type {
        response.headers_mut().insert("content-type", HeaderValue::from_static(ct));
    }
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

/// Retries quick enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy { attempts: 3, first_delay: Duration::from_millis(5) }
}

/// A client whose total timeout is short, for the timeout tests.
pub fn impatient_client() -> reqwest::Client {
    webinar_bot::providers::http_client_with_timeouts(Duration::from_millis(500), Duration::from_millis(150))
}

pub fn sample_request() -> MeetingRequest {
    MeetingRequest {
        title: "Пожарная безопасность: изменения с 1 сентября".into(),
        description: Some("Что изменилось в правилах".into()),
        start: Utc.with_ymd_and_hms(2025, 9, 1, 7, 30, 0).unwrap(),
        duration_minutes: 90,
        timezone: chrono_tz::Europe::Moscow,
        host_email: Some("teacher@school.ru".into()),
        cohosts: Vec::new(),
        live_stream: false,
        external_url: None,
    }
}

/// Captured tracing output at TRACE level, for the current thread.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a TRACE subscriber writing into a buffer; keep the guard alive.
pub fn capture_logs() -> (tracing::subscriber::DefaultGuard, LogBuffer) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (tracing::subscriber::set_default(subscriber), buffer)
}

/// The secret appears neither in the error's texts nor in the logs.
pub fn assert_secret_hidden(secret: &str, error: &ProviderError, logs: &LogBuffer) {
    assert!(!format!("{error}").contains(secret), "Display leaks: {error}");
    assert!(!format!("{error:?}").contains(secret), "Debug leaks: {error:?}");
    let (_, args) = error.i18n();
    assert!(args.iter().all(|(_, v)| !v.contains(secret)), "i18n args leak");
    let logs = logs.text();
    assert!(!logs.is_empty(), "the capture saw no log line at all");
    assert!(!logs.contains(secret), "a log line leaks the secret:\n{logs}");
}

/// The Fluent key of an error: what tells the user what to do.
pub fn key(error: &ProviderError) -> &'static str {
    error.i18n().0
}
