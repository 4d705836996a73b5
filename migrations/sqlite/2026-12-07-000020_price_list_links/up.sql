-- A buyer's permanent link to their price list, for their own systems to
-- fetch nightly: one per user, revocable; only the token's SHA-256 is kept.
CREATE TABLE price_list_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
