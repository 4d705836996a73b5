-- When an offer that is out of stock is expected (the ERP's stock list or
-- the API), shown beside "none" and on backordered lines.
ALTER TABLE offers ADD COLUMN expected_at DATE;

-- A buyer waiting for an offer to be back in stock; removed once told.
CREATE TABLE stock_subscriptions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offer_id BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, offer_id)
);
CREATE INDEX stock_subscriptions_offer ON stock_subscriptions (offer_id);

-- Goods staff watch: an alert when what is available falls below the
-- threshold (once, until it rises to the threshold again).
CREATE TABLE stock_watches (
    offer_id BIGINT PRIMARY KEY NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    threshold BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    alerted_at TIMESTAMP
);
