//! Order statuses. The transitions between them (who may move an order
//! where) are enforced in one place; for now an order is born `new`.

use crate::db::stored_text::stored_text_enum;

stored_text_enum! {
    /// Where an order is in its life (the transitions are `lifecycle`'s).
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum OrderStatus {
        New = "new",
        Processing = "processing",
        Reserved = "reserved",
        Paid = "paid",
        PartiallyShipped = "partially_shipped",
        Shipped = "shipped",
        Closed = "closed",
        Cancelled = "cancelled",
        Returned = "returned",
        ReserveExpired = "reserve_expired",
        /// Over the contract's credit: waits for the manager's approval
        /// (nothing reserved, no invoice yet).
        AwaitingApproval = "awaiting_approval",
    }
}

stored_text_enum! {
    /// Where an order stands with the ERP (label `sync.{state}`).
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum SyncState {
        /// No channel has taken the order yet.
        Pending = "pending",
        /// A channel took it; the ERP has not confirmed it under its number.
        Sent = "sent",
        /// The ERP took the order under its own number.
        Acknowledged = "acknowledged",
        /// The exchange reported an error for the order.
        Error = "error",
    }
}

#[cfg(test)]
mod tests {
    use super::{OrderStatus, SyncState};

    #[test]
    fn api_names_are_the_stored_texts() {
        crate::db::stored_text::assert_api_names_match(OrderStatus::ALL, |s| s.as_str());
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(*status));
        }
        crate::db::stored_text::assert_api_names_match(SyncState::ALL, |s| s.as_str());
    }
}
