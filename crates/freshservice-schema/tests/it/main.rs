//! Integration tests for freshservice-schema: the catalogue quality gate, the committed data's shape and the entity model.

mod catalog;
mod entities;
mod samples;
