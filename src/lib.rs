//! Surveillance Disclosure Registry: a public, evidence-linked record of police surveillance tools.
//!
//! `main.rs` parses the command line and calls in here; [`startup::Application`] builds the server.

pub mod api;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod foi;
pub mod import;
pub mod interchange;
pub mod progress;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod workflows;
pub mod writable;
