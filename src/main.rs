//! The `optovik` binary: the composition root. Parses the command line and
//! configuration, sets up tracing, and wires the web app and the scheduler.

mod config;

/// mimalloc returns freed memory to the system (glibc's allocator keeps the
/// arenas of argon2's 19 MiB blocks on every thread that ever hashed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use portal::db::Db;
use portal::web::AppState;

use config::Config;

#[derive(Parser)]
#[command(name = "optovik", version, about = "B2B supplier ordering portal with an ERP connector")]
struct Cli {
    /// A TOML configuration file (default: ./optovik.toml if present).
    #[arg(long, global = true, env = "OPTOVIK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal and run the scheduler (the default). On the built-in
    /// SQLite default an empty database gets the demo data (unless --no-demo);
    /// a configured database (PostgreSQL or another path) never does unless
    /// --demo.
    Serve {
        /// Never load the demo data.
        #[arg(long, conflicts_with = "demo")]
        no_demo: bool,
        /// Load (or refresh) the demo data on whatever database is configured.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load (or refresh) the demo catalog, companies and logins.
    Demo {
        /// Instead: end the demo logins (their published passwords stop
        /// working); the supplier's own data stays as it is.
        #[arg(long)]
        remove: bool,
    },
    /// Invite a user: creates the account and prints (and emails) the link
    /// where they set their password. How the first administrator is made.
    Invite {
        email: String,
        /// admin, manager, buyer or erp.
        #[arg(long, default_value = "admin")]
        role: String,
        /// The person's name.
        #[arg(long, default_value = "Администратор")]
        name: String,
        /// The buyer's company id (buyers only).
        #[arg(long)]
        company: Option<i64>,
    },
    /// Import exchange files, each all or nothing: CommerceML (catalog, offers, prices, rests,
    /// counterparties, status documents) or Excel (price/stock lists, order-status sheets).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export data for the ERP.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Scheduled jobs.
    Job {
        #[command(subcommand)]
        action: JobAction,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// New and changed orders as CommerceML, as the folder channel: they are
    /// marked taken by the folder channel (1C over HTTP still gets them).
    Orders {
        #[arg(long)]
        out: PathBuf,
        /// windows-1251 (default) or utf-8.
        #[arg(long, default_value = "windows-1251")]
        encoding: String,
    },
}

#[derive(Subcommand)]
enum JobAction {
    /// List the jobs and their default schedules.
    List,
    /// Run one job now.
    Run { name: String },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,poem=warn,tokio_cron_scheduler=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    connector::excel::configure(config.excel.clone());
    match cli.command.unwrap_or(Command::Serve { no_demo: false, demo: false }) {
        Command::Serve { no_demo, demo } => serve(config, no_demo, demo),
        Command::Migrate => {
            connect(&config)?;
            println!("database is up to date ({})", config.database_for_log());
            Ok(())
        }
        Command::Demo { remove: true } => {
            let db = connect(&config)?;
            let ended = portal::demo::remove_accounts(&mut *db.conn()?)?;
            println!("{ended} demo logins ended; their passwords no longer work. Nothing else was changed.");
            Ok(())
        }
        Command::Demo { remove: false } => {
            let db = connect(&config)?;
            let summary = portal::demo::load(&mut *db.conn()?)?;
            println!(
                "demo data loaded: {} products, {} offers ({} rows created, {} updated)",
                summary.products, summary.offers, summary.created, summary.updated
            );
            print_logins(None);
            Ok(())
        }
        Command::Invite { email, role, name, company } => invite(&config, &email, &role, &name, company),
        Command::Import { files } => import_files(&config, &files),
        Command::Export { what: ExportWhat::Orders { out, encoding } } => export_orders(&config, &out, &encoding),
        Command::Job { action: JobAction::List } => {
            for job in connector::jobs::JOBS {
                println!("{:<20} {:<16} {}", job.name, job.default_cron, job.description);
            }
            Ok(())
        }
        Command::Job { action: JobAction::Run { name } } => {
            let db = connect(&config)?;
            let tick = connector::runner::current_tick();
            match connector::runner::run_leased(&db, &name, &instance_name(), tick, portal::journal::Trigger::Cli)? {
                Some((run, report)) => println!("{name}: {} (journal run {run})", report.summary),
                None => anyhow::bail!("{name} is running on another instance right now"),
            }
            Ok(())
        }
    }
}

/// `optovik import`: each file streamed in its own transaction and journal
/// run, with a progress bar when the output is a terminal.
fn import_files(config: &Config, files: &[PathBuf]) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let db = connect(config)?;
    let mut failed = 0;
    for path in files {
        let name = path.display().to_string();
        let size = std::fs::metadata(path).with_context(|| format!("cannot read {name}"))?.len();
        let bar = if std::io::stderr().is_terminal() {
            indicatif::ProgressBar::new(size)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(path.file_name().map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned()));
        let mut progress = |read: u64| bar.set_position(read);
        let outcome =
            connector::file_import::import_path(&db, path, false, portal::journal::Trigger::Cli, &mut progress);
        bar.finish_and_clear();
        let (run, ok) = outcome?;
        let entry = portal::journal::find(&mut *db.conn()?, run)?;
        if ok {
            println!("{name}: {}", entry.summary);
        } else {
            failed += 1;
            eprintln!("{name}: {}", entry.summary);
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} files failed", files.len());
    }
    Ok(())
}

/// `optovik export orders`: pending orders to one file in `out`, then marked sent.
fn export_orders(config: &Config, out: &std::path::Path, encoding: &str) -> anyhow::Result<()> {
    use connector::commerceml::writer::OutputEncoding;
    let encoding = OutputEncoding::parse(encoding).ok_or_else(|| anyhow::anyhow!("encoding: windows-1251 or utf-8"))?;
    let db = connect(config)?;
    let written = connector::export::to_folder(&db, out, encoding, portal::journal::Trigger::Cli)?;
    match written.path {
        None => println!("no new or changed orders"),
        Some(path) => println!(
            "{}: {} orders ({} marked taken by the folder channel)",
            path.display(),
            written.orders,
            written.newly_taken
        ),
    }
    Ok(())
}

fn connect(config: &Config) -> anyhow::Result<Db> {
    Db::connect(&config.database_url, config.pool_size)
        .with_context(|| format!("cannot open the database {}", config.database_for_log()))
}

fn instance_name() -> String {
    format!("{}-{}", std::env::var("HOSTNAME").unwrap_or_else(|_| "optovik".into()), std::process::id())
}

/// `optovik invite`: a user with no password yet and the link to set one.
fn invite(config: &Config, email: &str, role: &str, name: &str, company: Option<i64>) -> anyhow::Result<()> {
    use portal::accounts::{admin, CompanyId, Role, User};
    let role = Role::parse(role).ok_or_else(|| anyhow::anyhow!("role: admin, manager, buyer or erp"))?;
    let db = connect(config)?;
    let mut conn = db.conn()?;
    let (id, link) = admin::invite(&mut conn, email, name, role, company.map(CompanyId), "ru")?;
    let user = User::find(&mut conn, id)?;
    println!("{} ({}) invited. Set the password at:\n  {link}", user.email, role.as_str());
    Ok(())
}

/// Whether a start loads the demo data: when asked (`--demo`), or on the
/// README's first command — the built-in SQLite default, still empty.
fn wants_demo(config: &Config, db: &Db, no_demo: bool, demo: bool) -> anyhow::Result<bool> {
    if demo {
        return Ok(true);
    }
    if no_demo || !config.database_is_default || db.backend() != portal::db::Backend::Sqlite {
        return Ok(false);
    }
    Ok(portal::demo::is_empty(&mut *db.conn()?)?)
}

fn serve(config: Config, no_demo: bool, demo: bool) -> anyhow::Result<()> {
    let db = connect(&config)?;
    if wants_demo(&config, &db, no_demo, demo)? {
        println!("loading demo data…");
        let summary = portal::demo::load(&mut *db.conn()?)?;
        println!("demo data loaded: {} products, {} offers", summary.products, summary.offers);
    }
    // The reports' facts catch up before serving: after an upgrade that is
    // the first fill (seconds per hundred thousand orders), which would
    // otherwise hold the database's write lock inside someone's report.
    let started = std::time::Instant::now();
    let redone = portal::reports::facts::refresh(&mut *db.conn()?)?;
    if redone > 0 {
        tracing::info!(orders = redone, took = ?started.elapsed(), "sales facts for the reports brought up to date");
    }
    let interrupted = portal::journal::sweep_interrupted(&mut *db.conn()?)?;
    if interrupted > 0 {
        tracing::warn!(interrupted, "journal runs left running by a stopped process are marked interrupted");
    }
    let demo_logins = portal::demo::accounts_present(&mut *db.conn()?)?;
    if demo_logins {
        tracing::warn!(
            "demo logins with published passwords can sign in; run `optovik demo --remove` before serving customers"
        );
    }
    let has_admin = portal::accounts::admin::has_admin(&mut *db.conn()?)?;
    let timezone: chrono_tz::Tz =
        config.timezone.parse().map_err(|e| anyhow::anyhow!("unknown time zone {:?}: {e}", config.timezone))?;
    let schedule = connector::schedule::ScheduleConfig { timezone, overrides: config.jobs.clone() };
    // Blocking threads: database work is capped at the pool's size by
    // `Db::run` and password hashing at the cores; the rest is jobs and imports.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.pool_size as usize + 16)
        .build()?;
    runtime.block_on(async move {
        let _scheduler = connector::schedule::start(db.clone(), &schedule, instance_name()).await?;
        let state = AppState::new(db.clone(), config.web())
            .with_jobs(connector::runner::Runner::shared(db.clone(), instance_name()));
        let listener = poem::listener::TcpListener::bind(config.bind.clone());
        let acceptor = poem::listener::Listener::into_acceptor(listener)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let url = format!("http://{}", config.bind);
        println!("\nOptovik is running at {url}  (database: {})", db.backend().name());
        if demo_logins {
            print_logins(Some(&url));
        } else if !has_admin {
            println!("No administrator yet: create one with `optovik invite EMAIL --role admin`.\n");
        }
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                portal::web::app(state),
                async {
                    let _ = tokio::signal::ctrl_c().await;
                },
                Some(std::time::Duration::from_secs(10)),
            )
            .await?;
        Ok(())
    })
}

fn print_logins(url: Option<&str>) {
    if let Some(url) = url {
        println!("Open {url}/login and sign in with a demo login:");
    } else {
        println!("Demo logins:");
    }
    for (email, password, role, note) in portal::demo::DEMO_LOGINS {
        let note = if note.is_empty() { String::new() } else { format!(" ({note})") };
        println!("  {email:<24} {password:<14} {role}{note}");
    }
    println!("Demo mode: remove these logins with `optovik demo --remove` before serving customers.");
    println!("API docs: /api/docs   OpenAPI: /api/openapi.json\n");
}
