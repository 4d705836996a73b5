-- The 1C "exchange with site" protocol: files uploaded in chunks per exchange
-- session, and the background imports of them (kept in the database so that
-- any instance can answer the next request). PostgreSQL twin of the SQLite file.
CREATE TABLE exchange_files (
    session    TEXT NOT NULL,
    name       TEXT NOT NULL,
    content    BYTEA NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session, name)
);

CREATE TABLE exchange_imports (
    session  TEXT NOT NULL,
    name     TEXT NOT NULL,
    status   TEXT NOT NULL,
    message  TEXT NOT NULL DEFAULT '',
    run_id   BIGINT,
    PRIMARY KEY (session, name)
);

-- Orders handed to the ERP by mode=query, marked sent on mode=success.
CREATE TABLE exchange_queries (
    session   TEXT PRIMARY KEY NOT NULL,
    order_ids TEXT NOT NULL,
    as_of     TIMESTAMP NOT NULL
);
