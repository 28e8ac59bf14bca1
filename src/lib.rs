//! jifen (积分): the medical-insurance payment-qualification points system
//! (医保支付资格记分管理) of the 济宁 notice. Layers: `rules` (pure) ← `store` (diesel)
//! ← `service` (use-cases, transactions) ← `http` (JSON API), `web` (pages for people) and `cli`.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod rules;
pub mod service;
pub mod sheets;
pub mod store;
pub mod web;
