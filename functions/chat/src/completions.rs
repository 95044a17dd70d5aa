//! `POST /api/v1/chat/completions`.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use paas_core::auth::permission::Permission;
use paas_core::auth::principal::Caller;
use paas_core::http::ApiJson;
use paas_core::{AppResult, AppState};
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument;

use crate::frames::{self, FrameEvent};
use crate::prepare::{self, ChatBody, TurnRequest};
use crate::turn;

/// Streams the answer as server-sent events: `session`, then `thought` and
/// `message` frames as they happen, an `error` if the turn failed, and
/// always exactly one `done`, last.
#[utoipa::path(post, path = "/api/v1/chat/completions", tag = "chat", security(("bearer" = []), ("api_key" = [])),
    request_body = TurnRequest,
    responses(
        (status = 200, content_type = "text/event-stream", body = FrameEvent,
            description = "Server-sent events. Each has an `event:` name (session, thought, message, error, done), an `id:` counting from 1 within the turn, and `data:` holding the frame as JSON, `{\"event\", \"data\"}`, as the schema describes. Comments (`: heartbeat`) come while nothing else is sent."),
        (status = 404, description = "the session or agent does not exist", body = paas_core::http::Problem),
        (status = 409, description = "`quota_busy`: many turns are drawing on the tenant's tokens at once; try again", body = paas_core::http::Problem),
        (status = 422, body = paas_core::http::Problem),
        (status = 429, description = "a quota is used up, or the tenant's concurrent turns are all streaming (Retry-After)", body = paas_core::http::Problem)))]
pub async fn completions(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChatBody>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    caller.require(Permission::Chat)?;
    let (prepared, budget) = prepare::prepare(&state, &caller, body.try_into()?).await?;
    let (tx, rx) = frames::channel();
    // Comments keep idle streams open: API Gateway and proxies close silent ones.
    let heartbeat = KeepAlive::new().interval(Duration::from_millis(state.config.heartbeat_ms)).text("heartbeat");
    // The turn outlives this handler; the request's span (tenant, route) goes with it.
    tokio::spawn(turn::run(state, prepared, budget, tx).in_current_span());
    // Let the turn start its provider call on this thread now, before the response is written,
    // rather than after it or once another thread has woken up to take it.
    tokio::task::yield_now().await;
    let events = ReceiverStream::new(rx).enumerate().map(|(i, frame)| Ok(frame.to_event(i as u64 + 1)));
    Ok(Sse::new(events).keep_alive(heartbeat))
}
