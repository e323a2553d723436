//! One account's form fields, read through the catalogue's own endpoints and kept for a while.
//!
//! Freshservice accounts add ticket statuses, sources, custom fields and category trees; the
//! documentation only knows the default account. [`AccountFields`] fetches the form-field answers
//! (`GET /api/v2/ticket_form_fields` and the other [`ProfileSource`]s), keeps them as an
//! [`AccountProfile`] for a time-to-live, and counts generations so the services built on it can
//! rebuild their schemas and tell their clients the tool list changed.
//!
//! Nothing waits on Freshservice: until the first answer arrives, and whenever a source cannot be
//! read (no permission, a network error), tools keep the documented schemas, whose extensible
//! fields (ticket status and source) accept codes they do not list.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use freshservice_client::{ApiRequest, Client};
use freshservice_schema::{AccountProfile, ProfileSource};
use http::Method;
use tokio::sync::watch;

/// How long a profile is used before it is read again, unless told otherwise.
pub const DEFAULT_PROFILE_TTL: Duration = Duration::from_secs(600);

/// After a failed read, how long before the next try (so a broken account is not hammered).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The most pages read from one form-field endpoint (100 fields each): far more fields than any
/// form has, and a bound on what one refresh costs the account's rate limit.
const MAX_PAGES: u32 = 5;

/// An account's form fields, fetched through a [`Client`] and refreshed after a time-to-live.
///
/// Clone it to share one between every service of the same account: they then read the fields
/// once per time-to-live, not once each. Give it to [`ServiceBuilder::account_fields`](crate::ServiceBuilder::account_fields).
#[derive(Debug, Clone)]
pub struct AccountFields {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    ttl: Duration,
    state: Mutex<State>,
    /// Bumped each time the profile changes; services compare it with the one they built from.
    generation: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct State {
    profile: Option<Arc<AccountProfile>>,
    /// When the next read is due (`None`: now).
    due: Option<Instant>,
    refreshing: bool,
    /// Workspaces whose own fields are read besides the account-wide ones.
    workspaces: BTreeSet<i64>,
    /// Sources the account refused to show (403/404), by name, from the last read.
    refused: Vec<&'static str>,
}

/// What one read of the form fields found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshOutcome {
    /// The profile differs from the one before (and the generation was bumped).
    pub changed: bool,
    /// Sources the account would not show (no permission, or not on this plan).
    pub refused: Vec<&'static str>,
    /// Sources that could not be read for another reason, with the reason (never a secret).
    pub failed: Vec<(&'static str, String)>,
}

impl AccountFields {
    /// Fields read with `client`, kept for [`DEFAULT_PROFILE_TTL`].
    pub fn new(client: Client) -> Self {
        Self::with_ttl(client, DEFAULT_PROFILE_TTL)
    }

    /// Fields read with `client`, kept for `ttl`.
    pub fn with_ttl(client: Client, ttl: Duration) -> Self {
        let (generation, _) = watch::channel(0);
        Self {
            inner: Arc::new(Inner {
                client,
                ttl,
                state: Mutex::new(State::default()),
                generation,
            }),
        }
    }

    /// The time-to-live.
    pub fn ttl(&self) -> Duration {
        self.inner.ttl
    }

    /// Also reads the fields of these workspaces (workspace-scoped servers need theirs).
    pub fn include_workspaces(&self, workspaces: &[i64]) {
        let mut state = self.lock();
        let before = state.workspaces.len();
        state.workspaces.extend(workspaces.iter().copied());
        if state.workspaces.len() != before {
            state.due = None;
        }
    }

    /// The profile read last, if any read has succeeded.
    pub fn profile(&self) -> Option<Arc<AccountProfile>> {
        self.lock().profile.clone()
    }

    /// How many times the profile has changed; starts at 0 (no profile).
    pub fn generation(&self) -> u64 {
        *self.inner.generation.borrow()
    }

    /// A receiver that sees every change of [`generation`](Self::generation).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.generation.subscribe()
    }

    /// Marks the profile stale, so the next [`refresh_if_due`](Self::refresh_if_due) reads it
    /// again (for example after Freshservice refused a write over a field).
    pub fn invalidate(&self) {
        self.lock().due = None;
    }

