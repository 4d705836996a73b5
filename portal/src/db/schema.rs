//! The one diesel schema shared by both backends. The SQL lives in
//! `migrations/sqlite` and `migrations/postgres`; this file must match both.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    price_types (id) {
        id -> BigInt,
        external_id -> Text,
        name -> Text,
        currency -> Text,
        vat_included -> Bool,
    }
}

diesel::table! {
    warehouses (id) {
        id -> BigInt,
        external_id -> Text,
        name -> Text,
        active -> Bool,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        external_id -> Text,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        sort_order -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        external_id -> Text,
        category_id -> Nullable<BigInt>,
        sku -> Text,
        name -> Text,
        description -> Text,
        unit -> Text,
        fractional -> Bool,
        vat_rate -> Nullable<Integer>,
        properties -> Text,
        pack_multiple -> BigInt,
        min_order -> BigInt,
        active -> Bool,
    }
}

diesel::table! {
    offers (id) {
        id -> BigInt,
        external_id -> Text,
        product_id -> BigInt,
        sku -> Text,
        sku_key -> Text,
        name -> Text,
        characteristics -> Text,
        barcode -> Nullable<Text>,
        stock_total -> BigInt,
        reserved -> BigInt,
        active -> Bool,
    }
}

diesel::table! {
    prices (offer_id, price_type_id) {
        offer_id -> BigInt,
        price_type_id -> BigInt,
        price_minor -> BigInt,
    }
}

diesel::table! {
    stock (offer_id, warehouse_id) {
        offer_id -> BigInt,
        warehouse_id -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    companies (id) {
        id -> BigInt,
        external_id -> Nullable<Text>,
        name -> Text,
        inn -> Text,
        kpp -> Text,
        legal_address -> Text,
        delivery_address -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        name -> Text,
        role -> Text,
        company_id -> Nullable<BigInt>,
        locale -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contracts (id) {
        id -> BigInt,
        company_id -> BigInt,
        number -> Text,
        price_type_id -> BigInt,
        discount_bp -> Integer,
        currency -> Text,
        deferral_days -> Integer,
        manager_id -> Nullable<BigInt>,
        active -> Bool,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
        last_tick -> Timestamp,
    }
}

diesel::joinable!(products -> categories (category_id));
diesel::joinable!(offers -> products (product_id));
diesel::joinable!(prices -> offers (offer_id));
diesel::joinable!(prices -> price_types (price_type_id));
diesel::joinable!(stock -> offers (offer_id));
diesel::joinable!(stock -> warehouses (warehouse_id));
diesel::joinable!(users -> companies (company_id));
diesel::joinable!(contracts -> companies (company_id));
diesel::joinable!(contracts -> price_types (price_type_id));
diesel::joinable!(contracts -> users (manager_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    price_types,
    warehouses,
    categories,
    products,
    offers,
    prices,
    stock,
    companies,
    users,
    contracts,
    sessions,
    api_tokens,
    job_leases,
);
