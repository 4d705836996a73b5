ALTER TABLE orders DROP COLUMN promo_code;
ALTER TABLE carts DROP COLUMN promo_code;
DROP TABLE promo_redemptions;
DROP TABLE promo_codes;
DROP TABLE discount_rules;
