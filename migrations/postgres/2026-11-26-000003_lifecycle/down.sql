DROP TABLE email_outbox;
DROP TABLE payments;
DROP TABLE shipment_lines;
DROP TABLE shipments;
DROP INDEX order_lines_backordered;
DROP INDEX orders_desired;
DROP INDEX orders_deadline;
ALTER TABLE orders DROP COLUMN reservation_warned_at;
ALTER TABLE orders DROP COLUMN paid_minor;
