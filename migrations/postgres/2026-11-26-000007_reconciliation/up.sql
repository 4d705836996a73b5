-- The part of a line's reservation that the portal itself holds against
-- offers.reserved: all of it until the ERP acknowledges the order; nothing
-- after that when the ERP's stock figures are free stock (it then holds the
-- goods itself).
ALTER TABLE order_lines ADD COLUMN held BIGINT NOT NULL DEFAULT 0;
UPDATE order_lines SET held = reserved;
