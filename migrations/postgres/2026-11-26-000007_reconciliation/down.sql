ALTER TABLE order_lines DROP COLUMN held;
