//! Integration tests live in `suite/`.
