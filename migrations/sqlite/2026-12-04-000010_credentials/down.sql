DROP INDEX sessions_user;
DROP INDEX api_tokens_user;
DROP TABLE exchange_sessions;
ALTER TABLE sessions DROP COLUMN last_seen_at;
