//! Order endpoints: checkout, the order history, one order, its invoice PDF,
//! and reorder. Scoped by role; another company's order is 404.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::verdicts::{adjustments_out, AdjustmentOut, ReportRowOut};
use super::{api_error, ApiError, BearerAuth};
use crate::error::Error;
use crate::ids::{CartId, OrderId};
use crate::money::Qty;
use crate::ordering::checkout::{place_order, CheckoutRequest};
use crate::ordering::events::EventKind;
use crate::ordering::lifecycle::Actor;
use crate::ordering::orders::{self, OrderDetail, OrderFilter, OrderSort, Scope};
use crate::ordering::status::{OrderStatus, SyncState};
use crate::ordering::{carts, reorder};
use crate::pricing::PriceContext;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Checkout and orders
    Orders,
}

pub struct OrdersApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CheckoutIn {
    /// One of the company's contracts; the first one when absent.
    contract_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 1000))]
    delivery_address: String,
    desired_date: Option<NaiveDate>,
    #[oai(default, validator(max_length = 100))]
    po_number: String,
    #[oai(default, validator(max_length = 1000))]
    comment: String,
    /// One of `GET /api/v1/delivery-methods`; the first that applies when absent.
    delivery_method_id: Option<i64>,
    /// One of `GET /api/v1/payment-methods` the delivery method allows; the
    /// first allowed when absent.
    payment_method_id: Option<i64>,
    /// A promo code (any case); the one entered on the cart when absent. A
    /// code that is unknown, expired or used up refuses the order (422).
    #[oai(validator(max_length = 40))]
    promo_code: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OrderLineOut {
    id: i64,
    line_no: i32,
    offer_id: i64,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    reserved: String,
    backordered: String,
    shipped: String,
    price_minor: i64,
    vat_rate: Option<i32>,
    amount_minor: i64,
    vat_minor: i64,
    /// Where the price came from, as priced at checkout.
    adjustments: Vec<AdjustmentOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct OrderEventOut {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub actor_user_id: Option<i64>,
    pub kind: EventKind,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub comment: String,
    /// Before/after and other facts of the change, as JSON.
    pub details: String,
    /// The person who acted, by name.
    pub actor_name: Option<String>,
    /// The right they used for it (cancel, manual discount, extend, payment).
    pub right_used: Option<crate::accounts::Right>,
}

impl From<crate::ordering::orders::OrderEvent> for OrderEventOut {
    fn from(e: crate::ordering::orders::OrderEvent) -> OrderEventOut {
        OrderEventOut {
            at: e.at.and_utc(),
            actor: e.actor,
            actor_user_id: e.actor_user_id,
            kind: e.kind,
            from_status: e.from_status,
            to_status: e.to_status,
            comment: e.comment,
            details: e.details,
            actor_name: e.actor_name,
            right_used: e.right_used,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct InvoiceOut {
    number: i64,
    issued_at: DateTime<Utc>,
    valid_until: NaiveDate,
    total_minor: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct OrderOut {
    id: i64,
    number: String,
    status: OrderStatus,
    company: String,
    contract: String,
    placed_at: DateTime<Utc>,
    delivery_address: String,
    desired_date: Option<NaiveDate>,
    po_number: String,
    comment: String,
    currency: String,
    /// Goods and delivery, VAT included.
    total_minor: i64,
    vat_minor: i64,
    /// The delivery method (`GET /api/v1/delivery-methods`), when chosen.
    delivery_method_id: Option<i64>,
    /// The delivery's cost, included in `total_minor`.
    delivery_minor: i64,
    payment_method_id: Option<i64>,
    /// What the payment method asks to be paid before shipment.
    prepayment_minor: i64,
    reservation_deadline: Option<DateTime<Utc>>,
    /// Paid so far, in minor units.
    paid_minor: i64,
    /// Where the order stands with the ERP.
    sync_state: SyncState,
    erp_number: Option<String>,
    lines: Vec<OrderLineOut>,
    events: Vec<OrderEventOut>,
    invoices: Vec<InvoiceOut>,
}

impl From<OrderDetail> for OrderOut {
    fn from(d: OrderDetail) -> OrderOut {
        let o = d.order;
        OrderOut {
            id: o.id.0,
            number: o.number,
            status: o.status,
            company: d.company_name,
            contract: d.contract_number,
            placed_at: o.placed_at.and_utc(),
            delivery_address: o.delivery_address,
            desired_date: o.desired_date,
            po_number: o.po_number,
            comment: o.comment,
            currency: o.currency,
            total_minor: o.total_minor,
            vat_minor: o.vat_minor,
            delivery_method_id: o.delivery_method_id,
            delivery_minor: o.delivery_minor,
            payment_method_id: o.payment_method_id,
            prepayment_minor: o.prepayment_minor,
            reservation_deadline: o.reservation_deadline.map(|t| t.and_utc()),
            paid_minor: o.paid_minor,
            sync_state: o.sync_state,
            erp_number: o.erp_number,
            lines: d
                .lines
                .into_iter()
                .map(|l| OrderLineOut {
                    adjustments: adjustments_out(&l.price_adjustments()),
                    id: l.id,
                    line_no: l.line_no,
                    offer_id: l.offer_id.0,
                    sku: l.sku,
                    name: l.name,
                    unit: l.unit,
                    quantity: Qty(l.quantity).plain(),
                    reserved: Qty(l.reserved).plain(),
                    backordered: Qty(l.backordered).plain(),
                    shipped: Qty(l.shipped).plain(),
                    price_minor: l.price_minor,
                    vat_rate: l.vat_rate,
                    amount_minor: l.amount_minor,
                    vat_minor: l.vat_minor,
                })
                .collect(),
            events: d.events.into_iter().map(OrderEventOut::from).collect(),
            invoices: d
                .invoices
                .into_iter()
                .map(|i| InvoiceOut {
                    number: i.number,
                    issued_at: i.issued_at.and_utc(),
                    valid_until: i.valid_until,
                    total_minor: i.total_minor,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct OrderSummaryOut {
    pub id: i64,
    pub number: String,
    pub status: OrderStatus,
    pub company: String,
    pub placed_at: DateTime<Utc>,
    pub po_number: String,
    pub total_minor: i64,
    pub reservation_deadline: Option<DateTime<Utc>>,
}

impl From<crate::ordering::orders::OrderSummary> for OrderSummaryOut {
    fn from(s: crate::ordering::orders::OrderSummary) -> OrderSummaryOut {
        OrderSummaryOut {
            id: s.order.id.0,
            number: s.order.number,
            status: s.order.status,
            company: s.company_name,
            placed_at: s.order.placed_at.and_utc(),
            po_number: s.order.po_number,
            total_minor: s.order.total_minor,
            reservation_deadline: s.order.reservation_deadline.map(|t| t.and_utc()),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OrderPage {
    items: Vec<OrderSummaryOut>,
    total: i64,
    page: u32,
    per_page: u32,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReorderIn {
    /// The cart to fill; the current cart when absent.
    cart_id: Option<i64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReorderRowOut {
    #[oai(flatten)]
    row: ReportRowOut,
    old_price_minor: i64,
    new_price_minor: Option<i64>,
    price_changed: bool,
    discontinued: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReorderOut {
    cart_id: i64,
    lines_added: u64,
    rows: Vec<ReorderRowOut>,
}

#[derive(ApiResponse)]
enum CheckoutOutcome {
    #[oai(status = 201)]
    Placed(Json<Box<OrderOut>>),
    /// Something in the request cannot be accepted (empty cart, no address…).
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
    /// A line can no longer be ordered or has no price.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
}

#[derive(ApiResponse)]
enum Pdf {
    #[oai(status = 200, content_type = "application/pdf")]
    File(Attachment<Vec<u8>>),
}

impl Pdf {
    /// A PDF download named "`kind`-`number`.pdf".
    fn named(kind: &str, number: impl std::fmt::Display, pdf: Vec<u8>) -> Pdf {
        Pdf::File(
            Attachment::new(pdf).attachment_type(AttachmentType::Attachment).filename(format!("{kind}-{number}.pdf")),
        )
    }
}

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Places an order from a cart: reserves stock, issues the invoice.
    #[oai(path = "/v1/carts/:cart_id/checkout", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn checkout(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        body: Json<CheckoutIn>,
    ) -> poem::Result<CheckoutOutcome> {
        let user = auth.0;
        let b = body.0;
        let request = CheckoutRequest {
            contract_id: b.contract_id,
            delivery_address: b.delivery_address,
            desired_date: b.desired_date,
            po_number: b.po_number,
            comment: b.comment,
            delivery_method_id: b.delivery_method_id,
            payment_method_id: b.payment_method_id,
            promo_code: b.promo_code,
        };
        let result = state
            .db
            .run(move |conn| {
                let placed = place_order(conn, &user, CartId(cart_id.0), &request)?;
                orders::detail(conn, Scope::of(&user), placed.id)
            })
            .await;
        Ok(match result {
            Ok(detail) => CheckoutOutcome::Placed(Json(Box::new(detail.into()))),
            Err(Error::Invalid(m)) => CheckoutOutcome::Invalid(api_error(m)),
            Err(Error::Conflict(m)) => CheckoutOutcome::Conflict(api_error(m)),
            Err(e) => return Err(e.into()),
        })
    }

    /// Orders the user may see, newest first (a manager: their companies').
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/v1/orders", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// new, processing, reserved, paid, partially_shipped, shipped, closed, cancelled, returned, reserve_expired
        status: Query<Option<String>>,
        /// Order or PO number (prefix).
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        /// Only this company's orders.
        company: Query<Option<i64>>,
        /// Only orders of the companies in this customer group.
        group_id: Query<Option<i64>>,
        /// Only orders of this assigned manager (user id).
        manager: Query<Option<i64>>,
        /// newest (default), oldest, total_desc, total_asc, deadline.
        sort: Query<Option<String>>,
        /// Placed on or after this date.
        from: Query<Option<NaiveDate>>,
        /// Placed on or before this date.
        to: Query<Option<NaiveDate>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] per_page: Query<Option<u32>>,
    ) -> poem::Result<Json<OrderPage>> {
        let user = auth.0;
        let status = match status.0.as_deref() {
            None | Some("") => None,
            Some(s) => Some(OrderStatus::parse(s).ok_or_else(|| {
                poem::Error::from_string(format!("unknown status {s:?}"), poem::http::StatusCode::BAD_REQUEST)
            })?),
        };
        let sort = match sort.0.as_deref() {
            None => OrderSort::Newest,
            Some(text) => OrderSort::parse(text).ok_or_else(|| {
                poem::Error::from_string(format!("unknown sort {text:?}"), poem::http::StatusCode::BAD_REQUEST)
            })?,
        };
        let filter = OrderFilter {
            status,
            company: company.0,
            group: group_id.0,
            manager: manager.0,
            sort,
            from: from.0,
            to: to.0,
            text: q.0.unwrap_or_default(),
            page: page.0.unwrap_or(1),
            per_page: per_page.0.unwrap_or(50),
        };
        let found = state.db.run(move |conn| orders::list(conn, Scope::of(&user), &filter)).await?;
        Ok(Json(OrderPage {
            total: found.total,
            page: found.page,
            per_page: found.per_page,
            items: found.items.into_iter().map(OrderSummaryOut::from).collect(),
        }))
    }

    /// One order: lines with reserved and backordered quantities, totals, events.
    #[oai(path = "/v1/orders/:id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Json<Box<OrderOut>>> {
        let user = auth.0;
        let detail = state.db.run(move |conn| orders::detail(conn, Scope::of(&user), OrderId(id.0))).await?;
        Ok(Json(Box::new(detail.into())))
    }

    /// The order's invoice as PDF.
    #[oai(path = "/v1/orders/:id/invoice.pdf", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn invoice(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Pdf> {
        let user = auth.0;
        let (number, pdf) =
            state.db.run(move |conn| orders::invoice_pdf(conn, Scope::of(&user), OrderId(id.0))).await?;
        Ok(Pdf::named("invoice", number, pdf))
    }

    /// The order card as PDF: everything about the order for a person who
    /// works on paper (customer, contract, delivery, status, the lines with
    /// what is reserved and shipped, totals, documents, history), in the
    /// caller's language.
    #[oai(path = "/v1/orders/:id/card.pdf", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn card(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Pdf> {
        let user = auth.0;
        let lang = user.locale.clone();
        let (number, pdf) = state
            .db
            .run(move |conn| crate::ordering::order_card::pdf(conn, Scope::of(&user), OrderId(id.0), &lang))
            .await?;
        Ok(Pdf::named("order", number, pdf))
    }

    /// The warehouse pick list as PDF: what is reserved and not yet shipped,
    /// split over the warehouses holding it, sorted by category, with a box
    /// to tick per line and signature lines. The supplier's staff only (a
    /// buyer's token answers 403).
    #[oai(path = "/v1/orders/:id/pick-list.pdf", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn pick_list(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Pdf> {
        let user = auth.0;
        let lang = user.locale.clone();
        let (number, pdf) =
            state.db.run(move |conn| crate::ordering::pick_list::pdf(conn, &user, OrderId(id.0), &lang)).await?;
        Ok(Pdf::named("pick-list", number, pdf))
    }

    /// Copies the order's lines into a cart through the quantity rules and
    /// reports what changed since (price, discontinued, availability).
    #[oai(path = "/v1/orders/:id/reorder", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn reorder(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReorderIn>,
    ) -> poem::Result<Json<ReorderOut>> {
        let user = auth.0;
        let lang = user.locale.clone();
        let (cart_id, result) = state
            .db
            .run(move |conn| {
                let cart = match body.0.cart_id {
                    Some(cart_id) => carts::find(conn, &user, CartId(cart_id))?,
                    None => carts::current(conn, &user)?,
                };
                let pricing = PriceContext::for_user(conn, &user)?;
                let result = reorder::reorder(conn, Scope::of(&user), OrderId(id.0), &cart, &pricing)?;
                Ok((cart.id, result))
            })
            .await?;
        Ok(Json(ReorderOut {
            cart_id: cart_id.0,
            lines_added: result.applied.lines_added as u64,
            rows: result
                .rows
                .iter()
                .map(|r| ReorderRowOut {
                    row: ReportRowOut::new(&r.report, &lang),
                    old_price_minor: r.old_price.minor(),
                    new_price_minor: r.new_price.map(|p| p.minor()),
                    price_changed: r.price_changed,
                    discontinued: r.discontinued,
                })
                .collect(),
        }))
    }
}
