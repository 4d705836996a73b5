//! Server-rendered pages. Each module is one screen: it gathers data through
//! domain operations and renders one template.

mod admin;
mod admin_terms;
mod announcements;
mod cart;
mod catalog;
mod charts;
mod closing_documents;
mod company;
mod customer_codes;
mod finance;
mod journal;
mod language;
mod login;
mod manage;
mod messages;
mod order_detail;
mod orders;
pub mod price_list;
mod product;
mod quick_order;
mod report_view;
mod reports;
mod upload;
mod upload_form;
pub(crate) mod view;

use poem::web::Redirect;
use poem::{get, handler, post, Route};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(home))
        .at("/login", get(login::page).post(login::submit))
        .at("/logout", post(login::logout))
        .at("/language", post(language::switch))
        .at("/catalog", get(catalog::page))
        .at("/catalog/price-list.xlsx", get(catalog::price_list_file))
        .at("/catalog/price-list.csv", get(catalog::price_list_file))
        .at("/catalog/price-list/link", post(catalog::price_list_link))
        .at("/price-list/:token/:file", get(catalog::shared_price_list))
        .at("/catalog/products/:id", get(product::page))
        .at("/catalog/products/:id/subscription", post(product::subscription))
        .at("/catalog/products/:id/watch", post(product::watch))
        .at("/catalog/suggest", get(quick_order::suggest))
        .at("/cart", get(cart::page))
        .at("/cart/add", post(cart::add))
        .at("/cart/update", post(cart::update))
        .at("/cart/checkout", post(cart::checkout))
        .at("/quick-order", get(quick_order::page).post(quick_order::submit))
        .at("/upload", get(upload::page).post(upload::submit))
        .at("/upload/template.xlsx", get(upload::template))
        .at("/upload/:id", get(upload::report_page))
        .at("/upload/:id/columns", post(upload::choose_columns))
        .at("/upload/:id/apply", post(upload::apply))
        .at("/upload/:id/annotated.xlsx", get(upload::annotated))
        .at("/upload/:id/learn", post(customer_codes::learn))
        .at("/codes", get(customer_codes::page).post(customer_codes::change))
        .at("/codes/import", post(customer_codes::import))
        .at("/orders", get(orders::list))
        .at("/companies/:id", get(company::page))
        .at("/orders/:id", get(order_detail::detail))
        .at("/orders/:id/invoice.pdf", get(orders::invoice))
        .at("/orders/:id/card.pdf", get(orders::card))
        .at("/orders/:id/pick-list.pdf", get(orders::pick_list))
        .at("/orders/:id/reorder", post(orders::reorder_submit))
        .at("/orders/:id/transition", post(manage::transition))
        .at("/orders/:id/extend", post(manage::extend))
        .at("/orders/:id/renew", post(manage::renew))
        .at("/orders/:id/lines/:line/release", post(manage::release))
        .at("/orders/:id/lines/:line/discount", post(manage::line_discount))
        .at("/orders/:id/shipment", post(manage::shipment))
        .at("/orders/:id/payment", post(manage::payment))
        .at("/orders/:id/messages", post(messages::post_on_order))
        .at("/messages", get(messages::company_page).post(messages::post_on_company))
        .at("/messages/attachments/:id", get(messages::attachment))
        .at("/announcements", get(announcements::page).post(announcements::create))
        .at("/reports", get(reports::page))
        .at("/reports/:name", get(reports::spreadsheet))
        .at("/announcements/:id/remove", post(announcements::remove))
        .at("/unsubscribe/:token", get(announcements::unsubscribe_page).post(announcements::unsubscribe_submit))
        .at("/manager", get(manage::dashboard_page))
        .at("/manager/order", post(manage::order_for_buyer))
        .at("/notifications", get(manage::feed))
        .at("/finance", get(finance::page))
        .at("/finance/statement", get(finance::statement))
        .at("/finance/closing/:id", get(closing_documents::download))
        .at("/admin", get(admin::page))
        .at("/admin/users/invite", post(admin::users::invite))
        .at("/admin/users/:id", post(admin::users::user_action))
        .at("/admin/users/:id/rights", post(admin::users::user_rights))
        .at("/admin/companies", post(admin::companies::create_company))
        .at("/admin/companies/:id/contracts", post(admin::companies::contract))
        .at("/admin/companies/:id/active", post(admin::companies::company_active))
        .at("/admin/settings", post(admin::save_settings))
        .at("/admin/statuses/:status", post(admin::status))
        .at("/admin/terms", get(admin_terms::page))
        .at("/admin/terms/groups", post(admin_terms::create_group))
        .at("/admin/terms/assortments", post(admin_terms::create_assortment))
        .at("/admin/terms/payment-methods", post(admin_terms::create_payment))
        .at("/admin/terms/delivery-methods", post(admin_terms::create_delivery))
        .at("/admin/terms/discount-rules", post(admin_terms::create_rule))
        .at("/admin/terms/promo-codes", post(admin_terms::create_promo))
        .at("/admin/terms/:kind/:id/remove", post(admin_terms::remove))
        .at("/admin/jobs/:name/run", post(admin::run_job))
        .at("/admin/runs/:id", get(journal::run))
        .at("/admin/imports", post(journal::upload))
        .at("/password/:token", get(admin::users::password_page).post(admin::users::password_submit))
}

#[handler]
#[tracing::instrument(skip_all)]
fn home() -> Redirect {
    Redirect::see_other("/catalog")
}
