//! The few statements whose SQL differs between SQLite and PostgreSQL
//! (upserts, multi-row inserts). Each is an explicit `match` on the connection,
//! running the same typed query per backend; nothing else in the code base
//! looks at which backend it is on.

/// Runs `$body` with `$conn` bound to the concrete backend connection.
/// Used for statements the multi-connection enum cannot express.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}
