//! Embedded migrations, one tree per backend, run for the backend in use.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;
use crate::error::{Error, Result};

const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Applies every pending migration; a no-op on an up-to-date database.
pub fn run(conn: &mut DbConn) -> Result<()> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(|v| v.len()),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES).map(|v| v.len()),
    }
    .map_err(|e| Error::Internal(format!("migration failed: {e}")))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}
