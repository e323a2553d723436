//! Integration tests for freshservice-schema: the catalogue quality gate and the committed data's shape.

mod catalog;
