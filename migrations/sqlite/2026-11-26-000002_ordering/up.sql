-- Ordering: carts, uploads, orders with reservations, events, invoices,
-- notifications, and gap-free counters (SQLite).
-- Kept in step with ../../postgres/2026-11-26-000002_ordering/up.sql.

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('order', 0), ('invoice', 0);

CREATE TABLE carts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX carts_user ON carts (user_id);

CREATE TABLE cart_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cart_id      BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    offer_id     BIGINT NOT NULL REFERENCES offers (id),
    quantity     BIGINT NOT NULL,
    price_at_add BIGINT,
    added_at     TIMESTAMP NOT NULL,
    UNIQUE (cart_id, offer_id)
);

CREATE TABLE orders (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number               TEXT NOT NULL UNIQUE,
    company_id           BIGINT NOT NULL REFERENCES companies (id),
    user_id              BIGINT NOT NULL REFERENCES users (id),
    contract_id          BIGINT NOT NULL REFERENCES contracts (id),
    manager_id           BIGINT REFERENCES users (id),
    status               TEXT NOT NULL,
    delivery_address     TEXT NOT NULL,
    desired_date         DATE,
    po_number            TEXT NOT NULL DEFAULT '',
    comment              TEXT NOT NULL DEFAULT '',
    currency             TEXT NOT NULL DEFAULT 'RUB',
    total_minor          BIGINT NOT NULL,
    vat_minor            BIGINT NOT NULL,
    reservation_deadline TIMESTAMP,
    placed_at            TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    sync_state           TEXT NOT NULL DEFAULT 'pending',
    erp_number           TEXT,
    locale               TEXT NOT NULL DEFAULT 'ru'
);
CREATE INDEX orders_company ON orders (company_id, placed_at);
CREATE INDEX orders_status ON orders (status);

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no      INTEGER NOT NULL,
    offer_id     BIGINT NOT NULL REFERENCES offers (id),
    sku          TEXT NOT NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    reserved     BIGINT NOT NULL,
    backordered  BIGINT NOT NULL,
    shipped      BIGINT NOT NULL DEFAULT 0,
    price_minor  BIGINT NOT NULL,
    vat_rate     INTEGER,
    amount_minor BIGINT NOT NULL,
    vat_minor    BIGINT NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX order_lines_offer ON order_lines (offer_id);

-- Append-only history of every change to an order.
CREATE TABLE order_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    order_id      BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at            TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    kind          TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    comment       TEXT NOT NULL DEFAULT '',
    details       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number      BIGINT NOT NULL UNIQUE,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    issued_at   TIMESTAMP NOT NULL,
    valid_until DATE NOT NULL,
    total_minor BIGINT NOT NULL,
    locale      TEXT NOT NULL,
    pdf         BLOB NOT NULL
);
CREATE INDEX invoices_order ON invoices (order_id);

-- An uploaded order file awaiting the buyer's review (kept in the database so
-- that any instance can apply it).
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cart_id         BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    file_name       TEXT NOT NULL,
    content         BLOB NOT NULL,
    header_row      INTEGER,
    sku_column      INTEGER,
    quantity_column INTEGER,
    created_at      TIMESTAMP NOT NULL,
    applied_at      TIMESTAMP
);
CREATE INDEX uploads_user ON uploads (user_id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    order_id   BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);
