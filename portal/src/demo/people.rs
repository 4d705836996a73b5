//! Demo companies, contracts and users. The logins here are a contract with
//! the README and with tools that drive the demo: keep them exactly.

use diesel::prelude::*;

use super::DemoSummary;
use crate::accounts::{CompanyId, NewCompany, NewContract, NewUser, Role};
use crate::db::schema::price_types;
use crate::db::DbConn;
use crate::error::Result;
use crate::settings;

/// (email, password, role, note) of every demo login, as printed on start.
pub const DEMO_LOGINS: [(&str, &str, Role, &str); 6] = [
    ("buyer@demo.example", "demo-buyer", Role::Buyer, "ООО «СтройМаркет»"),
    ("buyer2@demo.example", "demo-buyer", Role::Buyer, "ООО «ТехноСнаб»"),
    ("manager@demo.example", "demo-manager", Role::Manager, ""),
    ("manager2@demo.example", "demo-manager", Role::Manager, ""),
    ("admin@demo.example", "demo-admin", Role::Admin, ""),
    ("erp@demo.example", "demo-erp", Role::Erp, "machine user"),
];

/// Every account the demo creates (the printed logins and a third buyer).
pub const DEMO_EMAILS: [&str; 7] = [
    "buyer@demo.example",
    "buyer2@demo.example",
    "buyer3@demo.example",
    "manager@demo.example",
    "manager2@demo.example",
    "admin@demo.example",
    "erp@demo.example",
];

fn price_type(conn: &mut DbConn, external_id: &str) -> Result<i64> {
    Ok(price_types::table.filter(price_types::external_id.eq(external_id)).select(price_types::id).first(conn)?)
}

/// The demo supplier's requisites and bank details (for invoices).
const SUPPLIER: [(&str, &str); 11] = [
    (settings::SUPPLIER_NAME, "ООО «Оптовик-Снаб»"),
    (settings::SUPPLIER_INN, "7704123458"),
    (settings::SUPPLIER_KPP, "770401001"),
    (settings::SUPPLIER_ADDRESS, "119034, г. Москва, ул. Пречистенка, д. 10, стр. 2"),
    (settings::SUPPLIER_DIRECTOR, "Соколов А. В."),
    (settings::SUPPLIER_ACCOUNTANT, "Морозова Е. П."),
    (settings::BANK_NAME, "ПАО Сбербанк, г. Москва"),
    (settings::BANK_BIK, "044525225"),
    (settings::BANK_ACCOUNT, "40702810938000012345"),
    (settings::BANK_CORR_ACCOUNT, "30101810400000000225"),
    (settings::RESERVATION_DAYS, "3"),
];

/// Demo logins ended by `optovik demo --remove` get their published
/// passwords back when the demo is loaded again on purpose.
fn revive(conn: &mut DbConn) -> Result<()> {
    use crate::accounts::password;
    use crate::db::schema::users;
    let logins = DEMO_LOGINS.iter().map(|(email, password, _, _)| (*email, *password));
    for (email, secret) in logins.chain([("buyer3@demo.example", "demo-buyer")]) {
        let ended = users::table
            .filter(users::email.eq(email))
            .filter(users::password_hash.eq(password::UNUSABLE))
            .select(users::id)
            .first::<i64>(conn)
            .optional()?;
        if let Some(id) = ended {
            diesel::update(users::table.find(id))
                .set((users::password_hash.eq(password::hash(secret)?), users::active.eq(true)))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn load(conn: &mut DbConn, _summary: &mut DemoSummary) -> Result<()> {
    revive(conn)?;
    for (key, value) in SUPPLIER {
        if settings::get(conn, key)?.is_none() {
            settings::set(conn, key, value)?;
        }
    }
    let staff = |email, password, name, role| NewUser { email, password, name, role, company: None, locale: "ru" };
    let manager =
        staff("manager@demo.example", "demo-manager", "Ольга Смирнова", Role::Manager).insert_or_find(conn)?;
    let manager2 =
        staff("manager2@demo.example", "demo-manager", "Игорь Волков", Role::Manager).insert_or_find(conn)?;
    staff("admin@demo.example", "demo-admin", "Администратор", Role::Admin).insert_or_find(conn)?;
    staff("erp@demo.example", "demo-erp", "1С:Управление торговлей", Role::Erp).insert_or_find(conn)?;

    let stroymarket = NewCompany {
        external_id: Some("demo-company-1"),
        name: "ООО «СтройМаркет»",
        inn: "7701234564",
        kpp: "770101001",
        legal_address: "125009, г. Москва, ул. Тверская, д. 7, офис 12",
        delivery_address: "141006, Московская обл., г. Мытищи, Олимпийский пр-т, д. 29, склад 3",
    }
    .insert_or_find(conn)?;
    let technosnab = NewCompany {
        external_id: Some("demo-company-2"),
        name: "ООО «ТехноСнаб»",
        inn: "7802345670",
        kpp: "780201001",
        legal_address: "197022, г. Санкт-Петербург, Аптекарский пр-т, д. 18",
        delivery_address: "196240, г. Санкт-Петербург, Пулковское ш., д. 19, ворота 2",
    }
    .insert_or_find(conn)?;
    let petrov = NewCompany {
        external_id: Some("demo-company-3"),
        name: "ИП Петров Алексей Викторович",
        inn: "660700123456",
        kpp: "",
        legal_address: "620014, г. Екатеринбург, ул. Малышева, д. 51",
        delivery_address: "620014, г. Екатеринбург, ул. Малышева, д. 51",
    }
    .insert_or_find(conn)?;

    let wholesale = price_type(conn, "pt-wholesale")?;
    let dealer = price_type(conn, "pt-dealer")?;
    let base = price_type(conn, "pt-base")?;
    let contract = |company: CompanyId, number, price_type_id, discount_bp, deferral_days, manager| NewContract {
        company,
        number,
        price_type_id,
        discount_bp,
        deferral_days,
        manager: Some(manager),
    };
    contract(stroymarket, "ОПТ-2026/014", wholesale, 300, 14, manager).insert_or_find(conn)?;
    contract(technosnab, "ДЛР-2026/003", dealer, 0, 30, manager2).insert_or_find(conn)?;
    contract(petrov, "РЗН-2026/121", base, 500, 0, manager).insert_or_find(conn)?;

    let buyer = |email, name, company| NewUser {
        email,
        password: "demo-buyer",
        name,
        role: Role::Buyer,
        company: Some(company),
        locale: "ru",
    };
    buyer("buyer@demo.example", "Анна Кузнецова", stroymarket).insert_or_find(conn)?;
    buyer("buyer2@demo.example", "Сергей Иванов", technosnab).insert_or_find(conn)?;
    buyer("buyer3@demo.example", "Алексей Петров", petrov).insert_or_find(conn)?;
    Ok(())
}
