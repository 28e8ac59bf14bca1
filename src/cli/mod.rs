//! The command line (thin, like the HTTP layer): parse, call the service layer, print.

use std::net::TcpListener;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::service::tokens::Role;
use crate::service::{App, Caller};

mod export;
mod import;
mod operate;
mod pack;

#[derive(Parser)]
#[command(name = "jifen", version, about = "医保支付资格记分管理 — payment-qualification points")]
struct Cli {
    /// `postgres://…` for PostgreSQL; a path or `sqlite://path` for SQLite.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "jifen.db")]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the database is created and migrated on start).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Serve a read replica: no migrations, reads and claims screening only, the
        /// eligibility index following the replica's change feed every --follow-ms.
        #[arg(long)]
        read_only: bool,
        /// A replica's full reload of the index, as a safety net (0: never).
        #[arg(long, default_value_t = 0)]
        refresh_secs: u64,
        /// How often a replica reads the change feed (milliseconds).
        #[arg(long, default_value_t = 200)]
        follow_ms: u64,
        /// Mark the session cookie `Secure` (served behind a TLS reverse proxy).
        #[arg(long)]
        cookie_secure: bool,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Print the OpenAPI document of the HTTP API (`docs/openapi.json` is this output).
    Openapi,
    /// Rebuild every projection from the facts and report any difference; check the hash
    /// chains over the facts and the audit trail (exits non-zero on any finding).
    Verify,
    /// A consistent online backup of a SQLite database (the server may keep writing).
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Check a SQLite backup (`verify`) and put it in place of --database-url (stopped server).
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Write a roster, the status list or the blank 附件1 template to a file (.xlsx or CSV).
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// The Ed25519 key that signs the daily files (`export status-list --out DIR`).
    Key {
        #[command(subcommand)]
        command: export::KeyCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Fill the database with a synthetic 济宁 (deterministic), then serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        #[arg(long, default_value_t = 60_000)]
        practitioners: usize,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Mark the session cookie `Secure` (served behind a TLS reverse proxy).
        #[arg(long)]
        cookie_secure: bool,
        /// The policy packs to run (`jining`, `national`, `tianjin`; a new database only).
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// Write the synthetic city as CSV files (rosters, tests, violations) for imports and load tests.
    Generate {
        #[arg(long, default_value_t = 60_000)]
        practitioners: usize,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Register an institution and its agreement (as `POST /institutions`).
    Institution {
        #[command(subcommand)]
        command: InstitutionCommand,
    },
    /// Import a spreadsheet (CSV): preview by default, `--commit` to write.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Manage the accounts people log in to the web pages with.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Policy packs as files: `pack check FILE…`, `pack diff A B` (no database).
    Pack {
        #[command(subcommand)]
        command: pack::PackCommand,
    },
    /// Settings the agency keeps (as `POST /settings/…`).
    Setting {
        #[command(subcommand)]
        command: SettingCommand,
    },
}

#[derive(Subcommand)]
enum SettingCommand {
    /// 六(一): a notice never acknowledged counts as received on its date plus these calendar
    /// days (for notices dated on or after `--from`).
    DeliveryAllowance {
        #[arg(long)]
        days: u32,
        #[arg(long)]
        from: String,
    },
    /// Issue 17: the jurisdiction whose packs the engine reads (`jining`, `national`,
    /// `tianjin`); only before anything is scored.
    Jurisdiction { jurisdiction: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password comes from JIFEN_PASSWORD or is asked on the terminal.
    Create {
        #[arg(long)]
        username: String,
        /// admin, officer, agency or hr.
        #[arg(long)]
        role: String,
        /// The institution of an hr account.
        #[arg(long)]
        institution: Option<String>,
        /// The county (GB/T 2260, e.g. 370811) of an officer; none: the whole city.
        #[arg(long)]
        region: Option<String>,
    },
    /// List the accounts.
    List,
    /// Disable an account (its sessions end at once).
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
}

#[derive(Subcommand)]
enum InstitutionCommand {
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// medical or pharmacy.
        #[arg(long, default_value = "medical")]
        kind: String,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        agreement_start: String,
        /// The last day of the agreement.
        #[arg(long)]
        agreement_end: String,
    },
    /// Renew an agreement (续签, as `POST /institutions/{code}/agreement/renew`).
    Renew {
        #[arg(long)]
        code: String,
        /// The day decided.
        #[arg(long)]
        on: String,
        /// The last day of the new term.
        #[arg(long)]
        agreement_end: String,
    },
    /// Decide not to renew an agreement (不再续签): it ends with its term.
    NonRenewal {
        #[arg(long)]
        code: String,
        #[arg(long)]
        on: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new token (the last word of the output).
    Create {
        /// admin, officer, agency, hr or settlement.
        #[arg(long)]
        role: String,
        /// The institution of an hr token (it must exist).
        #[arg(long)]
        institution: Option<String>,
        /// The county (GB/T 2260, one of data/regions.toml, e.g. 370811) of an officer; none:
        /// the whole city.
        #[arg(long)]
        region: Option<String>,
        /// Who or what holds it, for `token list` (e.g. "医保结算系统").
        #[arg(long)]
        label: Option<String>,
        /// The last day (YYYY-MM-DD, China time) it is accepted; none: until revoked.
        #[arg(long)]
        expires: Option<String>,
    },
    /// Every token: id, label, role, scope, created, expires, last used, revoked (never the secret).
    List,
    /// Revoke a token: every running server refuses it within seconds.
    Revoke {
        /// The id shown by `token list`.
        id: i64,
    },
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("JIFEN_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs the command line.
pub fn run() -> anyhow::Result<()> {
    init_logging();
    let cli = Cli::parse();
    // Writes made from the command line are audited as the operating system user's.
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let caller = Caller::cli(&user, std::env::args().skip(1).take(3).collect::<Vec<_>>().join(" "));
    execute(cli, &caller)
}

fn execute(cli: Cli, caller: &Caller) -> anyhow::Result<()> {
    match cli.command {
        Command::Pack { command } => pack::execute(command)?,
        Command::Serve { bind, read_only, refresh_secs, follow_ms, cookie_secure } => {
            crate::web::settings::install(crate::web::Settings { cookie_secure, ..Default::default() });
            let app = if read_only {
                let app = App::open_read_only(&cli.database_url).context("opening the replica")?;
                // The head, then the index loaded again: following from the head misses nothing.
                let mut after = app.feed_head().map_err(|e| anyhow::anyhow!("{e}"))?;
                app.reload_index().map_err(|e| anyhow::anyhow!("{e}"))?;
                let follower = app.clone();
                std::thread::spawn(move || {
                    let mut reloaded = std::time::Instant::now();
                    loop {
                        std::thread::sleep(std::time::Duration::from_millis(follow_ms.max(10)));
                        match follower.follow_feed(after) {
                            Ok(n) => after = n,
                            Err(e) => tracing::warn!(error = %e, "following the change feed on the replica"),
                        }
                        if refresh_secs > 0 && reloaded.elapsed().as_secs() >= refresh_secs {
                            reloaded = std::time::Instant::now();
                            if let Err(e) = follower.reload_index() {
                                tracing::warn!(error = %e, "reloading the eligibility index from the replica");
                            }
                        }
                    }
                });
                app
            } else {
                App::open(&cli.database_url).context("opening the database")?
            };
            let listener = TcpListener::bind(&bind).with_context(|| format!("binding {bind}"))?;
            let addr = listener.local_addr()?;
            let admin = std::env::var("JIFEN_ADMIN_TOKEN").ok();
            let mode = if read_only { ", read-only replica" } else { "" };
            println!("jifen serving http://{addr}/api/v1 (database: {}{mode})", backend_of(&cli.database_url));
            println!(
                "web pages at http://{addr}/ (create an account with: jifen user create --username NAME --role admin)"
            );
            if admin.is_none() {
                println!("create a token with: jifen token create --role admin   (or set JIFEN_ADMIN_TOKEN)");
            }
            let server = crate::http::server_with(app, listener, admin, read_only)?;
            actix_web::rt::System::new().block_on(server)?;
        }
        Command::Demo { bind, practitioners, seed, cookie_secure, jurisdiction } => {
            crate::web::settings::install(crate::web::Settings { cookie_secure, ..Default::default() });
            demo(caller, &cli.database_url, &bind, practitioners, seed, jurisdiction.as_deref())?
        }
        Command::Generate { practitioners, seed, out } => {
            let world = crate::demo::generate(seed, practitioners);
            let files = crate::demo::export::write_csv(&world, &out)?;
            println!(
                "{} institutions, {} practitioners, {} inspections, {} tests: {} files in {}",
                world.institutions.len(),
                world.people.len(),
                world.inspections.len(),
                world.tests.len(),
                files.len(),
                out.display()
            );
        }
        Command::Openapi => print!("{}", crate::http::openapi::pretty()),
        Command::Migrate => {
            crate::store::connect(&cli.database_url)?;
            println!("database at {} is up to date", backend_of(&cli.database_url));
        }
        Command::Verify => {
            let app = App::open(&cli.database_url)?;
            let report = app.verify().map_err(|e| anyhow::anyhow!("{e}"))?;
            if !operate::print_verify(&report) {
                std::process::exit(1);
            }
        }
        Command::Backup { to } => operate::backup(caller, &cli.database_url, &to)?,
        Command::Restore { from } => {
            if !operate::restore(caller, &from, &cli.database_url)? {
                std::process::exit(1);
            }
        }
        Command::Token { command } => token(&cli.database_url, command)?,
        Command::Institution {
            command: InstitutionCommand::Create { code, name, kind, region, agreement_start, agreement_end },
        } => {
            let app = App::open(&cli.database_url)?;
            let req = crate::service::institutions::NewInstitution {
                code,
                name,
                kind,
                region_code: region,
                agreement_start,
                agreement_end,
                public: None,
                organization_code: None,
                legal_representative: None,
            };
            let v = app.create_institution(caller, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "institution {} ({}) created, agreement {} to {}",
                v.code, v.name, v.agreement_start, v.agreement_end
            );
        }
        Command::Institution { command: InstitutionCommand::Renew { code, on, agreement_end } } => {
            let app = App::open(&cli.database_url)?;
            let req = crate::service::institutions::RenewInstitution { on, agreement_end, reason: None };
            let v = app.renew_institution(caller, &code, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("institution {} renewed: agreement to {} ({})", v.code, v.agreement_end, v.status);
        }
        Command::Institution { command: InstitutionCommand::NonRenewal { code, on, reason } } => {
            let app = App::open(&cli.database_url)?;
            let req = crate::service::institutions::NonRenewal {
                on,
                reason,
                article: None,
                requested: None,
                requested_on: None,
            };
            let v = app.refuse_renewal(caller, &code, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("institution {}: not renewed, the agreement ends after {}", v.code, v.agreement_end);
        }
        Command::Import { command } => {
            let app = App::open(&cli.database_url)?.without_index_publication();
            import::run(&app, caller, command)?;
        }
        Command::Key { command } => export::key(command)?,
        Command::Export { command: command @ export::ExportCommand::Verify { .. } } => export::verify(command)?,
        Command::Export { command } => {
            let app = App::open(&cli.database_url)?;
            export::run(&app, caller, command)?;
        }
        Command::User { command } => user(&App::open(&cli.database_url)?, caller, command)?,
        Command::Setting { command: SettingCommand::DeliveryAllowance { days, from } } => {
            let app = App::open(&cli.database_url)?;
            let req = crate::service::receipts::SetDeliveryAllowance { days, from };
            let v = app.set_delivery_allowance(caller, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("delivery allowance of notices dated from {}: {} calendar days (六(一))", v.on, v.days);
        }
        Command::Setting { command: SettingCommand::Jurisdiction { jurisdiction } } => {
            let app = App::open(&cli.database_url)?;
            let req = crate::service::jurisdiction::SetJurisdiction { jurisdiction };
            let v = app.set_jurisdiction(caller, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            let ids: Vec<&str> = v.packs.iter().map(|p| p.id.as_str()).collect();
            println!("jurisdiction {}: packs {}", v.jurisdiction, ids.join(", "));
        }
    }
    Ok(())
}

fn demo(
    caller: &Caller,
    database_url: &str,
    bind: &str,
    practitioners: usize,
    seed: u64,
    jurisdiction: Option<&str>,
) -> anyhow::Result<()> {
    let mut app = App::open(database_url).context("opening the database")?;
    let filled = {
        let mut c = app.conn().map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::store::facts::institution_count(&mut c)? > 0
    };
    let world = crate::demo::generate(seed, practitioners);
    if filled {
        println!("the database already holds a city: serving it as it is ({})", app.packs.jurisdiction());
    } else {
        if let Some(j) = jurisdiction {
            let req = crate::service::jurisdiction::SetJurisdiction { jurisdiction: j.to_string() };
            app.set_jurisdiction(caller, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
            app = app.current();
        }
        println!(
            "building a synthetic city under {} (seed {seed}, {practitioners} practitioners)…",
            app.packs.latest().name
        );
        let loaded =
            crate::demo::load(&app, caller, &world, &mut |m| println!("  {m}")).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("  done in {:.1} s", loaded.seconds);
    }
    app.reload_index().map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = match std::env::var("JIFEN_ADMIN_TOKEN") {
        Ok(t) if !t.is_empty() => t,
        _ => app.create_token(Role::Admin, None, None).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let listener = TcpListener::bind(bind).with_context(|| format!("binding {bind}"))?;
    let base = format!("http://{}/api/v1", listener.local_addr()?);
    let today = crate::domain::dates::today_china();
    let suspended = world.people.iter().find(|p| {
        app.status(caller, &p.code, chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or(today))
            .map(|s| s.status.status != crate::rules::PersonalStatus::Active)
            .unwrap_or(false)
    });
    let example = suspended.unwrap_or(&world.people[0]);
    let inst = &world.institutions[example.sites[0]].code;
    // A service date inside the example's first sanction, so the check shows a refusal.
    let claim_date = app
        .timeline(&example.code)
        .ok()
        .and_then(|(_, t)| {
            t.sanctions.iter().find(|s| s.kind != crate::rules::SanctionKind::Interview).map(|s| s.starts_on)
        })
        .unwrap_or(today);
    println!("\njifen demo at {base}\nadmin token: {token}\n\ntry:");
    println!("  curl -s -H 'Authorization: Bearer {token}' '{base}/practitioners/{}/ledger?year=2025'", example.code);
    println!(
        "  curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' {base}/eligibility/check -d '{{\"lines\":[{{\"personnel_code\":\"{}\",\"institution_code\":\"{inst}\",\"service_date\":\"{claim_date}\",\"emergency\":false,\"amount\":\"88.00\"}}]}}'",
        example.code
    );
    println!("  curl -s -H 'Authorization: Bearer {token}' '{base}/watch-list?year=2025'");
    let site = format!("http://{}/", listener.local_addr()?);
    println!("\nweb pages: {site}  — log in with one of these demo accounts:");
    let name_of = |code: &str| world.institutions.iter().find(|i| i.code == code).map_or("", |i| i.name.as_str());
    for (username, role, institution) in [
        ("admin", "admin", None),
        ("hr", "hr", Some(inst.as_str())),
        ("agency", "agency", None),
        ("officer", "officer", None),
    ] {
        let password = crate::service::sessions::random_secret()[..16].to_string();
        let req = crate::service::accounts::NewAccount {
            username: username.into(),
            password: password.clone(),
            role: role.into(),
            institution_code: institution.map(str::to_string),
            region_code: None,
        };
        app.ensure_demo_account(caller, &req).map_err(|e| anyhow::anyhow!("{e}"))?;
        let what = match institution {
            Some(code) => format!("{} {code} {}", crate::web::role_label(role), name_of(code)),
            None => crate::web::role_label(role).to_string(),
        };
        println!("  {username:<8} password {password}   {what}");
    }
    let server = crate::http::server(app, listener, Some(token))?;
    actix_web::rt::System::new().block_on(server)?;
    Ok(())
}

fn token(database_url: &str, command: TokenCommand) -> anyhow::Result<()> {
    let app = App::open(database_url)?;
    match command {
        TokenCommand::Create { role, institution, region, label, expires } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role {role}: admin, officer, agency, hr, settlement"))?;
            let expires_on = expires
                .as_deref()
                .map(|e| crate::domain::dates::parse_date("expires", e))
                .transpose()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let req = crate::service::tokens::NewToken { role, institution, region, label, expires_on };
            let (id, token) = app.issue_token(&req).map_err(|e| anyhow::anyhow!("{e}"))?;
            let until = expires_on.map(|d| format!(", valid through {d}")).unwrap_or_default();
            println!("{} token {id} created{until}: {token}", role.as_str());
        }
        TokenCommand::List => {
            let tokens = app.tokens().map_err(|e| anyhow::anyhow!("{e}"))?;
            let when = |t: Option<chrono::NaiveDateTime>| {
                t.map_or("-".to_string(), |t| format!("{}Z", t.format("%Y-%m-%d %H:%M")))
            };
            println!(
                "{:>5}  {:<24}  {:<10}  {:<24}  {:<17}  {:<10}  {:<17}  revoked",
                "id", "label", "role", "scope", "created", "expires", "last used"
            );
            for t in tokens {
                println!(
                    "{:>5}  {:<24}  {:<10}  {:<24}  {:<17}  {:<10}  {:<17}  {}",
                    t.id,
                    t.label.as_deref().unwrap_or("-"),
                    t.role,
                    t.scope,
                    when(Some(t.created_at)),
                    t.expires_on.map_or("-".to_string(), |d| d.to_string()),
                    when(t.last_used_at),
                    when(t.revoked_at),
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if app.revoke_token(id).map_err(|e| anyhow::anyhow!("{e}"))? {
                println!("token {id} revoked: running servers refuse it within seconds");
            } else {
                println!("token {id} was revoked already");
            }
        }
    }
    Ok(())
}

fn user(app: &App, caller: &Caller, command: UserCommand) -> anyhow::Result<()> {
    let fail = |e: crate::error::Error| anyhow::anyhow!("{e}");
    match command {
        UserCommand::Create { username, role, institution, region } => {
            let password = match std::env::var("JIFEN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let p = rpassword::prompt_password(format!("password for {username}: "))?;
                    if rpassword::prompt_password("again: ")? != p {
                        anyhow::bail!("the two passwords differ");
                    }
                    p
                }
            };
            let req = crate::service::accounts::NewAccount {
                username,
                password,
                role,
                institution_code: institution,
                region_code: region,
            };
            let a = app.create_account(caller, &req).map_err(fail)?;
            println!("account {} created ({}{})", a.username, a.role.as_str(), scope_of(&a));
        }
        UserCommand::List => {
            for a in app.accounts(caller).map_err(fail)? {
                let state = if a.disabled {
                    " disabled"
                } else if a.locked_until.is_some() {
                    " locked"
                } else {
                    ""
                };
                println!("{}\t{}{}{state}", a.username, a.role.as_str(), scope_of(&a));
            }
        }
        UserCommand::Disable { username } => {
            app.set_account_disabled(caller, &username, true).map_err(fail)?;
            println!("account {username} disabled");
        }
        UserCommand::Enable { username } => {
            app.set_account_disabled(caller, &username, false).map_err(fail)?;
            println!("account {username} enabled");
        }
    }
    Ok(())
}

fn scope_of(a: &crate::service::accounts::Account) -> String {
    match (&a.institution_code, &a.region_code) {
        (Some(i), _) => format!(" {i}"),
        (_, Some(r)) => format!(" {r}"),
        _ => String::new(),
    }
}

fn backend_of(url: &str) -> &'static str {
    crate::store::conn::DbUrl::parse(url).backend()
}
