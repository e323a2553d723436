//! The public handle: start a sandbox, find its address, read and change its state.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::Value;
use wiremock::{Mock, MockServer, matchers::any};

use crate::Collection;
use crate::faults::Fault;

use crate::{
    Error, State,
    account::{Account, FormModule, Profile, choice},
    catalog_index::CatalogIndex,
    clock::{Clock, seconds_from_system_time, system_time_from_seconds},
    ratelimit::RateLimiter,
    resources::resource,
    router::{Config, Inner, Router, Shared},
    seed,
};

/// The API key the sandbox accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "sandbox";

/// The Enterprise plan's account-wide limit, in credits per minute.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 500;

/// Which records the sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Seed {
    /// The story: an emergency change tonight on the database servers, incidents against them, a hardware
    /// project, people, groups and places (see the README).
    #[default]
    Story,
    /// Only the workspaces of the account mode.
    Empty,
}

/// How the account is split into workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WorkspaceMode {
    /// One IT workspace, id 2.
    #[default]
    Single,
    /// Employee Support Mode: IT (2, primary), HR (3) and Facilities (4); business workspaces have no changes,
    /// problems or releases.
    MultiWorkspace,
    /// Freshservice for MSPs: clients are workspaces (2 Default Client, 3 the MSP itself, 4 and 5 customers);
    /// departments and locations belong to a client.
    Msp,
}

/// Settings for a [`Sandbox`]; start it with [`SandboxBuilder::start`].
#[derive(Debug)]
#[must_use]
pub struct SandboxBuilder {
    api_key: String,
    rate_limit_per_minute: u32,
    seed: Seed,
    workspaces: WorkspaceMode,
    now: Option<SystemTime>,
    listener: Option<TcpListener>,
    record_requests: bool,
    account: Account,
    form_fields_access: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            api_key: DEFAULT_API_KEY.to_owned(),
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            seed: Seed::Story,
            workspaces: WorkspaceMode::Single,
            now: None,
            listener: None,
            record_requests: true,
            account: Account::Default,
            form_fields_access: true,
        }
    }
}

impl SandboxBuilder {
    /// The API key requests must send as the Basic auth user name (default `sandbox`).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = api_key.into();
        self
    }

    /// Credits per minute for the whole account (default 500, the Enterprise plan; Starter is 100).
    pub fn rate_limit_per_minute(mut self, credits: u32) -> Self {
        self.rate_limit_per_minute = credits;
        self
    }

    /// The records to start with (default [`Seed::Story`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// The workspace layout (default [`WorkspaceMode::Single`]).
    pub fn workspaces(mut self, mode: WorkspaceMode) -> Self {
        self.workspaces = mode;
        self
    }

    /// Freezes the sandbox clock at `now`: seed dates are computed from it and every timestamp the sandbox
    /// writes is `now` until [`Sandbox::set_now`] moves it. Without it the sandbox follows the system clock.
    pub fn now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Serves on this listener instead of a random 127.0.0.1 port.
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Whether the mock server keeps every request for [`MockServer::received_requests`] (default true).
    /// Long-running sandboxes (demos) should turn it off to keep memory flat.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// The account to imitate (default [`Account::Default`]); [`Account::Customised`] adds custom ticket
    /// statuses, a custom source and custom fields, and checks writes against them.
    pub fn account(mut self, account: Account) -> Self {
        self.account = account;
        self
    }

    /// Whether the API key may read field definitions (default true). With `false`, `GET /*_form_fields`,
    /// `/requester_fields`, `/agent_fields` and `POST /ticket_fields/sources` answer 403 `access_denied`;
    /// writes are still checked against the account's fields.
    pub fn form_fields_access(mut self, allowed: bool) -> Self {
        self.form_fields_access = allowed;
        self
    }

    /// Binds `address` and starts there.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] when the address cannot be bound.
    pub async fn listen(self, address: SocketAddr) -> Result<Sandbox, Error> {
        let listener =
            TcpListener::bind(address).map_err(|source| Error::Bind { address, source })?;
        Ok(self.listener(listener).start().await)
    }

    /// Starts the sandbox, on a random 127.0.0.1 port unless a listener was given.
    ///
    /// # Panics
    ///
    /// Like [`MockServer::start`], when no port can be bound; use [`SandboxBuilder::listen`] to get an error.
    pub async fn start(self) -> Sandbox {
        let mut server = MockServer::builder();
        if let Some(listener) = self.listener {
            server = server.listener(listener);
        }
        if !self.record_requests {
            server = server.disable_request_recording();
        }
        let server = server.start().await;
        let clock = match self.now {
            Some(now) => Clock::Fixed(seconds_from_system_time(now)),
            None => Clock::System,
        };
        let mut state = State::default();
        seed::load(&mut state, self.seed, self.workspaces, clock.now());
        let shared = Arc::new(Shared {
            config: Config {
                api_key: self.api_key,
                mode: self.workspaces,
                base_url: server.uri(),
            },
            inner: Mutex::new(Inner {
                state,
                profile: Profile::new(self.account, self.form_fields_access),
                clock,
                limiter: RateLimiter::new(self.rate_limit_per_minute),
                faults: crate::faults::Faults::default(),
            }),
            catalog: CatalogIndex::new(freshservice_schema::catalog().operations()),
        });
        // The lowest priority, so that mocks users mount themselves are tried first.
        Mock::given(any())
            .respond_with(Router(Arc::clone(&shared)))
            .with_priority(u8::MAX)
            .named("freshservice-sandbox")
            .mount(&server)
            .await;
        Sandbox {
            server,
            shared,
            rate_limit_per_minute: self.rate_limit_per_minute,
        }
    }
}

