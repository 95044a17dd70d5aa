//! List pages: `?limit=50&cursor=<opaque>` in, `{"items", "next_cursor"}` out.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::store::Cursor;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;

/// The page a list request asks for.
#[derive(Debug, Clone)]
pub struct PageParams {
    pub limit: usize,
    pub cursor: Option<Cursor>,
}

#[derive(Deserialize)]
struct RawParams {
    limit: Option<usize>,
    cursor: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(raw) = Query::<RawParams>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Validation(format!("limit must be a whole number from 1 to {MAX_LIMIT}")))?;
        let limit = raw.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::Validation(format!("limit must be a whole number from 1 to {MAX_LIMIT}")));
        }
        let cursor =
            raw.cursor.map(|c| Cursor::decode(&c)).transpose().map_err(|e| AppError::Validation(e.to_string()))?;
        Ok(Self { limit, cursor })
    }
}

/// `limit` and `cursor` as the description of every list route shows them.
impl utoipa::IntoParams for PageParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT as f64))
            .default(Some(DEFAULT_LIMIT.into()));
        let cursor = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom(CURSOR_FORMAT.into())));
        let parameter = |name: &str, description: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(schema.build()))
                .build()
        };
        vec![
            parameter("limit", "How many items the page holds at most.", limit),
            parameter(
                "cursor",
                "The `next_cursor` of this list's previous page; any other value is refused with 422.",
                cursor,
            ),
        ]
    }
}

/// The format of a cursor: opaque, valid only as this API issued it for one list.
pub const CURSOR_FORMAT: &str = "cursor";

/// One page of a list, newest first unless the route says otherwise.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, next_cursor: Option<String>) -> Self {
        Self { items, next_cursor }
    }
}
