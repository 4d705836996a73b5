-- Discount rules: conditions (validity, order amount, quantity of a product
-- or category, customer group, contract, the n-th order within N days) and
-- one effect (percent or fixed amount on the matching lines or the whole
-- order, or a gift line). A rule marked promo_only applies only while one
-- of its promo codes is entered. Promo codes count their uses (all and per
-- company); each redemption is kept with its order. Carts keep the code the
-- buyer entered; orders the code they used.
CREATE TABLE discount_rules (
    id BIGSERIAL PRIMARY KEY,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    valid_from DATE,
    valid_to DATE,
    min_order_minor BIGINT,
    product_id BIGINT REFERENCES products (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES categories (id) ON DELETE CASCADE,
    min_quantity BIGINT,
    group_id BIGINT REFERENCES customer_groups (id) ON DELETE CASCADE,
    contract_id BIGINT REFERENCES contracts (id) ON DELETE CASCADE,
    nth_order INTEGER,
    within_days INTEGER,
    effect TEXT NOT NULL,
    applies_to TEXT NOT NULL DEFAULT 'lines',
    value BIGINT NOT NULL DEFAULT 0,
    gift_offer_id BIGINT REFERENCES offers (id) ON DELETE CASCADE,
    gift_quantity BIGINT NOT NULL DEFAULT 0,
    promo_only BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (effect IN ('percent', 'fixed', 'gift')),
    CHECK (applies_to IN ('lines', 'order')),
    CHECK (value >= 0 AND (effect <> 'percent' OR value <= 10000)),
    CHECK (effect <> 'gift' OR (gift_offer_id IS NOT NULL AND gift_quantity > 0)),
    CHECK (nth_order IS NULL OR nth_order >= 1),
    CHECK (within_days IS NULL OR within_days >= 1),
    CHECK (min_quantity IS NULL OR min_quantity > 0),
    CHECK (min_order_minor IS NULL OR min_order_minor >= 0)
);
CREATE TABLE promo_codes (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    rule_id BIGINT NOT NULL REFERENCES discount_rules (id) ON DELETE CASCADE,
    valid_from DATE,
    valid_to DATE,
    max_uses INTEGER,
    max_uses_per_company INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (uses >= 0),
    CHECK (max_uses IS NULL OR max_uses >= 1),
    CHECK (max_uses_per_company IS NULL OR max_uses_per_company >= 1)
);
CREATE TABLE promo_redemptions (
    id BIGSERIAL PRIMARY KEY,
    promo_code_id BIGINT NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX promo_redemptions_code_company ON promo_redemptions (promo_code_id, company_id);
ALTER TABLE carts ADD COLUMN promo_code TEXT;
ALTER TABLE orders ADD COLUMN promo_code TEXT;
