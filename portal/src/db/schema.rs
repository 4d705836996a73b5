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
        import_hash -> Nullable<BigInt>,
        weight_grams -> Nullable<BigInt>,
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
        expected_at -> Nullable<Date>,
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
        rights -> Text,
        discount_limit_bp -> Nullable<Integer>,
        mailings -> Bool,
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
        credit_limit_minor -> BigInt,
        grace_days -> Integer,
        debit_on -> Text,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exchange_sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
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
diesel::joinable!(exchange_sessions -> users (user_id));

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    carts (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        is_current -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        promo_code -> Nullable<Text>,
    }
}

diesel::table! {
    cart_lines (id) {
        id -> BigInt,
        cart_id -> BigInt,
        offer_id -> BigInt,
        quantity -> BigInt,
        price_at_add -> Nullable<BigInt>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        number -> Text,
        company_id -> BigInt,
        user_id -> BigInt,
        contract_id -> BigInt,
        manager_id -> Nullable<BigInt>,
        status -> Text,
        delivery_address -> Text,
        desired_date -> Nullable<Date>,
        po_number -> Text,
        comment -> Text,
        currency -> Text,
        total_minor -> BigInt,
        vat_minor -> BigInt,
        reservation_deadline -> Nullable<Timestamp>,
        placed_at -> Timestamp,
        updated_at -> Timestamp,
        sync_state -> Text,
        erp_number -> Nullable<Text>,
        locale -> Text,
        paid_minor -> BigInt,
        reservation_warned_at -> Nullable<Timestamp>,
        delivery_method_id -> Nullable<BigInt>,
        payment_method_id -> Nullable<BigInt>,
        delivery_minor -> BigInt,
        delivery_vat_minor -> BigInt,
        prepayment_minor -> BigInt,
        promo_code -> Nullable<Text>,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        order_id -> BigInt,
        line_no -> Integer,
        offer_id -> BigInt,
        sku -> Text,
        name -> Text,
        unit -> Text,
        quantity -> BigInt,
        reserved -> BigInt,
        backordered -> BigInt,
        shipped -> BigInt,
        price_minor -> BigInt,
        held -> BigInt,
        vat_rate -> Nullable<Integer>,
        amount_minor -> BigInt,
        vat_minor -> BigInt,
        adjustments -> Text,
    }
}

diesel::table! {
    order_events (id) {
        id -> BigInt,
        order_id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        actor_user_id -> Nullable<BigInt>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        comment -> Text,
        details -> Text,
        right_used -> Nullable<Text>,
    }
}

diesel::table! {
    invoices (id) {
        id -> BigInt,
        number -> BigInt,
        order_id -> BigInt,
        issued_at -> Timestamp,
        valid_until -> Date,
        total_minor -> BigInt,
        locale -> Text,
        pdf -> Binary,
    }
}

