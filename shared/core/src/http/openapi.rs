//! The answers every operation shares, written into its description once the
//! routes are merged, so `/openapi.json` lists every status an operation can
//! answer without each handler repeating them:
//!
//! - a credential: 401 without a valid one, 403 when its role, scopes or
//!   suspended user or tenant do not allow the operation;
//! - a JSON body: 400 when it is not JSON, 413 over the body limit, 415
//!   without `Content-Type: application/json`, 422 when it breaks a
//!   documented constraint;
//! - query parameters: 422 when one breaks its constraint;
//! - path parameters: 404 for a resource that is missing or another tenant's.
//!
//! Every error is `application/problem+json` with the [`Problem`] schema.
//! Operations tagged [`OWN_ANSWERS_TAG`] (the OpenAI-compatible ones, whose
//! errors are OpenAI's error objects) state every answer themselves.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use super::error::Problem;

pub const PROBLEM_JSON: &str = "application/problem+json";
/// The tag of operations that state all their answers themselves.
pub const OWN_ANSWERS_TAG: &str = "openai";

/// Completes every operation of `spec` (see the module docs).
pub fn complete(spec: &mut OpenApi) {
    for item in spec.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            if operation.tags.iter().flatten().any(|tag| tag == OWN_ANSWERS_TAG) {
                continue;
            }
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let in_where = |place: ParameterIn| {
        operation.parameters.iter().flatten().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let mut shared: Vec<(&str, &str)> = Vec::new();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        shared.push(("401", "no valid credential"));
        shared.push(("403", "the credential's role or scopes do not allow this, or its user or tenant is suspended"));
    }
    if operation.request_body.is_some() {
        shared.push(("400", "the body is not JSON"));
        shared.push(("413", "the body is larger than the limit"));
        shared.push(("415", "the body is not sent as `application/json`"));
        shared.push(("422", "the body breaks a documented constraint"));
    }
    if in_where(ParameterIn::Query) {
        shared.push(("422", "a query parameter breaks its documented constraint"));
    }
    if in_where(ParameterIn::Path) {
        shared.push(("404", "no such resource in this tenant"));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in shared {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(description).build()));
    }
    for (status, response) in responses.iter_mut() {
        if let (RefOr::T(response), true) = (response, status.as_str() >= "400") {
            response.content.clear();
            let problem = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(<Problem as utoipa::ToSchema>::name())))
                .build();
            response.content.insert(PROBLEM_JSON.to_owned(), problem.into());
        }
    }
}

/// The description of a create request: `T`'s (an update request's fields,
/// each optional), with the `required` ones required and never `null`.
pub fn create_request<T: utoipa::PartialSchema>(required: &[&str]) -> RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::Schema;
    use utoipa::openapi::schema::{SchemaType, Type};
    let RefOr::T(Schema::Object(mut object)) = T::schema() else { panic!("a request's fields are an object") };
    let is_null =
        |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
    for name in required {
        let property = object.properties.get_mut(*name).expect("a required field is one of the request's");
        // An `Option` field reads `{"oneOf": [T, {"type": "null"}]}` or `{"type": [.., "null"]}`.
        if let RefOr::T(Schema::OneOf(one_of)) = property
            && let Some(not_null) = one_of.items.iter().find(|s| !is_null(s))
        {
            *property = not_null.clone();
        }
        if let RefOr::T(Schema::Object(field)) = property
            && let SchemaType::Array(types) = &mut field.schema_type
        {
            types.retain(|kind| *kind != Type::Null);
        }
        object.required.push((*name).to_owned());
    }
    RefOr::T(Schema::Object(object))
}

/// Declares `$name`, the description of a create request that parses into
/// `$fields` (see [`create_request`]).
#[macro_export]
macro_rules! create_request {
    ($(#[$doc:meta])* $name:ident = $fields:ty, requiring [$($required:literal),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::Schema> {
                $crate::http::openapi::create_request::<$fields>(&[$($required),+])
            }
        }

        impl ::utoipa::ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, ::utoipa::openapi::RefOr<::utoipa::openapi::Schema>)>) {
                <$fields as ::utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}

/// `T`'s description, where at most one of the fields `either` may be given
/// (the other absent or `null`).
pub fn at_most_one_of<T: utoipa::PartialSchema>(either: [&str; 2]) -> RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::AnyOfBuilder;
    use utoipa::openapi::{AllOfBuilder, ObjectBuilder, Type};
    let absent = |name: &str| ObjectBuilder::new().property(name, ObjectBuilder::new().schema_type(Type::Null)).build();
    let one_left_out = AnyOfBuilder::new().item(absent(either[0])).item(absent(either[1]));
    AllOfBuilder::new().item(T::schema()).item(one_left_out).into()
}

/// The `data:` of a server-sent event that holds JSON described by `payload`
/// (for example a `$ref`): a string whose content schema it is, as
/// OpenAPI 3.2 and schemathesis read streamed events.
pub fn json_event_data(payload: serde_json::Value) -> utoipa::openapi::ObjectBuilder {
    use utoipa::openapi::extensions::Extensions;
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .content_media_type("application/json")
        .extensions(Some(Extensions::from_iter([("contentSchema", payload)])))
}
