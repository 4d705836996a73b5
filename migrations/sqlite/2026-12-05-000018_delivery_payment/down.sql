ALTER TABLE orders DROP COLUMN prepayment_minor;
ALTER TABLE orders DROP COLUMN delivery_vat_minor;
ALTER TABLE orders DROP COLUMN delivery_minor;
ALTER TABLE orders DROP COLUMN payment_method_id;
ALTER TABLE orders DROP COLUMN delivery_method_id;
ALTER TABLE products DROP COLUMN weight_grams;
DROP TABLE delivery_payment_methods;
DROP TABLE delivery_methods;
DROP TABLE payment_methods;
