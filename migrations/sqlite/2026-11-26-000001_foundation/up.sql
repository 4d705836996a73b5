-- Foundation: settings, accounts, catalog, prices and stock (SQLite).
-- Kept in step with ../../postgres/2026-11-26-000001_foundation/up.sql.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE price_types (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id  TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    currency     TEXT NOT NULL DEFAULT 'RUB',
    vat_included BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE warehouses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id TEXT NOT NULL UNIQUE,
    parent_id   BIGINT REFERENCES categories (id),
    name        TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id   TEXT NOT NULL UNIQUE,
    category_id   BIGINT REFERENCES categories (id),
    sku           TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT 'шт',
    fractional    BOOLEAN NOT NULL DEFAULT 0,
    vat_rate      INTEGER,
    properties    TEXT NOT NULL DEFAULT '[]',
    pack_multiple BIGINT NOT NULL DEFAULT 1000,
    min_order     BIGINT NOT NULL DEFAULT 1000,
    active        BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX products_category ON products (category_id);

-- The sellable unit. Quantities are thousandths of the product's unit.
CREATE TABLE offers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id     TEXT NOT NULL UNIQUE,
    product_id      BIGINT NOT NULL REFERENCES products (id),
    sku             TEXT NOT NULL,
    sku_key         TEXT NOT NULL,
    name            TEXT NOT NULL,
    characteristics TEXT NOT NULL DEFAULT '',
    barcode         TEXT,
    stock_total     BIGINT NOT NULL DEFAULT 0,
    reserved        BIGINT NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX offers_product ON offers (product_id);
CREATE INDEX offers_sku_key ON offers (sku_key);
CREATE INDEX offers_barcode ON offers (barcode);
CREATE INDEX offers_name ON offers (name);

CREATE TABLE prices (
    offer_id      BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    price_type_id BIGINT NOT NULL REFERENCES price_types (id),
    price_minor   BIGINT NOT NULL,
    PRIMARY KEY (offer_id, price_type_id)
);

CREATE TABLE stock (
    offer_id     BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    quantity     BIGINT NOT NULL,
    PRIMARY KEY (offer_id, warehouse_id)
);

CREATE TABLE companies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    external_id      TEXT UNIQUE,
    name             TEXT NOT NULL,
    inn              TEXT NOT NULL DEFAULT '',
    kpp              TEXT NOT NULL DEFAULT '',
    legal_address    TEXT NOT NULL DEFAULT '',
    delivery_address TEXT NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    company_id    BIGINT REFERENCES companies (id),
    locale        TEXT NOT NULL DEFAULT 'ru',
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX users_company ON users (company_id);

CREATE TABLE contracts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    company_id    BIGINT NOT NULL REFERENCES companies (id),
    number        TEXT NOT NULL,
    price_type_id BIGINT NOT NULL REFERENCES price_types (id),
    discount_bp   INTEGER NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL DEFAULT 'RUB',
    deferral_days INTEGER NOT NULL DEFAULT 0,
    manager_id    BIGINT REFERENCES users (id),
    active        BOOLEAN NOT NULL DEFAULT 1,
    UNIQUE (company_id, number)
);
CREATE INDEX contracts_manager ON contracts (manager_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX api_tokens_expires ON api_tokens (expires_at);

-- A lease per scheduled job, so that with several instances one runs it at a
-- time, and each schedule tick runs once (last_tick).
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY NOT NULL,
    holder      TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    last_tick   TIMESTAMP NOT NULL
);
