//! Shared by the benchmarks: a generated catalog in the shape of a 1C export
//! (categories, products, offers with barcodes, three price types, stock in
//! three warehouses), kept in `target/bench` between runs.

use std::time::Instant;

use diesel::Connection;
use portal::catalog::write::{
    set_price, set_stock, upsert_category, upsert_offer, upsert_product, OfferData, ProductData,
};
use portal::db::{Db, DbConn};

pub const KINDS: [(&str, &str); 12] = [
    ("BLT", "Болт DIN 933 М{a}х{b} оцинкованный"),
    ("GKA", "Гайка DIN 934 М{a} оцинкованная"),
    ("SHB", "Шайба плоская DIN 125 М{a}"),
    ("SMR", "Саморез по металлу {a}х{b} с прессшайбой"),
    ("DUB", "Дюбель распорный {a}х{b} нейлон"),
    ("ANK", "Анкер клиновой М{a}х{b}"),
    ("SVR", "Сверло по металлу HSS {a},{b} мм"),
    ("BUR", "Бур SDS-plus {a}х{b} мм"),
    ("KAB", "Кабель ВВГнг(А)-LS {a}х{b} мм²"),
    ("AVT", "Автоматический выключатель ВА47-29 {a}P {b}А"),
    ("KRN", "Кран шаровой латунный {a}/{b}\" ВР-ВР"),
    ("PRT", "Перчатки нитриловые {a} серия {b}"),
];

pub fn generate(conn: &mut DbConn, offers: usize) -> portal::Result<()> {
    let (pt_base, _) = portal::catalog::write::upsert_price_type(conn, "bench-base", "Базовая", true)?;
    let (pt_opt, _) = portal::catalog::write::upsert_price_type(conn, "bench-opt", "Оптовая", true)?;
    let (pt_dlr, _) = portal::catalog::write::upsert_price_type(conn, "bench-dlr", "Дилерская", true)?;
    let warehouses: Vec<i64> = (0..3)
        .map(|w| {
            portal::catalog::write::upsert_warehouse(conn, &format!("bench-wh-{w}"), &format!("Склад {w}")).map(|r| r.0)
        })
        .collect::<portal::Result<_>>()?;
    let mut categories = Vec::new();
    for (i, (code, _)) in KINDS.iter().enumerate() {
        let (root, _) = upsert_category(conn, &format!("bench-{code}"), None, code, i as i32)?;
        for sub in 0..5 {
            let (id, _) =
                upsert_category(conn, &format!("bench-{code}-{sub}"), Some(root), &format!("{code} {sub}"), sub)?;
            categories.push(id);
        }
    }
    for n in 0..offers {
        let (code, template) = KINDS[n % KINDS.len()];
        let (a, b) = (4 + (n / 12) % 20, 10 + (n / 240) % 400);
        let sku = format!("{code}-{n:06}");
        let name = template.replace("{a}", &a.to_string()).replace("{b}", &b.to_string());
        let (product_id, _) = upsert_product(
            conn,
            &ProductData {
                external_id: format!("bench-{n}"),
                category_id: Some(categories[(n % KINDS.len()) * 5 + (n / 12) % 5]),
                sku: sku.clone(),
                name: name.clone(),
                description: String::new(),
                unit: "шт".into(),
                fractional: false,
                vat_rate: Some(20),
                properties: bench_properties(n, a),
                pack_multiple: 1000,
                min_order: 1000,
                active: true,
                weight_grams: None,
            },
        )?;
        let (offer_id, _) = upsert_offer(
            conn,
            &OfferData {
                external_id: format!("bench-{n}"),
                product_id,
                sku,
                name,
                characteristics: String::new(),
                barcode: Some(format!("46{n:011}")),
                active: true,
            },
        )?;
        let price = 1_000 + (n as i64 * 7919) % 500_000;
        for (pt, factor) in [(pt_base, 100), (pt_opt, 90), (pt_dlr, 80)] {
            set_price(conn, offer_id, pt, price * factor / 100)?;
        }
        for (i, w) in warehouses.iter().enumerate() {
            set_stock(conn, offer_id, *w, ((n * 31 + i * 17) % 200) as i64 * 1000)?;
        }
        if n % 10_000 == 9_999 {
            portal::catalog::write::catalog_changed(conn)?;
            eprintln!("  generated {} offers", n + 1);
        }
    }
    Ok(())
}

/// Properties in the shape of a fastener catalog's, for facets: a strength
/// class (4 values), a coating (3), a diameter in mm (20) and a pack size.
fn bench_properties(n: usize, diameter: usize) -> String {
    let class = ["5.8", "8.8", "10.9", "12.9"][n % 4];
    let coating = ["цинк", "без покрытия", "горячий цинк"][(n / 4) % 3];
    let pack = ["100 шт", "500 шт", "1000 шт"][(n / 7) % 3];
    serde_json::json!([
        ["Класс прочности", class],
        ["Покрытие", coating],
        ["Диаметр", format!("{diameter} мм")],
        ["Фасовка", pack]
    ])
    .to_string()
}

/// Opens (and on first use fills) the benchmark database with `offers` offers
/// plus the demo data (logins, contracts).
pub fn bench_db(offers: usize) -> anyhow::Result<Db> {
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            std::fs::create_dir_all("target/bench")?;
            // v2: products carry properties (facets).
            format!("target/bench/catalog-v2-{offers}.db")
        }
    };
    let db = Db::connect(&url, 20)?;
    let mut conn = db.conn()?;
    let have: i64 = {
        use diesel::prelude::*;
        portal::db::schema::offers::table.count().get_result(&mut *conn)?
    };
    if have < offers as i64 {
        eprintln!("generating {offers} offers into {url} (once)…");
        let started = Instant::now();
        conn.transaction::<_, portal::Error, _>(|c| generate(c, offers))?;
        portal::demo::load(&mut conn)?;
        eprintln!("  done in {:.1?}", started.elapsed());
    }
    drop(conn);
    Ok(db)
}
