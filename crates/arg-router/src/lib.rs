#![doc = include_str!("../README.md")]

mod error;
mod operation;
mod param;
mod request;
mod template;

pub use error::{ArgumentProblem, Error};
pub use operation::Operation;
pub use param::{ParamLocation, ParamSpec, QueryStyle};
pub use request::RoutedRequest;
