//! A function declares its routes once, in a function generic over
//! [`RouteTable`]; each table takes what it needs from them. The service a
//! function runs on Lambda (an `axum::Router`) takes the handlers only. The
//! local runner and `paas openapi` use an `OpenApiRouter`, which also builds
//! each route's OpenAPI description: that takes time and code a cold start
//! has no use for, so a Lambda binary never contains it.
//!
//! ```ignore
//! pub fn routes<T: RouteTable<AppState>>(table: T) -> T {
//!     let table = paas_core::route!(table, sessions::list, sessions::create);
//!     paas_core::route!(table, sessions::get)
//! }
//! ```

use axum::Router;
use axum::routing::MethodRouter;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// Where a function's routes go.
pub trait RouteTable<S>: Sized {
    /// Adds the handlers of one path. `described` builds their OpenAPI
    /// description, and only a describing table calls it.
    fn add(self, path: &str, handlers: MethodRouter<S>, described: impl FnOnce() -> UtoipaMethodRouter<S>) -> Self;
}

impl<S: Clone + Send + Sync + 'static> RouteTable<S> for Router<S> {
    fn add(self, path: &str, handlers: MethodRouter<S>, _: impl FnOnce() -> UtoipaMethodRouter<S>) -> Self {
        self.route(path, handlers)
    }
}

impl<S: Clone + Send + Sync + 'static> RouteTable<S> for OpenApiRouter<S> {
    fn add(self, _: &str, _: MethodRouter<S>, described: impl FnOnce() -> UtoipaMethodRouter<S>) -> Self {
        self.routes(described())
    }
}

/// Adds handlers that share a path (each declared with `#[utoipa::path]`) to
/// a [`RouteTable`]: `route!(table, module::get_thing, module::put_thing)`.
#[macro_export]
macro_rules! route {
    // Handlers as identifier paths, not `path` fragments: utoipa-axum's
    // helper arms take them apart to name each handler's `__path_` type.
    ($table:expr, $($($handler:ident)::+),+ $(,)?) => {{
        let mut handlers = ::axum::routing::MethodRouter::new();
        let mut path = ::std::string::String::new();
        $(
            let this = ::utoipa_axum::routes!(@path [path()] of $($handler)::+);
            assert!(path.is_empty() || path == this, "route! groups handlers of one path: {path} and {this}");
            path = this;
            for method in ::utoipa_axum::routes!(@path [methods()] of $($handler)::+) {
                handlers = handlers.on(::utoipa_axum::PathItemExt::to_method_filter(&method), $($handler)::+);
            }
        )+
        $crate::http::routes::RouteTable::add($table, &path, handlers, || ::utoipa_axum::routes!($($($handler)::+),+))
    }};
}
