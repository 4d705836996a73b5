-- The journal of job and exchange runs: what ran, why, what it read, what it
-- changed, what went wrong and how long it took. (SQLite; the PostgreSQL twin differs only in the id column.)
CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    job         TEXT NOT NULL,
    triggered_by TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    counts      TEXT NOT NULL DEFAULT '{}',
    errors      TEXT NOT NULL DEFAULT '[]',
    files       TEXT NOT NULL DEFAULT '[]',
    duration_ms BIGINT
);
CREATE INDEX sync_runs_job ON sync_runs (job, id);
