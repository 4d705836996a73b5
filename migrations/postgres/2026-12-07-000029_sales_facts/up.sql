-- The lines of the orders that count as sales (not cancelled, returned,
-- lapsed or awaiting approval), with the order's date, company and manager
-- and the product's category beside each, so that a report by category or
-- product reads one index in order instead of joining a million lines to
-- their orders and sorting them. Kept in step by reports::facts::refresh
-- from orders.updated_at (every change to an order moves it).
CREATE TABLE sales_facts (
    order_line_id BIGINT PRIMARY KEY NOT NULL,
    order_id BIGINT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    company_id BIGINT NOT NULL,
    manager_id BIGINT,
    category_id BIGINT,
    offer_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL
);
CREATE INDEX sales_facts_order ON sales_facts (order_id);
CREATE INDEX sales_facts_category ON sales_facts (category_id, placed_at, company_id, amount_minor, quantity, order_id);
-- The same per order and category (0: none), so that sales by category
-- count orders with COUNT(*) and read fewer rows.
CREATE TABLE sales_category_facts (
    order_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    company_id BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (order_id, category_id)
);
CREATE INDEX sales_category_facts_report ON sales_category_facts (category_id, placed_at, company_id, amount_minor);
CREATE INDEX sales_facts_offer ON sales_facts (offer_id, placed_at, company_id, amount_minor, quantity);
-- Sales by month, customer and manager read the orders themselves.
CREATE INDEX orders_sales ON orders (placed_at, status, company_id, manager_id, total_minor);
CREATE INDEX orders_updated ON orders (updated_at);
-- Customers who stopped buying (each company's orders in order), and the
-- sales of a manager's companies without reading the orders themselves.
CREATE INDEX orders_company_status ON orders (company_id, status, placed_at, manager_id, total_minor);
