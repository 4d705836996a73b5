DROP TABLE stock_watches;
DROP TABLE stock_subscriptions;
ALTER TABLE offers DROP COLUMN expected_at;
