//! Enums stored as text: `stored_text_enum!` declares a state (an order's
//! status, a run's outcome, an event's kind …) together with its one mapping
//! to the text in the database, and makes it a diesel `Text` value on either
//! backend, so queries bind and load the enum itself and a typo in a state
//! does not compile. A stored text the enum does not know fails the load
//! with the column's enum named; it is never read as some default.
//!
//! The same text is the enum's serde form (templates, JSON details) and must
//! be its API form: an enum exposed in the API derives `poem_openapi::Enum`
//! with `rename_all = "snake_case"`, and its unit test compares the two.

/// Declares `enum $name { Variant = "text", … }` with `as_str`, `parse`,
/// `ALL`, `Display`, serde in the stored text, and diesel `Text` mapping.
macro_rules! stored_text_enum {
    // Loads and binds the enum as text on one backend (the multi-connection
    // one, and each inner one for statements run per backend).
    (@backend $name:ident, $backend:ty) => {
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $backend> for $name {
            fn from_sql(bytes: <$backend as diesel::backend::Backend>::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, $backend>>::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| format!("unknown {} stored: {:?}", stringify!($name), text).into())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $backend> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, $backend>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $backend>>::to_sql(self.as_str(), out)
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database (and used in URLs, JSON and message keys).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// The value stored as `text`, if there is one.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        $crate::db::stored_text::stored_text_enum!(@backend $name, $crate::db::MultiBackend);
        $crate::db::stored_text::stored_text_enum!(@backend $name, diesel::sqlite::Sqlite);
        $crate::db::stored_text::stored_text_enum!(@backend $name, diesel::pg::Pg);
    };
}

pub(crate) use stored_text_enum;

/// Checks that an enum's API names (poem-openapi) are its stored texts.
#[cfg(test)]
pub(crate) fn assert_api_names_match<T>(values: &[T], stored: impl Fn(&T) -> &'static str)
where
    T: poem_openapi::types::ToJSON,
{
    for value in values {
        assert_eq!(value.to_json(), Some(serde_json::Value::from(stored(value))));
    }
}
