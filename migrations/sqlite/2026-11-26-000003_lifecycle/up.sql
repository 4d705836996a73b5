-- Order lifecycle: shipments, payments, reservation warnings, the email
-- outbox, and indexes for the manager's dashboard (SQLite).
-- Kept in step with ../../postgres/2026-11-26-000003_lifecycle/up.sql.

ALTER TABLE orders ADD COLUMN paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN reservation_warned_at TIMESTAMP;
CREATE INDEX orders_deadline ON orders (reservation_deadline);
CREATE INDEX orders_desired ON orders (desired_date);
CREATE INDEX order_lines_backordered ON order_lines (offer_id) WHERE backordered > 0;

CREATE TABLE shipments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    order_id      BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    number        TEXT NOT NULL,
    shipped_on    DATE NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id)
);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE shipment_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    shipment_id   BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    order_line_id BIGINT NOT NULL REFERENCES order_lines (id),
    quantity      BIGINT NOT NULL
);
CREATE INDEX shipment_lines_shipment ON shipment_lines (shipment_id);

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_minor    BIGINT NOT NULL,
    paid_on         DATE NOT NULL,
    document_number TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    actor           TEXT NOT NULL,
    actor_user_id   BIGINT REFERENCES users (id)
);
CREATE INDEX payments_order ON payments (order_id);

-- Emails waiting to be sent; a sender job delivers them with retries.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    to_address      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP,
    last_error      TEXT
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
