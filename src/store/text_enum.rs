//! Statuses, kinds, actions and decisions: an enum in Rust, and in the database exactly the
//! string it always was (no migration). Reading a string the enum does not know is a read
//! error (`DeserializationError`, which the service answers as an internal error): a stored
//! value is never guessed at, defaulted or silently dropped.
//!
//! - The store's own enums are declared with `text_enum!`: they derive diesel's
//!   `AsExpression` and `FromSqlRow` for `Text`, with `ToSql`/`FromSql` on the
//!   `MultiBackend` of [`DbConn`](super::DbConn) (the bound value is the `&'static str`, which
//!   the multi backend hands to SQLite or PostgreSQL as text).
//! - The engine's and the domain's enums (`SiteStatus`, `SanctionKind`, `TestFormat`,
//!   `Category`, `InstitutionKind`) get the same behaviour here, behind the store, with
//!   `foreign_text_enum!`: `rules` and `domain` know nothing of diesel. Their expression is
//!   the text bound as `&'static str`.

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output};
use diesel::sql_types::Text;

use super::conn::{MultiBackend, MultiRawValue};
use crate::domain::{Category, InstitutionKind};
use crate::rules::{SanctionKind, SiteStatus, TestFormat};

/// A value stored as one of a fixed set of strings.
pub trait TextEnum: Copy + 'static {
    /// What the value is, for the error on a stored string that is none of [`Self::ALL`].
    const WHAT: &'static str;
    /// Every value. A variant left out cannot be read back: a loud error, not a wrong value.
    const ALL: &'static [Self];
    /// The stored string.
    fn text(self) -> &'static str;

    fn from_text(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.text() == s)
    }
}

/// `ToSql<Text, MultiBackend>`: the stored string.
pub fn write<T: TextEnum>(value: T, out: &mut Output<'_, '_, MultiBackend>) -> serialize::Result {
    out.set_value((Text, value.text()));
    Ok(IsNull::No)
}

/// `FromSql<Text, MultiBackend>`: an unknown string is an error naming it.
pub fn read<T: TextEnum>(bytes: MultiRawValue<'_>) -> deserialize::Result<T> {
    let s = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
    T::from_text(&s).ok_or_else(|| format!("unknown {} {s:?} in the database", T::WHAT).into())
}

/// Declares a store enum stored as text: `Variant = "stored string"`. It gets `as_str`,
/// `parse` (exact, `None` for anything else), diesel's `AsExpression`/`FromSqlRow` with
/// `ToSql`/`FromSql` on the multi backend, and serde as the same string.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::store::text_enum::TextEnum for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn text(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl $name {
            /// The stored string.
            pub fn as_str(self) -> &'static str {
                $crate::store::text_enum::TextEnum::text(self)
            }
            /// Exactly one of the stored strings.
            pub fn parse(s: &str) -> Option<Self> {
                <Self as $crate::store::text_enum::TextEnum>::from_text(s)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::store::conn::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::store::conn::MultiBackend>,
            ) -> diesel::serialize::Result {
                $crate::store::text_enum::write(*self, out)
            }
        }

        $crate::store::text_enum::backend_to_sql!($name);

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::store::conn::MultiBackend> for $name {
            fn from_sql(bytes: $crate::store::conn::MultiRawValue<'_>) -> diesel::deserialize::Result<Self> {
                $crate::store::text_enum::read(bytes)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&s, &[$($text),+])
                })
            }
        }
    };
}
pub(crate) use text_enum;

/// `ToSql` for each backend, besides the multi backend: diesel walks some queries (`eq_any`
/// with a list, inserts through a backend's own connection in `bulk`) with the backend the
/// connection holds, binding the value as that backend's text.
macro_rules! backend_to_sql {
    ($t:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

pub(crate) use backend_to_sql;

/// What `text_enum!` gives a store enum, for an enum declared in `rules` or `domain` (which
/// stay free of diesel): the text as its SQL expression, and reading it back.
macro_rules! foreign_text_enum {
    ($t:ident, $what:literal, [$($variant:ident),+ $(,)?]) => {
        impl TextEnum for $t {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($t::$variant),+];
            fn text(self) -> &'static str {
                self.as_str()
            }
        }

        impl diesel::expression::AsExpression<Text> for $t {
            type Expression = <&'static str as diesel::expression::AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                diesel::expression::AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl diesel::expression::AsExpression<Text> for &$t {
            type Expression = <&'static str as diesel::expression::AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                diesel::expression::AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<Text, MultiBackend> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                write(*self, out)
            }
        }

        backend_to_sql!($t);

        impl FromSql<Text, MultiBackend> for $t {
            fn from_sql(bytes: MultiRawValue<'_>) -> deserialize::Result<Self> {
                read(bytes)
            }
        }

        impl<ST> diesel::deserialize::Queryable<ST, MultiBackend> for $t
        where
            ST: diesel::sql_types::SingleValue,
            Self: FromSql<ST, MultiBackend>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    };
}

