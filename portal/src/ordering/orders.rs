//! Reading orders: the history list and one order with its lines, events and
//! invoices — always through a `Scope`, so a buyer sees their company's
//! orders only, a manager their customers', and anything else is "not found".

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::events::EventKind;
use super::lifecycle::Actor;
use super::status::{OrderStatus, SyncState};
use crate::accounts::{Role, User};
use crate::catalog::listing::Page;
use crate::db::schema::{
    companies, contracts, invoices, order_events, order_lines, orders, payments, shipment_lines, shipments, users,
};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OfferId, OrderId, UserId};

/// Whose orders a user may see.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Company(CompanyId),
    /// Orders of the companies whose contracts the manager is assigned to.
    Managed(UserId),
    All,
    Nothing,
}

impl Scope {
    pub fn of(user: &User) -> Scope {
        match (user.role, user.company_id) {
            (Role::Buyer, Some(company)) => Scope::Company(company),
            (Role::Buyer, None) => Scope::Nothing,
            (Role::Manager, _) => Scope::Managed(user.id),
            (Role::Admin | Role::Erp, _) => Scope::All,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub company_id: CompanyId,
    pub user_id: UserId,
    pub contract_id: i64,
    pub manager_id: Option<UserId>,
    pub status: OrderStatus,
    pub delivery_address: String,
    pub desired_date: Option<NaiveDate>,
    pub po_number: String,
    pub comment: String,
    pub currency: String,
    pub total_minor: i64,
    pub vat_minor: i64,
    pub reservation_deadline: Option<NaiveDateTime>,
    pub placed_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sync_state: SyncState,
    pub erp_number: Option<String>,
    pub locale: String,
    pub paid_minor: i64,
    pub reservation_warned_at: Option<NaiveDateTime>,
    pub delivery_method_id: Option<i64>,
    pub payment_method_id: Option<i64>,
    /// The delivery's cost (in `total_minor`) and its VAT (in `vat_minor`).
    pub delivery_minor: i64,
    pub delivery_vat_minor: i64,
    /// What the payment method asks to be paid before shipment.
    pub prepayment_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = order_lines)]
pub struct OrderLine {
    pub id: i64,
    pub order_id: OrderId,
    pub line_no: i32,
    pub offer_id: OfferId,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: i64,
    pub reserved: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub price_minor: i64,
    pub vat_rate: Option<i32>,
    pub amount_minor: i64,
    pub vat_minor: i64,
    /// The part of `reserved` the portal holds against the offer's stock
    /// (see `reservations`: the ERP holds the rest).
    pub held: i64,
    /// Where the price came from (JSON, see `price_adjustments`).
    pub adjustments: String,
}

impl OrderLine {
    /// Where the line's price came from, as priced at checkout.
    pub fn price_adjustments(&self) -> Vec<crate::pricing::Adjustment> {
        serde_json::from_str(&self.adjustments).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = order_events)]
pub struct OrderEvent {
    pub id: i64,
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: Actor,
    pub actor_user_id: Option<i64>,
    pub kind: EventKind,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub comment: String,
    pub details: String,
    /// The right the person used (cancel, discount, extend, payment), if any.
    pub right_used: Option<crate::accounts::Right>,
    /// The name of the person who acted, if a person did.
    #[diesel(select_expression = users::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<users::name>)]
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct InvoiceInfo {
    pub id: i64,
    pub number: i64,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDate,
    pub total_minor: i64,
}

/// A recorded shipment or payment, for the order page.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct DocumentInfo {
    pub number: String,
    pub date: NaiveDate,
    /// Amount for payments (kopecks), number of lines for shipments.
    pub value: i64,
}

/// An order with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct OrderDetail {
    pub order: Order,
    pub company_name: String,
    pub contract_number: String,
    pub lines: Vec<OrderLine>,
    pub events: Vec<OrderEvent>,
    pub invoices: Vec<InvoiceInfo>,
    pub shipments: Vec<DocumentInfo>,
    pub payments: Vec<DocumentInfo>,
}

/// How the order list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrderSort {
    #[default]
    Newest,
    Oldest,
    TotalDesc,
    TotalAsc,
    /// Nearest reservation deadline first.
    Deadline,
}

impl OrderSort {
    pub fn parse(text: &str) -> Option<OrderSort> {
        match text {
            "" | "newest" => Some(OrderSort::Newest),
            "oldest" => Some(OrderSort::Oldest),
            "total_desc" => Some(OrderSort::TotalDesc),
            "total_asc" => Some(OrderSort::TotalAsc),
            "deadline" => Some(OrderSort::Deadline),
            _ => None,
        }
    }
}

