//! The one integration-test binary: every test drives the real HTTP app over loopback, against its
//! own database, on SQLite and (when `TEST_POSTGRES_URL` is set) on PostgreSQL.

mod helpers;

mod accounts;
mod auth;
mod authorization;
mod backups;
mod browser;
mod changes;
mod database;
mod deployment_queries;
mod deployment_writes;
mod deployments;
mod durability;
mod evidence;
mod exports;
mod foi;
mod foi_queries;
mod forces;
mod hardening;
mod health;
mod history;
mod imports;
mod openapi;
mod operations;
mod overviews;
mod public_data;
mod registry_writes;
mod search;
mod tools;
mod web;