foreign_text_enum!(
    SiteStatus,
    "site status",
    [
        Active,
        Suspended,
        Terminated,
        Banned,
        InstitutionSuspended,
        InstitutionTerminated,
        InstitutionExpired,
        Unregistered,
    ]
);
foreign_text_enum!(SanctionKind, "sanction kind", [Interview, Suspension, Termination]);
foreign_text_enum!(TestFormat, "training test format", [Closed, Open]);
foreign_text_enum!(Category, "practitioner category", [Physician, Nurse, Pharmacist, Technician, Carer]);
foreign_text_enum!(InstitutionKind, "institution kind", [Medical, Pharmacy]);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: TextEnum + PartialEq + std::fmt::Debug>() {
        for &v in T::ALL {
            assert_eq!(T::from_text(v.text()), Some(v));
        }
        assert_eq!(T::from_text("no such value"), None);
    }

    #[test]
    fn every_value_reads_back_as_itself() {
        round_trip::<SiteStatus>();
        round_trip::<SanctionKind>();
        round_trip::<TestFormat>();
        round_trip::<Category>();
        round_trip::<InstitutionKind>();
        assert_eq!(SiteStatus::ALL.len(), 8);
        assert_eq!(<Category as TextEnum>::ALL, &Category::ALL[..]);
    }

    /// A fresh, migrated SQLite database holding `sql`.
    fn database_with(sql: &str) -> (tempfile::TempDir, crate::store::PooledConn) {
        use diesel::connection::SimpleConnection;
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::connect(&dir.path().join("t.db").to_string_lossy()).unwrap();
        let mut c = pool.get().unwrap();
        c.batch_execute(sql).unwrap();
        (dir, c)
    }

    fn cause(e: diesel::result::Error) -> String {
        std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.to_string())
    }

    #[test]
    fn an_unknown_stored_value_is_a_read_error() {
        let (_dir, mut c) = database_with(
            "INSERT INTO proj_intervals (personnel_code, institution_code, from_on, until_on, status) \
             VALUES ('D370811000001', 'H37081100001', '2024-01-01', NULL, 'paused'); \
             INSERT INTO institutions (code, name, kind, region_code, agreement_start, agreement_end, recorded_at, \
             public) VALUES ('H37081100001', 'h', 'medical', '370811', '2020-01-01', '2030-12-31', \
             '2024-01-01 00:00:00', false); \
             INSERT INTO institution_events (institution_code, action, from_on, reason, article, recorded_at, \
             requested) VALUES ('H37081100001', 'pause', '2024-01-01', 'r', 'a', '2024-01-01 00:00:00', false); \
             INSERT INTO institutions (code, name, kind, region_code, agreement_start, agreement_end, recorded_at, \
             public) VALUES ('H37081100002', 'h', 'clinic', '370811', '2020-01-01', '2030-12-31', \
             '2024-01-01 00:00:00', false); \
             INSERT INTO practitioners (personnel_code, name, id_number, category, birth_date, recorded_at) \
             VALUES ('D370811000001', 'p', '370811198001010011', 'chef', '1980-01-01', '2024-01-01 00:00:00');",
        );
        let e = crate::store::projections::all_intervals(&mut c).unwrap_err();
        assert_eq!(cause(e), r#"unknown site status "paused" in the database"#);
        let e = crate::store::facts::institution_facts(&mut c, "H37081100001").unwrap_err();
        assert_eq!(cause(e), r#"unknown institution agreement action "pause" in the database"#);
        let e = crate::store::facts::institution(&mut c, "H37081100002").unwrap_err();
        assert_eq!(cause(e), r#"unknown institution kind "clinic" in the database"#);
        let e = crate::store::facts::practitioner(&mut c, "D370811000001").unwrap_err();
        assert_eq!(cause(e), r#"unknown practitioner category "chef" in the database"#);
    }

    #[test]
    fn a_notice_body_not_of_its_kind_is_a_read_error() {
        let insert = |kind: &str, body: &str| {
            format!(
                "INSERT INTO notices (kind, institution_code, notice_date, title, body, recorded_at) \
                 VALUES ('{kind}', 'H37081100001', '2024-01-01', 't', '{body}', '2024-01-01 00:00:00');"
            )
        };
        let institution = r#"{"action":"restore","article":"三(四)","from":"2024-01-01","institution_code":"H37081100001","objection":null,"reason":"r","staff":"s","until":null}"#;
        let (_dir, mut c) = database_with(
            &[insert("memo", "{}"), insert("revocation", "{}"), insert("institution_suspend", institution)].concat(),
        );
        let cause_of =
            |c: &mut crate::store::PooledConn, id| cause(crate::store::due_process::notice(c, id).unwrap_err());
        assert_eq!(cause_of(&mut c, 1), r#"unknown notice kind "memo" in the database"#);
        assert!(
            cause_of(&mut c, 2).starts_with("the body of a revocation notice: missing field"),
            "{}",
            cause_of(&mut c, 2)
        );
        assert_eq!(cause_of(&mut c, 3), "notice kind institution_suspend with a body of kind institution_restore");
    }
}