/// Filters of the order history.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub company: Option<i64>,
    /// Orders of the companies in one customer group.
    pub group: Option<i64>,
    /// Orders of one assigned manager (for head managers and admins).
    pub manager: Option<i64>,
    pub sort: OrderSort,
    /// Placed on or after / before (UTC dates).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Order number or PO number, exact or prefix.
    pub text: String,
    pub page: u32,
    pub per_page: u32,
}

/// One row of the history list.
#[derive(Debug, Clone, Serialize)]
pub struct OrderSummary {
    pub order: Order,
    pub company_name: String,
}

macro_rules! scoped {
    ($query:expr, $scope:expr) => {{
        let mut query = $query.into_boxed();
        match $scope {
            Scope::Company(company) => query = query.filter(orders::company_id.eq(company)),
            Scope::Managed(manager) => {
                let managed = contracts::table
                    .filter(contracts::manager_id.eq(manager))
                    .filter(contracts::active.eq(true))
                    .select(contracts::company_id);
                query = query.filter(orders::company_id.eq_any(managed));
            }
            Scope::All => {}
            Scope::Nothing => query = query.filter(orders::id.eq(-1)),
        }
        query
    }};
}
pub(crate) use scoped;

pub fn list(conn: &mut DbConn, scope: Scope, filter: &OrderFilter) -> Result<Page<OrderSummary>> {
    let per_page = filter.per_page.clamp(1, 200);
    let page = filter.page.max(1);
    let text = filter.text.trim().to_string();
    let status = filter.status.map(|s| s.as_str());
    let members: Option<Vec<i64>> = match filter.group {
        Some(group) => Some(crate::terms::groups::members(conn, group)?.into_iter().map(|c| c.0).collect()),
        None => None,
    };
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = scoped!($q, scope);
            if let Some(status) = status {
                q = q.filter(orders::status.eq(status));
            }
            if let Some(company) = filter.company {
                q = q.filter(orders::company_id.eq(company));
            }
            if let Some(members) = &members {
                q = q.filter(orders::company_id.eq_any(members.clone()));
            }
            if let Some(manager) = filter.manager {
                q = q.filter(orders::manager_id.eq(manager));
            }
            if let Some(from) = filter.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
                q = q.filter(orders::placed_at.ge(from));
            }
            if let Some(to) = filter.to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)) {
                q = q.filter(orders::placed_at.lt(to));
            }
            if !text.is_empty() {
                let pattern = format!("{}%", text.replace('\\', "").replace('%', "").replace('_', ""));
                q = q.filter(orders::number.like(pattern.clone()).or(orders::po_number.like(pattern)));
            }
            q
        }};
    }
    let total: i64 = filtered!(orders::table.inner_join(companies::table)).count().get_result(conn)?;
    let query = filtered!(orders::table.inner_join(companies::table));
    let query = match filter.sort {
        OrderSort::Newest => query.order(orders::id.desc()),
        OrderSort::Oldest => query.order(orders::id.asc()),
        OrderSort::TotalDesc => query.order((orders::total_minor.desc(), orders::id.desc())),
        OrderSort::TotalAsc => query.order((orders::total_minor.asc(), orders::id.desc())),
        OrderSort::Deadline => {
            query.order((orders::reservation_deadline.is_null(), orders::reservation_deadline.asc(), orders::id.desc()))
        }
    };
    let rows = query
        .limit(i64::from(per_page))
        .offset(i64::from(page - 1) * i64::from(per_page))
        .select((Order::as_select(), companies::name))
        .load::<(Order, String)>(conn)?;
    let items = rows.into_iter().map(|(order, company_name)| OrderSummary { order, company_name }).collect();
    Ok(Page { items, total, page, per_page })
}

/// One order if the scope allows it; otherwise "not found".
pub fn find(conn: &mut DbConn, scope: Scope, order_id: OrderId) -> Result<Order> {
    scoped!(orders::table.filter(orders::id.eq(order_id)), scope)
        .select(Order::as_select())
        .first(conn)
        .map_err(Error::from_lookup)
}

