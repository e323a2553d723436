//! Legacy sessions shared through a `SessionBackend`: two routers (two "instances") with one
//! backend serve each other's sessions, share the log level, and end a session for both.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use freshservice_mcp::{BackendError, HttpConfig, SessionBackend};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::http_harness::{GET_CHANGE, HttpServer, LEGACY};

/// Sessions in a map, as a database would keep them (keyed by id, bound to a token).
#[derive(Debug, Default)]
struct MapBackend {
    sessions: Mutex<HashMap<String, (String, Value)>>,
    fail: Mutex<bool>,
}

impl MapBackend {
    fn check(&self) -> Result<(), BackendError> {
        if *self.fail.lock().unwrap() {
            return Err("the database is down".into());
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SessionBackend for MapBackend {
    async fn save(&self, id: &str, token: &str, state: &Value) -> Result<(), BackendError> {
        self.check()?;
        self.sessions
            .lock()
            .unwrap()
            .insert(id.to_owned(), (token.to_owned(), state.clone()));
        Ok(())
    }

    async fn load(
        &self,
        id: &str,
        token: &str,
        _idle_timeout: Duration,
    ) -> Result<Option<Value>, BackendError> {
        self.check()?;
        Ok(self
            .sessions
            .lock()
            .unwrap()
            .get(id)
            .filter(|(owner, _)| owner == token)
            .map(|(_, state)| state.clone()))
    }

    async fn delete(&self, id: &str, token: &str) -> Result<bool, BackendError> {
        self.check()?;
        let mut sessions = self.sessions.lock().unwrap();
        match sessions.get(id) {
            Some((owner, _)) if owner == token => Ok(sessions.remove(id).is_some()),
            _ => Ok(false),
        }
    }
}

async fn instance(backend: &Arc<MapBackend>) -> HttpServer {
    let config = HttpConfig::default().with_session_backend(backend.clone());
    let server = HttpServer::start_with(config).await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"description": "down"})))
        .mount(&server.mock)
        .await;
    server
}

#[tokio::test]
async fn a_session_started_on_one_instance_continues_on_another() {
    let backend = Arc::new(MapBackend::default());
    let first = instance(&backend).await;
    let second = instance(&backend).await;
    let session = first.initialize().await;
    let stored = backend.sessions.lock().unwrap().get(&session).cloned();
    let (_, state) = stored.expect("initialize must store the session");
    assert_eq!(state["protocolVersion"], LEGACY);

    // The second instance adopts it, and a log level set there is used by the first.
    let reply = second.legacy(&session, 1, "tools/list", json!({})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.json()["result"]["tools"].as_array().unwrap().len() > 10);
    let reply = second
        .legacy(&session, 2, "logging/setLevel", json!({"level": "warning"}))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = first
        .post(
            &[
                ("mcp-session-id", &session),
                ("mcp-protocol-version", LEGACY),
                ("accept", "application/json, text/event-stream"),
            ],
            &json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": GET_CHANGE, "arguments": {"change_id": 1}}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply.text.contains("notifications/message"),
        "the level set on the other instance was not applied: {reply:?}"
    );

    // Ended on the first: the second answers 404.
    let ended = first
        .send(
            reqwest::Method::DELETE,
            &[
                ("mcp-session-id", &session),
                ("mcp-protocol-version", LEGACY),
            ],
            None,
        )
        .await;
    assert_eq!(ended.status, 204, "{ended:?}");
    assert!(backend.sessions.lock().unwrap().is_empty());
    let reply = second.legacy(&session, 4, "tools/list", json!({})).await;
    assert_eq!(reply.status, 404, "{reply:?}");
}

#[tokio::test]
async fn a_failing_backend_is_a_retryable_500_without_details() {
    let backend = Arc::new(MapBackend::default());
    let server = instance(&backend).await;
    let session = server.initialize().await;
    *backend.fail.lock().unwrap() = true;
    let reply = server.legacy(&session, 1, "tools/list", json!({})).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.json()["id"], 1);
    assert!(!reply.text.contains("database is down"), "{reply:?}");
    *backend.fail.lock().unwrap() = false;
    let reply = server.legacy(&session, 2, "tools/list", json!({})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
}
