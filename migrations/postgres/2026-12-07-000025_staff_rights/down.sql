ALTER TABLE order_events DROP COLUMN right_used;
ALTER TABLE users DROP COLUMN discount_limit_bp;
ALTER TABLE users DROP COLUMN rights;
