//! The REST API (poem-openapi): one `#[OpenApi]` struct per resource, an
//! `ApiResponse` enum per endpoint for the outcomes a client must handle, and
//! bearer-token auth as a security scheme, so that getting the user *is* the
//! check. Served under `/api`, described at `/api/openapi.json`.

mod admin;
mod admin_accounts;
mod admin_discounts;
mod admin_terms;
mod announcements;
mod auth;
mod carts;
mod catalog;
mod closing_documents;
mod customer_codes;
pub mod document;
mod exchange_orders;
pub(super) mod finance;
mod lifecycle;
mod me;
mod messages;
mod orders;
mod reports;
mod shipping;
mod stock_alerts;
mod verdicts;

use poem::http::{Method, StatusCode};
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApiService, SecurityScheme};

use super::AppState;
use crate::accounts::{Granted, Right, Role, User};

/// The API with all its resources.
pub type Apis = (
    auth::AuthApi,
    catalog::CatalogApi,
    me::MeApi,
    carts::CartsApi,
    orders::OrdersApi,
    lifecycle::LifecycleApi,
    admin::AdminApi,
    exchange_orders::ExchangeOrdersApi,
    admin_accounts::AdminUsersApi,
    admin_accounts::AdminCompaniesApi,
    admin_accounts::AdminSettingsApi,
    (admin_terms::AdminTermsApi, admin_discounts::AdminDiscountsApi),
    finance::FinanceApi,
    closing_documents::ClosingDocumentsApi,
    (
        shipping::ShippingApi,
        customer_codes::CustomerCodesApi,
        stock_alerts::StockAlertsApi,
        messages::MessagesApi,
        announcements::AnnouncementsApi,
        reports::ReportsApi,
    ),
);

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            auth::AuthApi,
            catalog::CatalogApi,
            me::MeApi,
            carts::CartsApi,
            orders::OrdersApi,
            lifecycle::LifecycleApi,
            admin::AdminApi,
            exchange_orders::ExchangeOrdersApi,
            admin_accounts::AdminUsersApi,
            admin_accounts::AdminCompaniesApi,
            admin_accounts::AdminSettingsApi,
            (admin_terms::AdminTermsApi, admin_discounts::AdminDiscountsApi),
            finance::FinanceApi,
            closing_documents::ClosingDocumentsApi,
            (
                shipping::ShippingApi,
                customer_codes::CustomerCodesApi,
                stock_alerts::StockAlertsApi,
                messages::MessagesApi,
                announcements::AnnouncementsApi,
                reports::ReportsApi,
            ),
        ),
        "Optovik API",
        env!("CARGO_PKG_VERSION"),
    )
        .description(
            "B2B ordering portal API: catalog at contract prices, carts, quick order and ordering by file, \
             checkout with reservations and invoices, order history. Obtain a token with `POST /api/v1/auth/token` and send it as `Authorization: Bearer …`.",
        )
        .server("/api")
}

/// A bearer token issued by `POST /api/v1/auth/token`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_token")]
pub struct BearerAuth(pub User);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<User> {
    let state = req.data::<AppState>().ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
    let token = bearer.token;
    if token.len() > 200 {
        return Err(unauthorized());
    }
    let user = state.answers.token_user(&state.db, token).await?.ok_or_else(unauthorized)?;
    if user.role == Role::Erp && !erp_may_call(req.method(), req.original_uri().path()) {
        return Err(forbidden(
            "the ERP account may read the catalog and orders, report order statuses and import exchange files; \
             nothing else",
        ));
    }
    Ok(user)
}

/// What the ERP's machine user may do through the API: read the catalog and
/// orders, report what happened to an order (status, shipment, payment),
/// import exchange files and read their journal, take orders through the
/// API's order feed, say when goods out of stock are expected. It has no cart, places no orders, reads no invoices and
/// runs no jobs.
fn erp_may_call(method: &Method, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches("/api").trim_matches('/').split('/').collect();
    matches!(
        (method, segments.as_slice()),
        (&Method::GET, ["v1", "me"] | ["v1", "catalog", ..] | ["v1", "orders"] | ["v1", "orders", _])
            | (&Method::GET, ["v1", "orders", _, "events"] | ["v1", "admin", "sync-runs", ..])
            | (&Method::POST, ["v1", "orders", _, "transitions" | "shipments" | "payments"])
            | (&Method::POST, ["v1", "admin", "imports"])
            | (&Method::GET, ["v1", "exchange", "orders"])
            | (&Method::POST, ["v1", "exchange", "orders", "ack"] | ["v1", "erp", "ledger" | "closing-documents"])
            | (&Method::PUT, ["v1", "admin", "offers", _, "expected-arrival"])
    )
}

