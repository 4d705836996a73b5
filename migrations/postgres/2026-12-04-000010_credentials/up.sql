-- Sessions end after a period without use as well as at their absolute
-- expiry: last_seen_at is refreshed (at most once a minute) as the session
-- is used.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
UPDATE sessions SET last_seen_at = created_at;

-- 1C exchange sessions opened by checkauth: short-lived, valid only on
-- /exchange/1c (not API tokens). Only the SHA-256 of the token is stored.
CREATE TABLE exchange_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX exchange_sessions_expires ON exchange_sessions (expires_at);
CREATE INDEX exchange_sessions_user ON exchange_sessions (user_id);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX sessions_user ON sessions (user_id);
