//! Order statuses. The transitions between them (who may move an order
//! where) are enforced in one place; for now an order is born `new`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    New,
    Processing,
    Reserved,
    Paid,
    PartiallyShipped,
    Shipped,
    Closed,
    Cancelled,
    Returned,
    ReserveExpired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 10] = [
        OrderStatus::New,
        OrderStatus::Processing,
        OrderStatus::Reserved,
        OrderStatus::Paid,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::Closed,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
        OrderStatus::ReserveExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "new",
            OrderStatus::Processing => "processing",
            OrderStatus::Reserved => "reserved",
            OrderStatus::Paid => "paid",
            OrderStatus::PartiallyShipped => "partially_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
            OrderStatus::ReserveExpired => "reserve_expired",
        }
    }

    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}