diesel::table! {
    uploads (id) {
        id -> Text,
        user_id -> BigInt,
        cart_id -> BigInt,
        file_name -> Text,
        content -> Binary,
        header_row -> Nullable<Integer>,
        sku_column -> Nullable<Integer>,
        quantity_column -> Nullable<Integer>,
        created_at -> Timestamp,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        order_id -> Nullable<BigInt>,
        kind -> Text,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    shipments (id) {
        id -> BigInt,
        order_id -> BigInt,
        number -> Text,
        shipped_on -> Date,
        created_at -> Timestamp,
        actor -> Text,
        actor_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    shipment_lines (id) {
        id -> BigInt,
        shipment_id -> BigInt,
        order_line_id -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        amount_minor -> BigInt,
        paid_on -> Date,
        document_number -> Text,
        created_at -> Timestamp,
        actor -> Text,
        actor_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        to_address -> Text,
        kind -> Text,
        subject -> Text,
        body -> Text,
        message_id -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    password_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sync_runs (id) {
        id -> BigInt,
        job -> Text,
        triggered_by -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        status -> Text,
        summary -> Text,
        counts -> Text,
        errors -> Text,
        files -> Text,
        duration_ms -> Nullable<BigInt>,
        holder -> Nullable<Text>,
    }
}

diesel::table! {
    exchange_files (session, name) {
        session -> Text,
        name -> Text,
        content -> Binary,
        updated_at -> Timestamp,
        size -> BigInt,
    }
}

diesel::table! {
    exchange_chunks (session, name, seq) {
        session -> Text,
        name -> Text,
        seq -> Integer,
        content -> Binary,
    }
}

diesel::table! {
    exchange_imports (session, name) {
        session -> Text,
        name -> Text,
        status -> Text,
        message -> Text,
        run_id -> Nullable<BigInt>,
        holder -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exchange_queries (session) {
        session -> Text,
        order_ids -> Text,
        as_of -> Timestamp,
    }
}

diesel::joinable!(password_tokens -> users (user_id));
diesel::joinable!(shipments -> orders (order_id));
diesel::joinable!(shipment_lines -> shipments (shipment_id));
diesel::joinable!(shipment_lines -> order_lines (order_line_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(carts -> users (user_id));
diesel::joinable!(cart_lines -> carts (cart_id));
diesel::joinable!(cart_lines -> offers (offer_id));
diesel::joinable!(orders -> companies (company_id));
diesel::joinable!(orders -> contracts (contract_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(order_lines -> offers (offer_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(invoices -> orders (order_id));
diesel::joinable!(uploads -> carts (cart_id));
diesel::joinable!(notifications -> orders (order_id));

diesel::table! {
    order_deliveries (order_id, channel) {
        order_id -> BigInt,
        channel -> Text,
        version -> Timestamp,
        delivered_at -> Timestamp,
    }
}

diesel::joinable!(order_deliveries -> orders (order_id));

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        contract_id -> BigInt,
        kind -> Text,
        number -> Text,
        entry_date -> Date,
        debit_minor -> BigInt,
        credit_minor -> BigInt,
        due_date -> Nullable<Date>,
        order_id -> Nullable<BigInt>,
        source -> Text,
        updated_at -> Timestamp,
        reminded -> Text,
    }
}

diesel::table! {
    contract_balances (contract_id) {
        contract_id -> BigInt,
        balance_minor -> BigInt,
        as_of -> Date,
        received_at -> Timestamp,
    }
}

diesel::joinable!(ledger_entries -> contracts (contract_id));
diesel::joinable!(contract_balances -> contracts (contract_id));

diesel::table! {
    closing_documents (id) {
        id -> BigInt,
        company_id -> BigInt,
        contract_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        kind -> Text,
        number -> Text,
        document_date -> Date,
        reference -> Text,
        file_name -> Text,
        format -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        content -> Binary,
        received_at -> Timestamp,
    }
}

diesel::joinable!(closing_documents -> companies (company_id));
diesel::joinable!(closing_documents -> orders (order_id));

diesel::table! {
    customer_groups (id) {
        id -> BigInt,
        name -> Text,
        colour -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    company_groups (company_id, group_id) {
        company_id -> BigInt,
        group_id -> BigInt,
    }
}

diesel::table! {
    assortment_rules (id) {
        id -> BigInt,
        company_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        effect -> Text,
        category_id -> Nullable<BigInt>,
        product_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    price_breaks (offer_id, price_type_id, min_quantity) {
        offer_id -> BigInt,
        price_type_id -> BigInt,
        min_quantity -> BigInt,
        price_minor -> BigInt,
    }
}

diesel::joinable!(company_groups -> customer_groups (group_id));
diesel::joinable!(company_groups -> companies (company_id));
diesel::joinable!(price_breaks -> offers (offer_id));
diesel::joinable!(delivery_payment_methods -> payment_methods (payment_method_id));
diesel::joinable!(delivery_payment_methods -> delivery_methods (delivery_method_id));

diesel::table! {
    payment_methods (id) {
        id -> BigInt,
        code -> Text,
        name_ru -> Text,
        name_en -> Text,
        prepayment_bp -> Integer,
        active -> Bool,
        sort_order -> Integer,
    }
}

diesel::table! {
    delivery_methods (id) {
        id -> BigInt,
        code -> Text,
        kind -> Text,
        name_ru -> Text,
        name_en -> Text,
        fixed_minor -> BigInt,
        per_kg_minor -> BigInt,
        free_from_minor -> Nullable<BigInt>,
        lead_days -> Integer,
        vat_rate -> Nullable<Integer>,
        active -> Bool,
        sort_order -> Integer,
    }
}

diesel::table! {
    delivery_payment_methods (delivery_method_id, payment_method_id) {
        delivery_method_id -> BigInt,
        payment_method_id -> BigInt,
    }
}

diesel::table! {
    discount_rules (id) {
        id -> BigInt,
        name_ru -> Text,
        name_en -> Text,
        active -> Bool,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        min_order_minor -> Nullable<BigInt>,
        product_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        min_quantity -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        contract_id -> Nullable<BigInt>,
        nth_order -> Nullable<Integer>,
        within_days -> Nullable<Integer>,
        effect -> Text,
        applies_to -> Text,
        value -> BigInt,
        gift_offer_id -> Nullable<BigInt>,
        gift_quantity -> BigInt,
        promo_only -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    promo_codes (id) {
        id -> BigInt,
        code -> Text,
        rule_id -> BigInt,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        max_uses -> Nullable<Integer>,
        max_uses_per_company -> Nullable<Integer>,
        uses -> Integer,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    promo_redemptions (id) {
        id -> BigInt,
        promo_code_id -> BigInt,
        company_id -> BigInt,
        order_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(promo_codes -> discount_rules (rule_id));
diesel::joinable!(promo_redemptions -> promo_codes (promo_code_id));

diesel::table! {
    price_list_links (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    media_files (hash) {
        hash -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        content -> Binary,
        thumb -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    product_media (product_id, kind, position) {
        product_id -> BigInt,
        kind -> Text,
        position -> Integer,
        hash -> Text,
        name -> Text,
    }
}

diesel::table! {
    customer_codes (company_id, code_key) {
        company_id -> BigInt,
        code_key -> Text,
        code -> Text,
        offer_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stock_subscriptions (user_id, offer_id) {
        user_id -> BigInt,
        offer_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stock_watches (offer_id) {
        offer_id -> BigInt,
        threshold -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        alerted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(stock_subscriptions -> offers (offer_id));
diesel::joinable!(stock_subscriptions -> users (user_id));
diesel::joinable!(stock_watches -> offers (offer_id));
diesel::joinable!(stock_watches -> users (user_id));
diesel::joinable!(customer_codes -> offers (offer_id));
diesel::joinable!(customer_codes -> companies (company_id));
diesel::joinable!(product_media -> products (product_id));
diesel::joinable!(product_media -> media_files (hash));

diesel::table! {
    status_names (status, locale) {
        status -> Text,
        locale -> Text,
        name -> Text,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        company_id -> BigInt,
        order_id -> Nullable<BigInt>,
        author_id -> BigInt,
        from_supplier -> Bool,
        body -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    message_attachments (id) {
        id -> BigInt,
        message_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        content -> Binary,
    }
}

diesel::joinable!(messages -> users (author_id));
diesel::joinable!(message_attachments -> messages (message_id));

diesel::table! {
    announcements (id) {
        id -> BigInt,
        title_ru -> Text,
        body_ru -> Text,
        title_en -> Text,
        body_en -> Text,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        pinned -> Bool,
        audience -> Text,
        group_id -> Nullable<BigInt>,
        emailed -> Bool,
        author_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    announcement_companies (announcement_id, company_id) {
        announcement_id -> BigInt,
        company_id -> BigInt,
    }
}

diesel::table! {
    unsubscribe_links (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(announcement_companies -> announcements (announcement_id));
diesel::joinable!(unsubscribe_links -> users (user_id));

diesel::table! {
    sales_facts (order_line_id) {
        order_line_id -> BigInt,
        order_id -> BigInt,
        placed_at -> Timestamp,
        company_id -> BigInt,
        manager_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        offer_id -> BigInt,
        quantity -> BigInt,
        amount_minor -> BigInt,
    }
}

diesel::table! {
    sales_category_facts (order_id, category_id) {
        order_id -> BigInt,
        category_id -> BigInt,
        placed_at -> Timestamp,
        company_id -> BigInt,
        amount_minor -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    sales_month_offer_facts (offer_id, month, company_id) {
        offer_id -> BigInt,
        month -> BigInt,
        company_id -> BigInt,
        quantity -> BigInt,
        amount_minor -> BigInt,
    }
}

diesel::table! {
    sales_month_category_facts (month, company_id, category_id) {
        month -> BigInt,
        company_id -> BigInt,
        category_id -> BigInt,
        orders -> BigInt,
        quantity -> BigInt,
        amount_minor -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    sales_month_offer_facts,
    sales_month_category_facts,
    sales_category_facts,
    sales_facts,
    announcements,
    announcement_companies,
    unsubscribe_links,
    messages,
    message_attachments,
    status_names,
    stock_subscriptions,
    stock_watches,
    customer_codes,
    media_files,
    product_media,
    price_list_links,
    discount_rules,
    promo_codes,
    promo_redemptions,
    settings,
    payment_methods,
    delivery_methods,
    delivery_payment_methods,
    customer_groups,
    company_groups,
    assortment_rules,
    price_breaks,
    closing_documents,
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
    exchange_sessions,
    job_leases,
    counters,
    carts,
    cart_lines,
    orders,
    order_lines,
    order_events,
    invoices,
    uploads,
    notifications,
    shipments,
    shipment_lines,
    payments,
    email_outbox,
    password_tokens,
    sync_runs,
    exchange_chunks,
    exchange_files,
    exchange_imports,
    exchange_queries,
    order_deliveries,
    ledger_entries,
    contract_balances,
);