/// A running fake Freshservice on 127.0.0.1. It stops when dropped.
#[derive(Debug)]
pub struct Sandbox {
    server: MockServer,
    shared: Arc<Shared>,
    rate_limit_per_minute: u32,
}

impl Sandbox {
    /// Starts a sandbox with the defaults: key `sandbox`, 500 credits per minute, the story, one workspace.
    pub async fn start() -> Sandbox {
        Sandbox::builder().start().await
    }

    /// Settings for a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with the defaults on `address`, for programs that serve on a chosen port.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] when the address cannot be bound.
    pub async fn listen(address: SocketAddr) -> Result<Sandbox, Error> {
        Sandbox::builder().listen(address).await
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`; API paths go after it (`/api/v2/tickets`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The same as [`Sandbox::uri`], under the name clients use for it.
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// The socket address the sandbox serves on.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }

    /// The API key requests must use.
    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    /// The workspace layout.
    pub fn workspace_mode(&self) -> WorkspaceMode {
        self.shared.config.mode
    }

    /// The account's credits per minute.
    pub fn rate_limit_per_minute(&self) -> u32 {
        self.rate_limit_per_minute
    }

    /// The underlying wiremock server: mount extra mocks on it (they take precedence over the sandbox) and read
    /// [`MockServer::received_requests`]. Do not call [`MockServer::reset`], which removes the sandbox itself.
    pub fn mock_server(&self) -> &MockServer {
        &self.server
    }

    /// A copy of every record, for assertions.
    pub fn state(&self) -> State {
        self.shared.lock().state.clone()
    }

    /// Every record of one collection, in key order.
    pub fn records(&self, collection: Collection) -> Vec<Value> {
        self.shared.lock().state.records(collection)
    }

    /// One record by key (`display_id` for assets, `id` otherwise).
    pub fn get(&self, collection: Collection, key: i64) -> Option<Value> {
        self.shared.lock().state.get(collection, key)
    }

    /// Stores a record directly, bypassing validation, and returns it as stored: defaults are filled in, a key
    /// is assigned when the record has none (a record with an existing key replaces it), `created_at` and
    /// `updated_at` default to now, and seed time expressions such as `@now-3d` are resolved.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRecord`] when the collection is unknown or the record is not a JSON object.
    pub fn insert(&self, collection: Collection, record: Value) -> Result<Value, Error> {
        let collection = collection.name();
        if resource(collection).is_none() && collection != "conversations" {
            return Err(Error::InvalidRecord {
                collection: collection.to_owned(),
                reason: "unknown collection; use one of the names listed on `State`".to_owned(),
            });
        }
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        let Value::Object(fields) = seed::resolve(record, now) else {
            return Err(Error::InvalidRecord {
                collection: collection.to_owned(),
                reason: "a record must be a JSON object".to_owned(),
            });
        };
        let (key, record) = seed::prepare(
            &mut inner.state,
            collection,
            fields,
            self.shared.config.mode,
            now,
        );
        inner.state.put(collection, key, record.clone());
        Ok(record)
    }

