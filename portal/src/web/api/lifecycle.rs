//! Order lifecycle endpoints: status transitions (409 with the allowed
//! targets when refused), shipments, payments, the reservation (extend,
//! release a line, reserve again), the history, the manager's dashboard and
//! notifications. Scoped like every order endpoint: another company's order
//! is 404.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::orders::{OrderEventOut, OrderOut, OrderSummaryOut};
use super::verdicts::quantity_text;
use super::{
    api_error, ApiError, BearerAuth, MayExtendReservations, MayGiveDiscounts, MayRecordPayments, Permitted, StaffAuth,
};
use crate::accounts::User;
use crate::error::Error;
use crate::ids::OrderId;
use crate::money::{Money, Qty};
use crate::notifications::{self, NotificationKind};
use crate::ordering::actions::{self, Moved};
use crate::ordering::events::ActedBy;
use crate::ordering::orders::{self, Scope};
use crate::ordering::status::OrderStatus;
use crate::ordering::{dashboard, fulfilment};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Statuses, reservations, shipments and payments
    Lifecycle,
    /// The manager's workspace
    Manager,
    /// The user's notification feed
    Notifications,
}

pub struct LifecycleApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TransitionIn {
    /// The target status.
    to: String,
    #[oai(default, validator(max_length = 1000))]
    comment: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TransitionRefused {
    error: String,
    from: OrderStatus,
    /// Where this user may move the order from its current status.
    allowed: Vec<OrderStatus>,
}

#[derive(ApiResponse)]
enum TransitionOutcome {
    #[oai(status = 200)]
    Moved(Json<Box<OrderOut>>),
    /// The move is not allowed for this user from the current status.
    #[oai(status = 409)]
    Refused(Json<TransitionRefused>),
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ApprovalIn {
    /// true: the order proceeds (reserve, invoice); false: it is cancelled.
    approve: bool,
    /// Required when rejecting: what the buyer is told.
    #[oai(default, validator(max_length = 1000))]
    reason: String,
}

#[derive(ApiResponse)]
enum ApprovalOutcome {
    #[oai(status = 200)]
    Decided(Json<Box<OrderOut>>),
    /// The order is not awaiting approval, or this user may not decide.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// A rejection without a reason.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ShipmentLineIn {
    line_id: i64,
    /// A number or a decimal string.
    quantity: serde_json::Value,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ShipmentIn {
    #[oai(validator(min_length = 1, max_length = 100))]
    number: String,
    date: NaiveDate,
    lines: Vec<ShipmentLineIn>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PaymentIn {
    amount_minor: i64,
    date: NaiveDate,
    #[oai(default, validator(max_length = 100))]
    document_number: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ReservationIn {
    /// The new reservation deadline, RFC 3339 with an offset.
    deadline: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BucketOut {
    /// awaiting_approval, new, lapsing, paid_not_shipped, overdue or backorders.
    key: String,
    count: i64,
    orders: Vec<OrderSummaryOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NotificationOut {
    id: i64,
    order_id: Option<i64>,
    kind: NotificationKind,
    title: String,
    body: String,
    created_at: DateTime<Utc>,
    read: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Feed {
    unread: i64,
    items: Vec<NotificationOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OnBehalfIn {
    /// A buyer of one of the manager's companies.
    buyer_id: i64,
    /// Lines "SKU quantity", as in a quick order.
    #[oai(validator(min_length = 1, max_length = 1000000))]
    lines: String,
    /// The company's delivery address when empty.
    #[oai(default, validator(max_length = 1000))]
    delivery_address: String,
    #[oai(default, validator(max_length = 100))]
    po_number: String,
    #[oai(default, validator(max_length = 1000))]
    comment: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OnBehalfOut {
    order: Box<OrderOut>,
    rows: Vec<super::verdicts::ReportRowOut>,
}

#[derive(ApiResponse)]
enum OnBehalfOutcome {
    #[oai(status = 201)]
    Placed(Json<OnBehalfOut>),
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

/// A manual discount on a line.
#[derive(Object)]
struct LineDiscountIn {
    /// Basis points off the line (500 = 5 %); 0 removes the manual discount.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    percent_bp: i64,
}

#[derive(ApiResponse)]
enum LineDiscountOutcome {
    /// The order with the line's new price and totals.
    #[oai(status = 200)]
    Given(Json<Box<OrderOut>>),
    /// Over the manual discount limit set for managers.
    #[oai(status = 403)]
    OverLimit(Json<ApiError>),
    /// No such order in your scope, or no such line.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The order is closed or the line already shipped.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
enum Done {
    #[oai(status = 204)]
    Ok,
}

async fn order_out(state: &AppState, user: User, id: i64) -> poem::Result<Json<Box<OrderOut>>> {
    let detail = state.db.run(move |conn| orders::detail(conn, Scope::of(&user), OrderId(id))).await?;
    Ok(Json(Box::new(detail.into())))
}

#[OpenApi]
impl LifecycleApi {
    /// Moves an order to another status through the state machine. A manager
    /// or administrator cancelling needs the right `cancel_orders` (403
    /// without it); the history records the right used.
    #[oai(path = "/v1/orders/:id/transitions", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn transition(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<TransitionIn>,
    ) -> poem::Result<TransitionOutcome> {
        let user = auth.0;
        let Some(to) = OrderStatus::parse(&body.0.to) else {
            return Ok(TransitionOutcome::Invalid(api_error(format!("unknown status {:?}", body.0.to))));
        };
        let (scope, by, comment) = (Scope::of(&user), ActedBy::moving(&user, to), body.0.comment);
        let moved = state.db.run(move |conn| actions::transition(conn, scope, OrderId(id.0), by, to, &comment)).await?;
        match moved {
            Moved::Done(_) => Ok(TransitionOutcome::Moved(order_out(&state, user, id.0).await?)),
            Moved::Refused(refused) => Ok(TransitionOutcome::Refused(Json(TransitionRefused {
                error: format!("cannot move the order from {} to {}", refused.from.as_str(), to.as_str()),
                from: refused.from,
                allowed: refused.allowed,
            }))),
        }
    }

    /// Approves or rejects an order awaiting approval over the credit limit
    /// (managers and administrators; a buyer's token answers 403).
    #[oai(path = "/v1/orders/:id/approval", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn approval(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        id: Path<i64>,
        body: Json<ApprovalIn>,
    ) -> poem::Result<ApprovalOutcome> {
        let user = auth.0;
        let (scope, by, Json(decision)) = (Scope::of(&user), ActedBy::user(&user), body);
        let decided = state
            .db
            .run(move |conn| {
                actions::decide_approval(conn, scope, OrderId(id.0), by, decision.approve, &decision.reason)
            })
            .await;
        match decided {
            Ok(Moved::Done(_)) => Ok(ApprovalOutcome::Decided(order_out(&state, user, id.0).await?)),
            Ok(Moved::Refused(refused)) => Ok(ApprovalOutcome::Conflict(api_error(format!(
                "this user cannot decide on an order in status {}",
                refused.from.as_str()
            )))),
            Err(Error::Conflict(message)) => Ok(ApprovalOutcome::Conflict(api_error(message))),
            Err(Error::Invalid(message)) => Ok(ApprovalOutcome::Invalid(api_error(message))),
            Err(other) => Err(other.into()),
        }
    }

    /// Records a shipment (possibly partial); shipping consumes the reservation.
    #[oai(path = "/v1/orders/:id/shipments", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn shipment(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        id: Path<i64>,
        body: Json<ShipmentIn>,
    ) -> poem::Result<Json<Box<OrderOut>>> {
        let user = auth.0;
        let mut lines = Vec::new();
        for line in &body.0.lines {
            let text = quantity_text(&line.quantity);
            let quantity = Qty::parse(&text).ok_or_else(|| Error::Invalid(format!("unreadable quantity {text:?}")))?;
            lines.push((line.line_id, quantity));
        }
        let (scope, by, number, date) = (Scope::of(&user), ActedBy::user(&user), body.0.number, body.0.date);
        state
            .db
            .run(move |conn| fulfilment::record_shipment(conn, scope, OrderId(id.0), by, &number, date, &lines))
            .await?;
        order_out(&state, user, id.0).await
    }

    /// Records a payment; covering the total makes the order paid (staff
    /// given the right `record_payments`, and the ERP's account).
    #[oai(path = "/v1/orders/:id/payments", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn payment(
        &self,
        state: Data<&AppState>,
        auth: MayRecordPayments,
        id: Path<i64>,
        body: Json<PaymentIn>,
    ) -> poem::Result<Json<Box<OrderOut>>> {
        let Permitted { user, granted } = auth.0;
        let b = body.0;
        let (scope, by) = (Scope::of(&user), ActedBy::granted(&granted));
        state
            .db
            .run(move |conn| {
                fulfilment::record_payment(
                    conn,
                    scope,
                    OrderId(id.0),
                    by,
                    Money(b.amount_minor),
                    b.date,
                    &b.document_number,
                )
            })
            .await?;
        order_out(&state, user, id.0).await
    }

    /// Extends (or moves) the reservation deadline (staff given the right
    /// `extend_reservations`).
    #[oai(path = "/v1/orders/:id/reservation", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn reservation(
        &self,
        state: Data<&AppState>,
        auth: MayExtendReservations,
        id: Path<i64>,
        body: Json<ReservationIn>,
    ) -> poem::Result<Json<Box<OrderOut>>> {
        let Permitted { user, granted } = auth.0;
        let (scope, by, deadline) = (Scope::of(&user), ActedBy::granted(&granted), body.0.deadline.naive_utc());
        state.db.run(move |conn| actions::extend_deadline(conn, scope, OrderId(id.0), by, deadline)).await?;
        order_out(&state, user, id.0).await
    }

    /// Reserves again what stock now allows for the order's backorders.
    #[oai(path = "/v1/orders/:id/reservation/renew", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn renew(&self, state: Data<&AppState>, auth: StaffAuth, id: Path<i64>) -> poem::Result<Json<Box<OrderOut>>> {
        let user = auth.0;
        let (scope, by) = (Scope::of(&user), ActedBy::user(&user));
        state.db.run(move |conn| actions::reserve_again(conn, scope, OrderId(id.0), by)).await?;
        order_out(&state, user, id.0).await
    }

    /// Releases one line's reservation (it becomes backorder).
    #[oai(path = "/v1/orders/:id/lines/:line_id/release", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn release(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        id: Path<i64>,
        line_id: Path<i64>,
    ) -> poem::Result<Json<Box<OrderOut>>> {
        let user = auth.0;
        let (scope, by) = (Scope::of(&user), ActedBy::user(&user));
        state.db.run(move |conn| actions::release(conn, scope, OrderId(id.0), line_id.0, by)).await?;
        order_out(&state, user, id.0).await
    }

    /// Gives a manual discount on one line (staff given the right
    /// `manual_discounts`), within the giver's own limit if the administrator
    /// set one, else `manual_discount_limit_percent` for managers
    /// (administrators have none). The line's price, the totals and an issued invoice follow; the order
    /// history records it.
    #[oai(path = "/v1/orders/:id/lines/:line_id/discount", method = "post", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn line_discount(
        &self,
        state: Data<&AppState>,
        auth: MayGiveDiscounts,
        id: Path<i64>,
        line_id: Path<i64>,
        body: Json<LineDiscountIn>,
    ) -> poem::Result<LineDiscountOutcome> {
        let Permitted { user, granted } = auth.0;
        let (scope, percent) = (Scope::of(&user), body.0.percent_bp);
        let given = state
            .db
            .run(move |conn| {
                crate::ordering::manual_discount::give(conn, scope, OrderId(id.0), line_id.0, percent, &granted)
            })
            .await;
        Ok(match given {
            Ok(_) => LineDiscountOutcome::Given(order_out(&state, user, id.0).await?),
            Err(Error::Forbidden) => LineDiscountOutcome::OverLimit(api_error("over your manual discount limit")),
            Err(Error::NotFound) => LineDiscountOutcome::NotFound(api_error("no such order or line")),
            Err(Error::Conflict(m)) => LineDiscountOutcome::Conflict(api_error(m)),
            Err(Error::Invalid(m)) => LineDiscountOutcome::Invalid(api_error(m)),
            Err(other) => return Err(other.into()),
        })
    }

    /// The order's full history, oldest first.
    #[oai(path = "/v1/orders/:id/events", method = "get", tag = "ApiTags::Lifecycle")]
    #[tracing::instrument(skip_all)]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<OrderEventOut>>> {
        let user = auth.0;
        let detail = state.db.run(move |conn| orders::detail(conn, Scope::of(&user), OrderId(id.0))).await?;
        Ok(Json(detail.events.into_iter().map(OrderEventOut::from).collect()))
    }

    /// What needs the manager's action now.
    #[oai(path = "/v1/manager/dashboard", method = "get", tag = "ApiTags::Manager")]
    #[tracing::instrument(skip_all)]
    async fn dashboard(&self, state: Data<&AppState>, auth: StaffAuth) -> poem::Result<Json<Vec<BucketOut>>> {
        let user = auth.0;
        let board = state.db.run(move |conn| dashboard::build(conn, Scope::of(&user), Utc::now().naive_utc())).await?;
        Ok(Json(
            board
                .buckets
                .into_iter()
                .map(|b| BucketOut {
                    key: b.key.into(),
                    count: b.count,
                    orders: b.orders.into_iter().map(OrderSummaryOut::from).collect(),
                })
                .collect(),
        ))
    }

    /// Places an order on behalf of a buyer of one of the manager's companies.
    #[oai(path = "/v1/manager/orders", method = "post", tag = "ApiTags::Manager")]
    #[tracing::instrument(skip_all)]
    async fn on_behalf(
        &self,
        state: Data<&AppState>,
        auth: StaffAuth,
        body: Json<OnBehalfIn>,
    ) -> poem::Result<OnBehalfOutcome> {
        let staff = auth.0;
        let lang = staff.locale.clone();
        let b = body.0;
        let request = crate::ordering::checkout::CheckoutRequest {
            contract_id: None,
            delivery_address: b.delivery_address,
            desired_date: None,
            po_number: b.po_number,
            comment: b.comment,
            ..Default::default()
        };
        let search = state.search.clone();
        let who = staff.clone();
        let result = state
            .db
            .run(move |conn| {
                let index = search.get(conn)?;
                let (placed, rows) =
                    crate::ordering::on_behalf::place(conn, &index, &who, b.buyer_id, &b.lines, request)?;
                Ok((orders::detail(conn, Scope::of(&who), placed.id)?, rows))
            })
            .await;
        match result {
            Ok((detail, rows)) => Ok(OnBehalfOutcome::Placed(Json(OnBehalfOut {
                order: Box::new(detail.into()),
                rows: rows.iter().map(|r| super::verdicts::ReportRowOut::new(r, &lang)).collect(),
            }))),
            Err(Error::Invalid(m) | Error::Conflict(m)) => Ok(OnBehalfOutcome::Invalid(api_error(m))),
            Err(other) => Err(other.into()),
        }
    }

    /// The user's notifications, newest first, with the unread count.
    #[oai(path = "/v1/notifications", method = "get", tag = "ApiTags::Notifications")]
    #[tracing::instrument(skip_all)]
    async fn notifications(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<Feed>> {
        let user = auth.0.id;
        let (items, unread) = state
            .db
            .run(move |conn| Ok((notifications::latest(conn, user, 100)?, notifications::unread_count(conn, user)?)))
            .await?;
        Ok(Json(Feed {
            unread,
            items: items
                .into_iter()
                .map(|n| NotificationOut {
                    id: n.id,
                    order_id: n.order_id.map(|id| id.0),
                    kind: n.kind,
                    title: n.title,
                    body: n.body,
                    created_at: n.created_at.and_utc(),
                    read: n.read_at.is_some(),
                })
                .collect(),
        }))
    }

    /// Marks a notification read.
    #[oai(path = "/v1/notifications/:id/read", method = "post", tag = "ApiTags::Notifications")]
    #[tracing::instrument(skip_all)]
    async fn read(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<i64>) -> poem::Result<Done> {
        let user = auth.0.id;
        state.db.run(move |conn| notifications::mark_read(conn, user, id.0)).await?;
        Ok(Done::Ok)
    }
}