/// A bearer token of the supplier's staff (manager, admin, the ERP's
/// account); a buyer's token answers 403. Same scheme as `BearerAuth`.
#[derive(SecurityScheme)]
#[oai(rename = "BearerAuth", ty = "bearer", checker = "check_staff")]
pub struct StaffAuth(pub User);

async fn check_staff(req: &Request, bearer: Bearer) -> poem::Result<User> {
    let user = check_token(req, bearer).await?;
    if !user.role.is_staff() {
        return Err(forbidden("only the supplier's staff can do this"));
    }
    Ok(user)
}

/// An administrator's bearer token; others answer 403.
#[derive(SecurityScheme)]
#[oai(rename = "BearerAuth", ty = "bearer", checker = "check_admin")]
pub struct AdminAuth(pub User);

async fn check_admin(req: &Request, bearer: Bearer) -> poem::Result<User> {
    let user = check_token(req, bearer).await?;
    if user.role != Role::Admin {
        return Err(forbidden("administrators only"));
    }
    Ok(user)
}

/// A token of the ERP's account or an administrator (imports, the journal,
/// the order feed); others answer 403.
#[derive(SecurityScheme)]
#[oai(rename = "BearerAuth", ty = "bearer", checker = "check_exchange")]
pub struct ExchangeAuth(pub User);

async fn check_exchange(req: &Request, bearer: Bearer) -> poem::Result<User> {
    let user = check_token(req, bearer).await?;
    if !matches!(user.role, Role::Admin | Role::Erp) {
        return Err(forbidden("the ERP's account and administrators only"));
    }
    Ok(user)
}

/// A staff member's token together with the proof that they hold a right
/// (`accounts::rights`): what the `May…` schemes give a handler.
pub struct Permitted {
    pub user: User,
    pub granted: Granted,
}

/// Declares a bearer scheme that lets through only holders of `$right`
/// (403 "you have not been given the right to …" for everyone else).
macro_rules! right_scheme {
    ($(#[$doc:meta])* $name:ident, $checker:ident, $checker_name:literal, $right:ident) => {
        $(#[$doc])*
        #[derive(SecurityScheme)]
        #[oai(rename = "BearerAuth", ty = "bearer", checker = $checker_name)]
        pub struct $name(pub Permitted);

        async fn $checker(req: &Request, bearer: Bearer) -> poem::Result<Permitted> {
            let user = check_token(req, bearer).await?;
            let granted = user.grant(Right::$right).map_err(|_| {
                forbidden(&format!("you have not been given the right: {}", Right::$right.as_str()))
            })?;
            Ok(Permitted { user, granted })
        }
    };
}

right_scheme!(
    /// Staff who may give manual discounts.
    MayGiveDiscounts, may_give_discounts, "may_give_discounts", ManualDiscounts
);
right_scheme!(
    /// Staff who may extend reservations.
    MayExtendReservations, may_extend_reservations, "may_extend_reservations", ExtendReservations
);
right_scheme!(
    /// Staff (or the ERP) who may record payments.
    MayRecordPayments, may_record_payments, "may_record_payments", RecordPayments
);
right_scheme!(
    /// Administrators who may manage users.
    MayManageUsers, may_manage_users, "may_manage_users", ManageUsers
);

fn forbidden(message: &str) -> poem::Error {
    poem::Error::from_string(message, StatusCode::FORBIDDEN)
}

fn unauthorized() -> poem::Error {
    poem::Error::from_string("missing, unknown or expired token", StatusCode::UNAUTHORIZED)
}

/// An error a client can show: what went wrong, in words.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiError {
    pub error: String,
}

pub fn api_error(message: impl Into<String>) -> Json<ApiError> {
    Json(ApiError { error: message.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_erp_account_does_only_what_the_exchange_needs() {
        assert!(erp_may_call(&Method::GET, "/api/v1/orders"));
        assert!(erp_may_call(&Method::GET, "/api/v1/orders/12"));
        assert!(erp_may_call(&Method::POST, "/api/v1/orders/12/shipments"));
        assert!(erp_may_call(&Method::POST, "/api/v1/admin/imports"));
        assert!(erp_may_call(&Method::GET, "/api/v1/catalog/products"));
        assert!(!erp_may_call(&Method::GET, "/api/v1/orders/12/invoice.pdf"));
        assert!(!erp_may_call(&Method::POST, "/api/v1/carts"));
        assert!(!erp_may_call(&Method::POST, "/api/v1/carts/1/checkout"));
        assert!(!erp_may_call(&Method::POST, "/api/v1/manager/orders"));
        assert!(!erp_may_call(&Method::POST, "/api/v1/admin/jobs/full-import/run"));
        assert!(!erp_may_call(&Method::POST, "/api/v1/orders/12/reorder"));
    }
}
