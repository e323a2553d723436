//! Faults a test injects on chosen catalogue operations: a slow answer, an error status, a burst
//! of 429s, a body that is not JSON. The sandbox applies them in its own responder, after
//! authentication and before (or, for a delay, around) the normal answer, so everything else —
//! state, rate-limit headers of the other calls — stays as it is.

use std::time::Duration;

/// What an injected fault does to a matching call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer normally, after this long.
    Delay(Duration),
    /// Answer with this status and a Freshservice-shaped error body; nothing is changed.
    Status(u16),
    /// Answer 429 with `Retry-After` in whole seconds; nothing is changed.
    RateLimited {
        /// What `Retry-After` says.
        retry_after: Duration,
    },
    /// Answer 200 with a body that is not JSON; nothing is changed.
    MalformedBody,
}

/// One injected fault and how many more calls it applies to.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) operation: String,
    pub(crate) fault: Fault,
    /// `None`: every matching call until the faults are cleared.
    pub(crate) remaining: Option<u32>,
}

/// The faults in force, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<Rule>);

impl Faults {
    pub(crate) fn add(&mut self, rule: Rule) {
        self.0.push(rule);
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for a call of `operation`, counted as used; the first injected one wins.
    pub(crate) fn take(&mut self, operation: &str) -> Option<Fault> {
        let at = self.0.iter().position(|rule| rule.operation == operation)?;
        let rule = &mut self.0[at];
        let fault = rule.fault.clone();
        if let Some(remaining) = rule.remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                self.0.remove(at);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_and_the_first_injected_wins() {
        let mut faults = Faults::default();
        faults.add(Rule {
            operation: "a".into(),
            fault: Fault::Status(503),
            remaining: Some(2),
        });
        faults.add(Rule {
            operation: "a".into(),
            fault: Fault::MalformedBody,
            remaining: None,
        });
        assert_eq!(faults.take("b"), None);
        assert_eq!(faults.take("a"), Some(Fault::Status(503)));
        assert_eq!(faults.take("a"), Some(Fault::Status(503)));
        assert_eq!(faults.take("a"), Some(Fault::MalformedBody));
        assert_eq!(faults.take("a"), Some(Fault::MalformedBody));
        faults.clear();
        assert_eq!(faults.take("a"), None);
    }
}
