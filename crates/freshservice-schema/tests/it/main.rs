//! Integration tests for freshservice-schema: the catalogue quality gate, the committed data's shape, the entity model and
//! account profiles.

mod catalog;
mod entities;
mod profile;
