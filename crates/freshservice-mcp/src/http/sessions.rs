//! Legacy-era HTTP sessions: minted by `initialize`, named by `Mcp-Session-Id`, kept in memory.
//!
//! A session is bound to the URL token it was created under, so a session id learnt on one
//! provisioned server opens nothing on another. Sessions expire after an idle period and the
//! store is capped; expiry is checked when a session is used and swept when one is created,
//! so the store needs no background task (and works under any runtime the router runs on).
//!
//! With a [`SessionBackend`] the sessions also live outside the process, so several instances
//! behind a load balancer serve each other's sessions without sticky routing: every request
//! checks the backend (a session ended or expired anywhere is gone everywhere) and adopts a
//! session another instance started. What stays local is what cannot travel: the calls in
//! flight, so `notifications/cancelled` only reaches a call on the instance that runs it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use mcp_messages::RequestId;
use serde_json::Value;
use tokio::task::{AbortHandle, JoinHandle};

use crate::{McpService, Session};

/// Keeps legacy sessions where every instance of a server can reach them (a shared database),
/// so a session started on one instance continues on another. Set it with
/// [`HttpConfig::with_session_backend`](crate::HttpConfig::with_session_backend).
///
/// Session ids and URL tokens are credentials: an implementation should store only digests of
/// them. Errors are logged to stderr and answered with HTTP 500; their text never reaches the
/// client.
#[async_trait::async_trait]
pub trait SessionBackend: Send + Sync + std::fmt::Debug + 'static {
    /// Stores session `id`, started under the URL token `token`, with its protocol state
    /// (opaque JSON), replacing any earlier state.
    async fn save(&self, id: &str, token: &str, state: &Value) -> Result<(), BackendError>;
    /// The state of session `id` if it exists under `token` and was used within
    /// `idle_timeout`; loading counts as a use.
    async fn load(
        &self,
        id: &str,
        token: &str,
        idle_timeout: Duration,
    ) -> Result<Option<Value>, BackendError>;
    /// Ends session `id`; `false` when there was no such session under `token`.
    async fn delete(&self, id: &str, token: &str) -> Result<bool, BackendError>;
}

/// Why a [`SessionBackend`] failed (a database error, say).
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

/// One legacy session: the service it talks to and the protocol state the service keeps.
#[derive(Debug)]
pub(crate) struct HttpSession {
    id: String,
    token: String,
    pub(crate) service: McpService,
    pub(crate) session: Session,
    state: Mutex<SessionUse>,
    /// The state last written to the backend, to skip writes that change nothing.
    saved: Mutex<Value>,
}

#[derive(Debug)]
struct SessionUse {
    last_used: Instant,
    /// Calls in flight, so `notifications/cancelled` can stop them and idle expiry spares them.
    in_flight: HashMap<RequestId, AbortHandle>,
}

impl HttpSession {
    /// The `Mcp-Session-Id`.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    fn lock(&self) -> MutexGuard<'_, SessionUse> {
        lock(&self.state)
    }

    fn idle_for(&self, now: Instant) -> Option<Duration> {
        let state = self.lock();
        state
            .in_flight
            .is_empty()
            .then(|| now.saturating_duration_since(state.last_used))
    }

    fn touch(&self) {
        self.lock().last_used = Instant::now();
    }

    /// Writes the protocol state to the backend if it changed since the last write (after
    /// `logging/setLevel`, say).
    pub(crate) async fn persist(&self, backend: &dyn SessionBackend) -> Result<(), BackendError> {
        let state = self.session.to_json();
        if *lock(&self.saved) == state {
            return Ok(());
        }
        backend.save(&self.id, &self.token, &state).await?;
        *lock(&self.saved) = state;
        Ok(())
    }

    /// Runs `call` as a task of its own, registered under `id` until it finishes; `None` when a
    /// call with this id is already in flight.
    pub(crate) fn spawn_call<F>(
        self: &Arc<Self>,
        id: RequestId,
        call: F,
    ) -> Option<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // The lock is held until the task is registered: a fast task must not finish (and
        // unregister itself) before it was registered, or its entry would stay behind.
        let mut state = self.lock();
        if state.in_flight.contains_key(&id) {
            return None;
        }
        let session = Arc::clone(self);
        let task_id = id.clone();
        let task = tokio::spawn(async move {
            let output = call.await;
            session.finish_call(&task_id);
            output
        });
        state.in_flight.insert(id, task.abort_handle());
        state.last_used = Instant::now();
        Some(task)
    }

    /// Forgets a finished call.
    pub(crate) fn finish_call(&self, id: &RequestId) {
        let mut state = self.lock();
        state.in_flight.remove(id);
        state.last_used = Instant::now();
    }

    /// Stops a call after `notifications/cancelled`; unknown or finished ids are ignored, as
    /// the spec allows.
    pub(crate) fn cancel_call(&self, id: &RequestId) {
        if let Some(handle) = self.lock().in_flight.remove(id) {
            handle.abort();
        }
    }
}