pub fn detail(conn: &mut DbConn, scope: Scope, order_id: OrderId) -> Result<OrderDetail> {
    let order = find(conn, scope, order_id)?;
    let company_name = companies::table.find(order.company_id).select(companies::name).first(conn)?;
    let contract_number = contracts::table.find(order.contract_id).select(contracts::number).first(conn)?;
    let lines = order_lines::table
        .filter(order_lines::order_id.eq(order.id))
        .order(order_lines::line_no)
        .select(OrderLine::as_select())
        .load(conn)?;
    let events = order_events::table
        .left_join(users::table.on(order_events::actor_user_id.eq(users::id.nullable())))
        .filter(order_events::order_id.eq(order.id))
        .order(order_events::id)
        .select(OrderEvent::as_select())
        .load(conn)?;
    let invoices = invoices::table
        .filter(invoices::order_id.eq(order.id))
        .order(invoices::id)
        .select((invoices::id, invoices::number, invoices::issued_at, invoices::valid_until, invoices::total_minor))
        .load(conn)?;
    let shipments: Vec<(i64, String, NaiveDate)> = shipments::table
        .filter(shipments::order_id.eq(order.id))
        .order(shipments::id)
        .select((shipments::id, shipments::number, shipments::shipped_on))
        .load(conn)?;
    let ids: Vec<i64> = shipments.iter().map(|s| s.0).collect();
    let quantities: Vec<(i64, i64)> = shipment_lines::table
        .filter(shipment_lines::shipment_id.eq_any(&ids))
        .select((shipment_lines::shipment_id, shipment_lines::order_line_id))
        .load(conn)?;
    let shipments = shipments
        .into_iter()
        .map(|(id, number, date)| DocumentInfo {
            number,
            date,
            value: quantities.iter().filter(|(s, _)| *s == id).count() as i64,
        })
        .collect();
    let payments = payments::table
        .filter(payments::order_id.eq(order.id))
        .order(payments::id)
        .select((payments::document_number, payments::paid_on, payments::amount_minor))
        .load(conn)?;
    Ok(OrderDetail { order, company_name, contract_number, lines, events, invoices, shipments, payments })
}

/// The stored PDF of an order's latest invoice, if the scope allows the order.
pub fn invoice_pdf(conn: &mut DbConn, scope: Scope, order_id: OrderId) -> Result<(i64, Vec<u8>)> {
    let order = find(conn, scope, order_id)?;
    invoices::table
        .filter(invoices::order_id.eq(order.id))
        .order(invoices::id.desc())
        .select((invoices::number, invoices::pdf))
        .first(conn)
        .map_err(Error::from_lookup)
}

/// The contracts a scope covers: a buyer's company's, those of the
/// companies a manager is assigned to, every contract for the supplier.
pub fn scoped_contracts<'a>(scope: Scope) -> contracts::BoxedQuery<'a, crate::db::MultiBackend> {
    let query = contracts::table.into_boxed();
    match scope {
        Scope::Company(company) => query.filter(contracts::company_id.eq(company.0)),
        Scope::Managed(manager) => {
            let assigned = diesel::alias!(contracts as assigned);
            let managed = assigned
                .filter(assigned.field(contracts::manager_id).eq(manager.0))
                .filter(assigned.field(contracts::active).eq(true))
                .select(assigned.field(contracts::company_id));
            query.filter(contracts::company_id.eq_any(managed))
        }
        Scope::All => query,
        Scope::Nothing => query.filter(contracts::id.eq(-1)),
    }
}

/// The companies a scope covers, for filters: (id, name).
pub fn companies_in(conn: &mut DbConn, scope: Scope) -> Result<Vec<(i64, String)>> {
    let mut query = companies::table.order(companies::name).select((companies::id, companies::name)).into_boxed();
    match scope {
        Scope::Company(company) => query = query.filter(companies::id.eq(company)),
        Scope::Managed(manager) => {
            let managed = contracts::table
                .filter(contracts::manager_id.eq(manager))
                .filter(contracts::active.eq(true))
                .select(contracts::company_id);
            query = query.filter(companies::id.eq_any(managed));
        }
        Scope::All => {}
        Scope::Nothing => query = query.filter(companies::id.eq(-1)),
    }
    Ok(query.load(conn)?)
}

/// Active managers: (id, name).
pub fn managers(conn: &mut DbConn) -> Result<Vec<(i64, String)>> {
    use crate::db::schema::users;
    Ok(users::table
        .filter(users::role.eq(Role::Manager))
        .filter(users::active.eq(true))
        .order(users::name)
        .select((users::id, users::name))
        .load(conn)?)
}

/// An order by its number, whoever's it is (the ERP exchange).
pub fn find_by_number(conn: &mut DbConn, number: &str) -> Result<Option<Order>> {
    Ok(orders::table.filter(orders::number.eq(number.trim())).select(Order::as_select()).first(conn).optional()?)
}
