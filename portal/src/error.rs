//! The portal's error type and its policy.
//!
//! - Expected outcomes (not found, invalid input, forbidden) are variants the web
//!   layer maps to 4xx with a message meant for the user.
//! - Everything else (database, pool, internal) becomes a 500 with a generic
//!   body — or a 503 with `Retry-After` when the database is out of reach
//!   for the moment; the cause is logged once, where it is turned into a
//!   response, and is never sent to the client.
//! - Not found is also what a user gets for another company's record, so that
//!   ids do not leak.

/// Result alias used across the portal.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[source] diesel::r2d2::PoolError),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// Maps diesel's `NotFound` to ours; other errors pass through.
    pub fn from_lookup(e: diesel::result::Error) -> Error {
        match e {
            diesel::result::Error::NotFound => Error::NotFound,
            other => Error::Db(other),
        }
    }

    /// Whether the database is out of reach (down, restarting, every
    /// connection busy): worth retrying in a few seconds — the web layer
    /// answers 503 with `Retry-After`.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error as DieselError};
        match self {
            Error::Pool(_) => true,
            Error::Db(DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => true,
            Error::Db(DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _)) => true,
            Error::Db(DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)) => {
                let message = info.message().to_lowercase();
                [
                    "terminating connection",
                    "server closed the connection",
                    "connection refused",
                    "the database system is",
                ]
                .iter()
                .any(|m| message.contains(m))
            }
            _ => false,
        }
    }

    /// Whether this is a failure of ours rather than of the request.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Config(_) | Error::Db(_) | Error::Pool(_) | Error::Internal(_))
    }
}