    /// Makes calls of the catalogue operation `operation` (a tool name such as
    /// `get_single_freshservice_ticket_by_id`) fail with `fault`: the next `times` calls, or every
    /// call until [`clear_faults`](Self::clear_faults) when `times` is `None`. Faults injected
    /// earlier on the same operation apply first. A faulted call changes nothing (a
    /// [`Fault::Delay`] answers normally, late).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownOperation`] when the catalogue has no operation of that name.
    pub fn inject(&self, operation: &str, fault: Fault, times: Option<u32>) -> Result<(), Error> {
        if freshservice_schema::catalog().get(operation).is_none() {
            return Err(Error::UnknownOperation {
                name: operation.to_owned(),
            });
        }
        if times == Some(0) {
            return Ok(());
        }
        self.shared.lock().faults.add(crate::faults::Rule {
            operation: operation.to_owned(),
            fault,
            remaining: times,
        });
        Ok(())
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The sandbox's current time.
    pub fn now(&self) -> SystemTime {
        system_time_from_seconds(self.shared.lock().clock.now())
    }

    /// Freezes the sandbox clock at `now` (for example to move past the 30-day ticket list window).
    pub fn set_now(&self, now: SystemTime) {
        self.shared.lock().clock = Clock::Fixed(seconds_from_system_time(now));
    }

    /// The account the sandbox imitates.
    pub fn account(&self) -> Account {
        self.shared.lock().profile.account
    }

    /// Every field definition of a module, in every workspace, as `GET /api/v2/<module>_form_fields` shows
    /// them (that endpoint filters by workspace).
    pub fn form_fields(&self, module: FormModule) -> Vec<Value> {
        self.shared.lock().profile.fields(module).to_vec()
    }

    /// Changes a module's field definitions in place, e.g. to add a custom field or a choice while the
    /// sandbox runs; the form fields show the change and writes are checked against it from the next request.
    /// Definitions use the documented shape (`name`, `field_type`, `default_field`, `choices`, ...). The
    /// sandbox is locked while `change` runs, so it must not call the sandbox.
    pub fn update_form_fields(&self, module: FormModule, change: impl FnOnce(&mut Vec<Value>)) {
        change(self.shared.lock().profile.fields_mut(module));
    }

    /// Adds a ticket status (or relabels the one with this id), e.g. `add_ticket_status(8, "With Legal")`.
    pub fn add_ticket_status(&self, id: i64, label: &str) {
        self.shared
            .lock()
            .profile
            .add_choice(FormModule::Tickets, "status", choice(id, label));
    }

    /// Adds a ticket source (or relabels the one with this id); custom sources use ids from 1001, and
    /// `POST /api/v2/ticket_fields/sources` picks the next free one.
    pub fn add_ticket_source(&self, id: i64, label: &str) {
        self.shared
            .lock()
            .profile
            .add_choice(FormModule::Tickets, "source", choice(id, label));
    }

    /// Allows or refuses the field-definition endpoints from the next request (see
    /// [`SandboxBuilder::form_fields_access`]).
    pub fn set_form_fields_access(&self, allowed: bool) {
        self.shared.lock().profile.access = allowed;
    }

    /// Starts a fresh rate-limit window, as if a minute had passed.
    pub fn reset_rate_limit(&self) {
        self.shared.lock().limiter.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_be_shared_across_tasks() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Sandbox>();
        assert_send_sync::<State>();
        assert_send_sync::<Error>();
    }
}
