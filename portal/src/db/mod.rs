//! Database access: the connection enum over SQLite and PostgreSQL, the r2d2
//! pool, migrations, and the one helper that runs blocking diesel work off the
//! async runtime. Nothing outside `db` opens connections or picks a backend.

pub mod backend;
mod migrate;
pub mod recent;
pub mod schema;
pub mod stored_id;
pub mod stored_text;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool};
use diesel::{PgConnection, SqliteConnection};

use crate::error::{Error, Result};

/// A connection to whichever backend the configuration chose.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `work` in a write transaction: `BEGIN IMMEDIATE` on SQLite, so that
/// concurrent writers queue on the busy timeout instead of failing when a
/// read lock cannot be upgraded; an ordinary transaction on PostgreSQL (and a
/// savepoint when already inside a transaction).
pub fn write_transaction<T>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    match AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
        Ok(()) => {}
        Err(diesel::result::Error::AlreadyInTransaction) => return conn.transaction(work),
        Err(e) => return Err(e.into()),
    }
    match work(conn) {
        Ok(value) => {
            <DbConn as TransactionManager<DbConn>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Runs a bulk write (an import) with a larger page cache on SQLite, so a
/// transaction touching hundreds of thousands of rows does not spill pages
/// to the log midway; the connection's usual cache comes back afterwards.
/// PostgreSQL needs nothing of the kind.
pub fn bulk<T>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    use diesel::RunQueryDsl;
    if matches!(conn, DbConn::Postgres(_)) {
        return work(conn);
    }
    /// KiB of page cache for a bulk write (SQLite's default is 2 MiB).
    const BULK_CACHE_KIB: i64 = 96 * 1024;
    diesel::sql_query(format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")).execute(conn)?;
    let outcome = work(conn);
    diesel::sql_query("PRAGMA cache_size = -2000").execute(conn)?;
    outcome
}

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where to connect, parsed from `DATABASE_URL`.
#[derive(Debug, Clone)]
pub struct DbTarget {
    pub backend: Backend,
    /// For SQLite a file path (or `:memory:`), for PostgreSQL the URL.
    pub location: String,
}

impl DbTarget {
    /// `postgres://…` / `postgresql://…` is PostgreSQL; `sqlite://path` or a bare
    /// path is SQLite. The backend is chosen here, never by trial connection.
    pub fn parse(url: &str) -> DbTarget {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return DbTarget { backend: Backend::Postgres, location: url.to_string() };
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        DbTarget { backend: Backend::Sqlite, location: path.to_string() }
    }
}

/// Builds connections for the pool, with the per-connection SQLite pragmas.
#[derive(Debug, Clone)]
pub struct Manager {
    target: DbTarget,
}

/// Why a pooled connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect to {backend}: {source}")]
    Connect { backend: &'static str, source: ConnectionError },
    #[error("cannot prepare connection: {0}")]
    Setup(#[from] diesel::result::Error),
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> std::result::Result<DbConn, ConnectError> {
        let backend = self.target.backend.name();
        match self.target.backend {
            Backend::Postgres => PgConnection::establish(&self.target.location)
                .map(DbConn::Postgres)
                .map_err(|source| ConnectError::Connect { backend, source }),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target.location)
                    .map_err(|source| ConnectError::Connect { backend, source })?;
                // The page size only takes on a new, empty database (before WAL
                // mode writes its header); an existing one keeps its own.
                // The busy timeout comes first: switching a new database to WAL
                // takes a lock that another connection opening at the same
                // moment must wait for, not fail on ("database is locked").
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// A PostgreSQL connection is tried on every checkout (the server may
    /// have restarted); an SQLite file cannot go away under an open handle.
    fn is_valid(&self, conn: &mut DbConn) -> std::result::Result<(), ConnectError> {
        match conn {
            DbConn::Postgres(conn) => conn.batch_execute("SELECT 1").map_err(ConnectError::Setup),
            DbConn::Sqlite(_) => Ok(()),
        }
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// The shared pool handle; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// One permit per pooled connection: async callers queue here, without a
    /// thread of their own, until a connection is free (see `run`).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// Moves on every write this process makes (see `note_write`); answers
    /// kept in memory are only trusted under the generation they were read in.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Db {
    /// Opens the pool (creating the SQLite file's folder) and runs migrations.
    pub fn connect(url: &str, max_size: u32) -> Result<Db> {
        let target = DbTarget::parse(url);
        if target.backend == Backend::Sqlite && target.location != ":memory:" {
            if let Some(dir) = Path::new(&target.location).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| Error::Config(format!("cannot create {}: {e}", dir.display())))?;
                }
            }
        }
        let backend = target.backend;
        // Check the target once by hand so the real error reaches the user.
        let manager = Manager { target };
        manager.connect().map_err(|e| Error::Config(e.to_string()))?;
        let pool = Pool::builder()
            .max_size(max_size)
            // Requests wait this long for a connection while the database is
            // out of reach, then get a 503 (see `Error::is_unavailable`).
            .connection_timeout(Duration::from_secs(5))
            .build(manager)
            .map_err(|e| Error::Config(format!("database pool: {e}")))?;
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(max_size as usize));
        let db = Db { pool, backend, permits, generation: Default::default() };
        migrate::run(&mut *db.conn()?)?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Says this process has written (a form or API call that changes
    /// something, an import, the 1C exchange): every answer kept in memory
    /// from before is dropped (`recent::Recent`).
    pub fn note_write(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The write generation; read it *before* the database, so an answer
    /// read while a write lands is kept under the older generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A pooled connection for blocking code (CLI, jobs already off the runtime).
    pub fn conn(&self) -> Result<r2d2::PooledConnection<Manager>> {
        self.pool.get().map_err(Error::Pool)
    }

    /// Runs blocking diesel work on the blocking pool, carrying the tracing
    /// span. Callers first wait (as async tasks, holding no thread) for one of
    /// as many permits as the pool has connections, so however many requests
    /// arrive, the blocking threads doing database work stay at the pool's size.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("database permits closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _entered = span.enter();
            let mut conn = pool.get().map_err(Error::Pool)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }
}
