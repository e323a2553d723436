//! The crate's single error type.
//!
//! Two kinds of failure exist and they belong to different people.
//! [`Error::InvalidOperation`] is raised once, while an [`Operation`](crate::Operation) is built,
//! and points at a mistake in the operation description (template, parameters or schema): a
//! programming or catalogue error.
//! [`Error::InvalidArguments`] is raised per call and lists every problem found in the caller's
//! arguments, each with a JSON pointer, so that the caller can fix all of them in one go rather
//! than one per round trip.

use std::fmt;

/// One problem found in a call's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArgumentProblem {
    /// JSON pointer (RFC 6901) of the offending instance: `""` for the argument object itself,
    /// `"/change_id"` for a top-level argument, `"/assets/0/display_id"` for a nested one.
    pub pointer: String,
    /// What was expected, for example `"abc" is not of type "integer"`.
    pub message: String,
}

impl ArgumentProblem {
    /// Creates a problem at `pointer` with `message`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ArgumentProblem {
    /// Writes `<pointer>: <message>`, using `arguments` for the root pointer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = if self.pointer.is_empty() {
            "arguments"
        } else {
            self.pointer.as_str()
        };
        write!(f, "{location}: {}", self.message)
    }
}

/// Everything that can go wrong while building an operation or routing arguments.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The arguments do not fit the operation; `problems` holds every problem found, never zero.
    ///
    /// Unknown argument names are reported here too, each as a problem that lists the known names.
    #[error("{}", ProblemLines(problems))]
    InvalidArguments {
        /// Every problem found, in a stable order.
        problems: Vec<ArgumentProblem>,
    },
    /// The operation description is inconsistent (path template, parameters or input schema).
    #[error("invalid operation: {reason}")]
    InvalidOperation {
        /// What is wrong and how to fix it.
        reason: String,
    },
}

impl Error {
    /// The argument problems, or an empty slice for errors that are not about arguments.
    pub fn problems(&self) -> &[ArgumentProblem] {
        match self {
            Self::InvalidArguments { problems } => problems,
            Self::InvalidOperation { .. } => &[],
        }
    }

    pub(crate) fn operation(reason: impl Into<String>) -> Self {
        Self::InvalidOperation {
            reason: reason.into(),
        }
    }
}

/// Renders problems one per line, so the whole list can be shown to whoever wrote the arguments.
struct ProblemLines<'a>(&'a [ArgumentProblem]);

impl fmt::Display for ProblemLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}