    /// When the profile is stale and no read is running, starts one in the background (on the
    /// current tokio runtime) and returns at once. Does nothing outside a runtime.
    pub fn refresh_if_due(&self) {
        {
            let mut state = self.lock();
            if state.refreshing || state.due.is_some_and(|due| Instant::now() < due) {
                return;
            }
            if tokio::runtime::Handle::try_current().is_err() {
                return;
            }
            state.refreshing = true;
        }
        let fields = self.clone();
        tokio::spawn(async move {
            let outcome = fields.read().await;
            fields.finish(outcome);
        });
    }

    /// Reads the form fields now and returns what it found; waits for the answers.
    pub async fn refresh(&self) -> RefreshOutcome {
        self.lock().refreshing = true;
        let outcome = self.read().await;
        self.finish(outcome)
    }

    /// The time until the profile is due again, for clients that cache the tool list.
    pub fn time_to_refresh(&self) -> Duration {
        self.lock().due.map_or(Duration::ZERO, |due| {
            due.saturating_duration_since(Instant::now())
        })
    }

    /// Reads every source (account-wide, then per included workspace where the source has
    /// workspace-specific fields) into a new profile.
    async fn read(&self) -> (AccountProfile, RefreshOutcome) {
        let workspaces: Vec<i64> = self.lock().workspaces.iter().copied().collect();
        let mut profile = AccountProfile::new();
        let mut outcome = RefreshOutcome {
            changed: false,
            refused: Vec::new(),
            failed: Vec::new(),
        };
        for source in ProfileSource::ALL {
            let scopes = std::iter::once(None).chain(
                workspaces
                    .iter()
                    .filter(|_| source.by_workspace())
                    .map(|id| Some(*id)),
            );
            for workspace in scopes {
                match self.read_source(&mut profile, source, workspace).await {
                    Ok(()) => {}
                    Err(Problem::Refused) => {
                        if !outcome.refused.contains(&source.tool()) {
                            outcome.refused.push(source.tool());
                        }
                        break;
                    }
                    Err(Problem::Failed(reason)) => {
                        outcome.failed.push((source.tool(), reason));
                        break;
                    }
                }
            }
        }
        (profile, outcome)
    }

    async fn read_source(
        &self,
        profile: &mut AccountProfile,
        source: ProfileSource,
        workspace: Option<i64>,
    ) -> Result<(), Problem> {
        for page in 1..=MAX_PAGES {
            let mut path = format!("{}?per_page=100&page={page}", source.path());
            if let Some(id) = workspace {
                path.push_str(&format!("&workspace_id={id}"));
            }
            let response = match self
                .inner
                .client
                .send(ApiRequest::new(Method::GET, path))
                .await
            {
                Ok(response) => response,
                Err(error) => {
                    return Err(match error.status().map(|status| status.as_u16()) {
                        Some(401 | 403 | 404) => Problem::Refused,
                        _ => Problem::Failed(error.to_string()),
                    });
                }
            };
            profile
                .add_response(source, workspace, &response.body)
                .map_err(|error| Problem::Failed(error.to_string()))?;
            if response.next_page_url().is_none() {
                break;
            }
        }
        Ok(())
    }

    /// Keeps a read's profile: on success the new one (bumping the generation when it differs),
    /// on failure the old one, due again sooner.
    fn finish(&self, (profile, mut outcome): (AccountProfile, RefreshOutcome)) -> RefreshOutcome {
        let failed = !outcome.failed.is_empty();
        let mut state = self.lock();
        state.refreshing = false;
        state.refused = outcome.refused.clone();
        let now = Instant::now();
        if failed {
            // Keep what we had: half a profile would drop fields the account has.
            state.due = Some(now + RETRY_AFTER_FAILURE.min(self.inner.ttl));
            return outcome;
        }
        state.due = Some(now + self.inner.ttl);
        // A profile with nothing in it (every source refused) shapes nothing, like no profile.
        let changed = match state.profile.as_deref() {
            None => !profile.is_empty(),
            Some(before) => before != &profile,
        };
        if changed {
            state.profile = Some(Arc::new(profile));
            drop(state);
            self.inner
                .generation
                .send_modify(|generation| *generation += 1);
        }
        outcome.changed = changed;
        outcome
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

enum Problem {
    /// The account will not show this source (permission or plan): nothing to overlay.
    Refused,
    /// Anything else: the read as a whole failed.
    Failed(String),
}
