-- Sales summed per month (yyyymm), company and offer, and per month, company
-- and category (0: none; `orders` counts the orders with lines in it), so
-- that a report over a year reads the whole months from a few sums per
-- company instead of every line; the days at the period's edges still read
-- sales_facts, by date. Kept in step with sales_facts by
-- reports::facts::refresh, which redoes each changed company and month.
-- Keyed by offer first: a report reads it in that order and sums each
-- offer's months without sorting; a refresh deletes a company month's rows
-- by their keys.
CREATE TABLE sales_month_offer_facts (
    offer_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (offer_id, month, company_id)
);
CREATE TABLE sales_month_category_facts (
    month BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (month, company_id, category_id)
);
CREATE INDEX sales_month_category_facts_report ON sales_month_category_facts (category_id, month, company_id, orders, amount_minor);
-- A company month's lines, to sum them again.
CREATE INDEX sales_facts_company ON sales_facts (company_id, placed_at, offer_id, category_id, order_id, quantity, amount_minor);
-- The period's edges: the lines and the per-category sums by date.
CREATE INDEX sales_facts_placed ON sales_facts (placed_at, company_id, offer_id, amount_minor, quantity);
CREATE INDEX sales_category_facts_placed ON sales_category_facts (placed_at, company_id, category_id, amount_minor);
-- The monthly sums start empty: the next refresh redoes every order.
DELETE FROM settings WHERE key = 'sales_facts_synced_at';
