-- Customer groups (name, colour) that companies belong to, and the
-- assortment rules that narrow what a company or a group may see: hide a
-- category (with everything below it) or a product, or allow only the
-- categories and products listed. A rule targets exactly one company or
-- one group, and names exactly one category or one product.
CREATE TABLE customer_groups (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    colour TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE company_groups (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES customer_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (company_id, group_id)
);
CREATE INDEX company_groups_group ON company_groups (group_id);
CREATE TABLE assortment_rules (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT REFERENCES companies (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES customer_groups (id) ON DELETE CASCADE,
    effect TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id) ON DELETE CASCADE,
    product_id BIGINT REFERENCES products (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    CHECK ((company_id IS NULL) <> (group_id IS NULL)),
    CHECK ((category_id IS NULL) <> (product_id IS NULL)),
    CHECK (effect IN ('hide', 'allow'))
);
CREATE INDEX assortment_rules_company ON assortment_rules (company_id);
CREATE INDEX assortment_rules_group ON assortment_rules (group_id);
