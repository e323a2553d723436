#![doc = include_str!("../README.md")]

mod error;
mod ietf;
mod sf;
mod status;
mod value;

pub use error::Error;
pub use status::RateLimitStatus;
pub use value::{parse_reset, parse_retry_after};
