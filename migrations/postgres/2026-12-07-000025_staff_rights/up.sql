-- What each member of the supplier's staff may do beyond their role: a
-- space-separated list of rights (accounts::rights::Right), and the largest
-- manual discount they may give (basis points; NULL = the setting's limit for
-- managers, none for administrators). Staff keep what they could do before.
ALTER TABLE users ADD COLUMN rights TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN discount_limit_bp INTEGER;
UPDATE users SET rights = 'cancel_orders manual_discounts extend_reservations record_payments'
    WHERE role = 'manager';
UPDATE users SET rights = 'cancel_orders manual_discounts extend_reservations record_payments manage_users'
    WHERE role = 'admin';
-- The right a person used for this event, shown in the order's history.
ALTER TABLE order_events ADD COLUMN right_used TEXT;
