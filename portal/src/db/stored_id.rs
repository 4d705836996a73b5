//! Row ids as types: `stored_id!` declares a newtype over a table's `BigInt`
//! key (an order's, a cart's, an offer's …) that binds and loads as the
//! column itself on either backend, so a query can filter `orders::id` by an
//! `OrderId` and a row struct can hold one, while passing a cart's id where an
//! order's is wanted does not compile. The number is public (`.0`) for URLs,
//! JSON and the API, which speak plain integers.

/// Declares `struct $name(pub i64)` with diesel `BigInt` mapping, serde as
/// the bare number, `Display` and `FromStr`.
macro_rules! stored_id {
    (@backend $name:ident, $backend:ty) => {
        impl diesel::deserialize::FromSql<diesel::sql_types::BigInt, $backend> for $name {
            fn from_sql(bytes: <$backend as diesel::backend::Backend>::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                <i64 as diesel::deserialize::FromSql<diesel::sql_types::BigInt, $backend>>::from_sql(bytes).map($name)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::BigInt, $backend> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, $backend>) -> diesel::serialize::Result {
                <i64 as diesel::serialize::ToSql<diesel::sql_types::BigInt, $backend>>::to_sql(&self.0, out)
            }
        }
    };
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        $vis struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        $crate::db::stored_id::stored_id!(@backend $name, $crate::db::MultiBackend);
        $crate::db::stored_id::stored_id!(@backend $name, diesel::sqlite::Sqlite);
        $crate::db::stored_id::stored_id!(@backend $name, diesel::pg::Pg);
    };
}

pub(crate) use stored_id;

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use crate::db::schema::carts;
    use crate::db::Db;
    use crate::ids::{CartId, OrderId};

    #[test]
    fn an_id_binds_and_loads_as_its_column() {
        let db = Db::connect(":memory:", 1).expect("database");
        let conn = &mut *db.conn().expect("connection");
        let found: Vec<CartId> =
            carts::table.filter(carts::id.eq(CartId(7))).select(carts::id).load(conn).expect("query");
        assert!(found.is_empty());
        assert_eq!("42".parse::<OrderId>(), Ok(OrderId(42)));
        assert_eq!(serde_json::to_string(&OrderId(42)).expect("json"), "42");
    }
}
