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
            raw.cursor.map(|c| Cursor::decode(&c)).transpose().map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(Self { limit, cursor })
    }
}

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