/// Every live legacy session.
#[derive(Debug)]
pub(crate) struct SessionStore {
    idle_timeout: Duration,
    max_sessions: usize,
    state: Mutex<StoreState>,
}

#[derive(Debug)]
struct StoreState {
    sessions: HashMap<String, Arc<HttpSession>>,
    last_sweep: Instant,
}

/// How often creating a session also sweeps expired ones, at most.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

impl SessionStore {
    pub(crate) fn new(idle_timeout: Duration, max_sessions: usize) -> Self {
        Self {
            idle_timeout,
            max_sessions: max_sessions.max(1),
            state: Mutex::new(StoreState {
                sessions: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// Stores an initialised session and returns its new id.
    ///
    /// # Errors
    ///
    /// Only when the operating system's random source fails.
    pub(crate) fn insert(
        &self,
        token: &str,
        service: McpService,
        session: Session,
    ) -> Result<Arc<HttpSession>, getrandom::Error> {
        let id = new_session_id()?;
        // Never saved yet: the first `persist` writes it to the backend.
        Ok(self.insert_with_id(&id, token, service, session, Value::Null))
    }

    /// Stores a session under a known id (one adopted from the backend) and returns it.
    fn insert_with_id(
        &self,
        id: &str,
        token: &str,
        service: McpService,
        session: Session,
        saved: Value,
    ) -> Arc<HttpSession> {
        let now = Instant::now();
        let saved = Mutex::new(saved);
        let entry = Arc::new(HttpSession {
            id: id.to_owned(),
            token: token.to_owned(),
            service,
            session,
            state: Mutex::new(SessionUse {
                last_used: now,
                in_flight: HashMap::new(),
            }),
            saved,
        });
        let mut state = lock(&self.state);
        if state.sessions.len() >= self.max_sessions
            || now.saturating_duration_since(state.last_sweep) >= SWEEP_INTERVAL
        {
            let idle_timeout = self.idle_timeout;
            state
                .sessions
                .retain(|_, session| session.idle_for(now).is_none_or(|idle| idle < idle_timeout));
            state.last_sweep = now;
        }
        while state.sessions.len() >= self.max_sessions {
            // The least recently used session makes room: its client gets 404 and, as the spec
            // requires of it, starts a new session. Refusing new sessions instead would let one
            // client that opens many lock everyone else out.
            let oldest = state
                .sessions
                .iter()
                .min_by_key(|(_, session)| session.lock().last_used)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(oldest) => state.sessions.remove(&oldest),
                None => break,
            };
        }
        state.sessions.insert(id.to_owned(), Arc::clone(&entry));
        entry
    }

    /// The session `id` under `token`, checked against `backend` when there is one: a session
    /// the backend no longer has is dropped here too, and one this process has not seen is
    /// adopted with the state the backend holds, served by `service`.
    pub(crate) async fn lookup(
        &self,
        id: &str,
        token: &str,
        service: &McpService,
        backend: Option<&dyn SessionBackend>,
    ) -> Result<Option<Arc<HttpSession>>, BackendError> {
        let local = self.get(id, token);
        let Some(backend) = backend else {
            return Ok(local);
        };
        match backend.load(id, token, self.idle_timeout).await? {
            None => {
                if local.is_some() {
                    lock(&self.state).sessions.remove(id);
                }
                Ok(None)
            }
            Some(state) => Ok(Some(match local {
                Some(session) => {
                    // Another instance may have changed it (logging/setLevel).
                    session.session.restore_json(&state);
                    *lock(&session.saved) = state;
                    session
                }
                None => {
                    let session = Session::new();
                    session.restore_json(&state);
                    self.insert_with_id(id, token, service.clone(), session, state)
                }
            })),
        }
    }

    /// Ends session `id` here and in the backend; `false` when neither knew it under `token`.
    pub(crate) async fn end(
        &self,
        id: &str,
        token: &str,
        backend: Option<&dyn SessionBackend>,
    ) -> Result<bool, BackendError> {
        let local = self.remove(id, token);
        match backend {
            Some(backend) => Ok(backend.delete(id, token).await? || local),
            None => Ok(local),
        }
    }

    /// The live session `id` created under `token`, marked as used; `None` when it is unknown,
    /// ended, expired or belongs to another token.
    pub(crate) fn get(&self, id: &str, token: &str) -> Option<Arc<HttpSession>> {
        let mut state = lock(&self.state);
        let session = state.sessions.get(id)?;
        if session.token != token {
            return None;
        }
        if session
            .idle_for(Instant::now())
            .is_some_and(|idle| idle >= self.idle_timeout)
        {
            state.sessions.remove(id);
            return None;
        }
        let session = Arc::clone(session);
        session.touch();
        Some(session)
    }

    /// Ends session `id`; `false` when there was no such live session under `token`.
    pub(crate) fn remove(&self, id: &str, token: &str) -> bool {
        self.get(id, token).is_some() && lock(&self.state).sessions.remove(id).is_some()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.state).sessions.len()
    }
}

/// 256 random bits as unpadded base64url: 43 visible ASCII characters, as the spec requires.
fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another task panicked while holding it; the map itself is
    // still consistent (every update is a single insert or remove).
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> McpService {
        let client = freshservice_client::Client::builder()
            .base_url("http://127.0.0.1:9")
            .api_key("k")
            .build()
            .unwrap();
        McpService::builder().client(client).build().unwrap()
    }

    #[test]
    fn session_ids_are_long_random_and_visible_ascii() {
        let first = new_session_id().unwrap();
        let second = new_session_id().unwrap();
        assert_ne!(first, second);
        assert_eq!(first.len(), 43);
        assert!(first.bytes().all(|byte| (0x21..=0x7e).contains(&byte)));
    }

    #[test]
    fn sessions_are_bound_to_their_token() {
        let store = SessionStore::new(Duration::from_secs(60), 10);
        let id = store
            .insert("a", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        assert!(store.get(&id, "b").is_none());
        assert!(!store.remove(&id, "b"));
        assert!(store.get(&id, "a").is_some());
        assert!(store.remove(&id, "a"));
        assert!(store.get(&id, "a").is_none());
        assert!(!store.remove(&id, "a"));
    }

    #[tokio::test]
    async fn idle_sessions_expire_unless_a_call_is_in_flight() {
        let store = SessionStore::new(Duration::from_millis(30), 10);
        let idle = store
            .insert("t", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        let busy = store
            .insert("t", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        let busy_session = store.get(&busy, "t").unwrap();
        let task = busy_session
            .spawn_call(RequestId::Number(1), std::future::pending::<()>())
            .unwrap();
        drop(busy_session);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(store.get(&idle, "t").is_none());
        let busy_session = store.get(&busy, "t").expect("a busy session must survive");
        assert!(
            busy_session
                .spawn_call(RequestId::Number(1), async {})
                .is_none(),
            "a second call with the same id must be refused"
        );
        busy_session.cancel_call(&RequestId::Number(1));
        assert!(task.await.unwrap_err().is_cancelled());
        let finished = busy_session
            .spawn_call(RequestId::Number(1), async { 7 })
            .expect("the id is free again after cancellation");
        assert_eq!(finished.await.unwrap(), 7);
        assert!(busy_session.lock().in_flight.is_empty());
    }

    #[test]
    fn a_full_store_drops_the_least_recently_used_session() {
        let store = SessionStore::new(Duration::from_secs(60), 2);
        let first = store
            .insert("t", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        std::thread::sleep(Duration::from_millis(2));
        let second = store
            .insert("t", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        std::thread::sleep(Duration::from_millis(2));
        // Using the first makes the second the least recently used.
        assert!(store.get(&first, "t").is_some());
        std::thread::sleep(Duration::from_millis(2));
        let third = store
            .insert("t", service(), Session::new())
            .unwrap()
            .id()
            .to_owned();
        assert_eq!(store.len(), 2);
        assert!(store.get(&first, "t").is_some());
        assert!(store.get(&second, "t").is_none());
        assert!(store.get(&third, "t").is_some());
    }
}
