//! The integration tests, one module per feature, in one binary: the harness in `support` is
//! built once instead of once per file.

mod support;

mod admin_providers;
mod admin_teachers;
mod api;
mod attendance;
mod authorization;
mod authorization_matrix;
mod bad_input;
mod cli;
mod crowd;
mod delivery;
mod delivery_crash;
mod events_new;
mod failover;
mod faults;
mod foundation;
mod listener_groups;
mod locales;
mod logs;
mod migrate;
mod planning;
mod providers_external;
mod providers_jitsi;
mod providers_kontur;
mod providers_mts_link;
mod providers_telemost;
mod providers_zoom;
mod series;
mod service;
mod startup;
mod wizard;
