//! The command line (thin, like the HTTP layer): parse, call the service layer, print.

use std::net::TcpListener;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::service::tokens::Role;
use crate::service::App;

mod import;

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
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Rebuild every projection from the facts and report any difference.
    Verify,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
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
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new token (the last word of the output).
    Create {
        /// admin, officer, agency, hr or settlement.
        #[arg(long)]
        role: String,
        /// The institution of an hr token.
        #[arg(long)]
        institution: Option<String>,
        /// The county (GB/T 2260, e.g. 370811) of an officer; none: the whole city.
        #[arg(long)]
        region: Option<String>,
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
    match cli.command {
        Command::Serve { bind } => {
            let app = App::open(&cli.database_url).context("opening the database")?;
            let listener = TcpListener::bind(&bind).with_context(|| format!("binding {bind}"))?;
            let addr = listener.local_addr()?;
            let admin = std::env::var("JIFEN_ADMIN_TOKEN").ok();
            println!("jifen serving http://{addr}/api/v1 (database: {})", backend_of(&cli.database_url));
            if admin.is_none() {
                println!("create a token with: jifen token create --role admin   (or set JIFEN_ADMIN_TOKEN)");
            }
            let server = crate::http::server(app, listener, admin)?;
            actix_web::rt::System::new().block_on(server)?;
        }
        Command::Migrate => {
            crate::store::connect(&cli.database_url)?;
            println!("database at {} is up to date", backend_of(&cli.database_url));
        }
        Command::Verify => {
            let app = App::open(&cli.database_url)?;
            let report = app.verify().map_err(|e| anyhow::anyhow!("{e}"))?;
            for d in &report.differences {
                println!("DIFFERENCE {d}");
            }
            println!("verified {} practitioners: {} differences", report.practitioners, report.differences.len());
            if !report.differences.is_empty() {
                std::process::exit(1);
            }
        }
        Command::Token { command: TokenCommand::Create { role, institution, region } } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role {role}: admin, officer, agency, hr, settlement"))?;
            let app = App::open(&cli.database_url)?;
            let token = app
                .create_token(role, institution.as_deref(), region.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{} token created: {token}", role.as_str());
        }
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
            };
            let v = app.create_institution(&req).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "institution {} ({}) created, agreement {} to {}",
                v.code, v.name, v.agreement_start, v.agreement_end
            );
        }
        Command::Import { command } => {
            let app = App::open(&cli.database_url)?;
            import::run(&app, command)?;
        }
    }
    Ok(())
}

fn backend_of(url: &str) -> &'static str {
    crate::store::conn::DbUrl::parse(url).backend()
}
