//! Minimal JSON-schema checking: enough to catch a model's malformed tool call (a missing or
//! mistyped property, a value outside an enum) and an admin's malformed parameter schema, without
//! a full JSON-schema engine. Properties the schema does not describe are allowed.

use serde_json::Value;

use super::ToolError;

/// A parameter schema is sent to the model with every turn; a huge one would eat the context.
const MAX_SCHEMA_BYTES: usize = 32 * 1024;

/// The property types [`check_arguments`] understands.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "object", "array"];

/// Checks a tenant-supplied JSON schema for tool parameters: an object schema (`"type":
/// "object"`, `"properties"` an object of property schemas, optional `"required"` naming some of
/// them), at most 32 KiB. Used when an admin registers a tool.
/// What [`check_parameters_schema`] accepts, as a JSON Schema (all but its
/// size and that each required name is a property).
pub fn parameters_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let string_of = |values: &[&str]| ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.to_vec()));
    let options = ArrayBuilder::new().items(ObjectBuilder::new().schema_type(SchemaType::AnyValue)).min_items(Some(1));
    let property = ObjectBuilder::new().property("type", string_of(&TYPES)).property("enum", options);
    let properties = ObjectBuilder::new().additional_properties(Some(property));
    let names = ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String));
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some("A JSON Schema of the tool's arguments: an object with `properties`."))
        .property("type", string_of(&["object"]))
        .property("properties", properties)
        .property("required", names)
        .required("type")
        .required("properties")
        .into()
}

pub fn check_parameters_schema(schema: &Value) -> Result<(), String> {
    if schema.to_string().len() > MAX_SCHEMA_BYTES {
        return Err(format!("the schema is larger than {} KiB", MAX_SCHEMA_BYTES / 1024));
    }
    let schema = schema.as_object().ok_or("the schema must be a JSON object")?;
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        return Err("the schema's \"type\" must be \"object\"".into());
    }
    let properties =
        schema.get("properties").and_then(Value::as_object).ok_or("the schema's \"properties\" must be an object")?;
    for (name, property) in properties {
        let property =
            property.as_object().ok_or_else(|| format!("property `{name}`: its schema must be an object"))?;
        let known_type =
            property.get("type").is_none_or(|kind| kind.as_str().is_some_and(|kind| TYPES.contains(&kind)));
        if !known_type {
            return Err(format!("property `{name}`: \"type\" must be one of {}", TYPES.join(", ")));
        }
        let enum_has_options =
            property.get("enum").is_none_or(|options| options.as_array().is_some_and(|options| !options.is_empty()));
        if !enum_has_options {
            return Err(format!("property `{name}`: \"enum\" must be a non-empty array"));
        }
    }
    if let Some(required) = schema.get("required") {
        let required = required.as_array().ok_or("\"required\" must be an array of property names")?;
        for name in required {
            let name = name.as_str().ok_or("\"required\" must be an array of property names")?;
            if !properties.contains_key(name) {
                return Err(format!("required property `{name}` is not in \"properties\""));
            }
        }
    }
    Ok(())
}

/// Checks a model's arguments against a tool's parameter schema: an object, with every required
/// property, each described property of its type and among its `enum` values.
pub(super) fn check_arguments(schema: &Value, arguments: &Value) -> Result<(), String> {
    let arguments = arguments.as_object().ok_or("the arguments must be a JSON object")?;
    let mut required = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str);
    if let Some(missing) = required.find(|name| !arguments.contains_key(*name)) {
        return Err(format!("`{missing}` is required"));
    }
    for (name, value) in arguments {
        let property = &schema["properties"][name];
        if let Some(kind) = property["type"].as_str().filter(|kind| !has_type(value, kind)) {
            return Err(format!("`{name}` must be {}", with_article(kind)));
        }
        if let Some(options) = property["enum"].as_array().filter(|options| !options.contains(value)) {
            let options: Vec<String> = options.iter().map(Value::to_string).collect();
            return Err(format!("`{name}` must be one of {}", options.join(", ")));
        }
    }
    Ok(())
}

/// Whether `value` is of JSON-schema type `kind`; a type this checker does not know passes.
fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "number" => value.is_number(),
        // JSON Schema counts 1.0 as an integer.
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|number| number.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => true,
    }
}

fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {kind}")
}

/// A string argument a tool requires; [`check_arguments`] has usually caught its absence already,
/// but a tool may be called directly.
pub(super) fn required_str<'a>(arguments: &'a Value, name: &str) -> Result<&'a str, ToolError> {
    optional_str(arguments, name)?.ok_or_else(|| ToolError::InvalidArguments(format!("`{name}` is required")))
}

/// A string argument that may be absent (or null).
pub(super) fn optional_str<'a>(arguments: &'a Value, name: &str) -> Result<Option<&'a str>, ToolError> {
    match &arguments[name] {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        _ => Err(ToolError::InvalidArguments(format!("`{name}` must be a string"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer"},
                "ratio": {"type": "number"},
                "metric": {"type": "boolean"},
                "filters": {"type": "object"},
                "tags": {"type": "array"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "anything": {}
            },
            "required": ["city"]
        })
    }

    #[test]
    fn accepts_well_typed_arguments_and_unknown_properties() {
        let arguments = json!({
            "city": "Paris", "days": 3, "ratio": 0.5, "metric": true, "filters": {}, "tags": [],
            "unit": "celsius", "anything": null, "extra": [1]
        });
        assert_eq!(check_arguments(&schema(), &arguments), Ok(()));
        assert_eq!(check_arguments(&schema(), &json!({"city": "Oslo", "days": 2.0})), Ok(()));
    }

    #[test]
    fn requires_an_object() {
        for arguments in [json!([]), json!("city"), json!(null), json!(3)] {
            assert_eq!(check_arguments(&schema(), &arguments), Err("the arguments must be a JSON object".into()));
        }
    }

    #[test]
    fn names_the_missing_required_property() {
        assert_eq!(check_arguments(&schema(), &json!({"days": 1})), Err("`city` is required".into()));
    }

    #[test]
    fn names_the_mistyped_property() {
        for (arguments, expected) in [
            (json!({"city": 1}), "`city` must be a string"),
            (json!({"city": "x", "days": 1.5}), "`days` must be an integer"),
            (json!({"city": "x", "days": "3"}), "`days` must be an integer"),
            (json!({"city": "x", "ratio": "0.5"}), "`ratio` must be a number"),
            (json!({"city": "x", "metric": "yes"}), "`metric` must be a boolean"),
            (json!({"city": "x", "filters": []}), "`filters` must be an object"),
            (json!({"city": "x", "tags": {}}), "`tags` must be an array"),
        ] {
            assert_eq!(check_arguments(&schema(), &arguments), Err(expected.into()), "{arguments}");
        }
    }

    #[test]
    fn enforces_enums() {
        assert_eq!(
            check_arguments(&schema(), &json!({"city": "x", "unit": "kelvin"})),
            Err("`unit` must be one of \"celsius\", \"fahrenheit\"".into())
        );
    }

    #[test]
    fn accepts_well_formed_parameter_schemas() {
        assert_eq!(check_parameters_schema(&schema()), Ok(()));
        assert_eq!(check_parameters_schema(&json!({"type": "object", "properties": {}})), Ok(()));
    }

    #[test]
    fn refuses_malformed_parameter_schemas() {
        for (schema, expected) in [
            (json!([]), "the schema must be a JSON object"),
            (json!({"properties": {}}), "the schema's \"type\" must be \"object\""),
            (json!({"type": "string", "properties": {}}), "the schema's \"type\" must be \"object\""),
            (json!({"type": "object"}), "the schema's \"properties\" must be an object"),
            (json!({"type": "object", "properties": []}), "the schema's \"properties\" must be an object"),
            (json!({"type": "object", "properties": {"a": 1}}), "property `a`: its schema must be an object"),
            (
                json!({"type": "object", "properties": {"a": {"type": "str"}}}),
                "property `a`: \"type\" must be one of string, number, integer, boolean, object, array",
            ),
            (
                json!({"type": "object", "properties": {"a": {"enum": []}}}),
                "property `a`: \"enum\" must be a non-empty array",
            ),
            (
                json!({"type": "object", "properties": {}, "required": "a"}),
                "\"required\" must be an array of property names",
            ),
            (
                json!({"type": "object", "properties": {}, "required": [1]}),
                "\"required\" must be an array of property names",
            ),
            (
                json!({"type": "object", "properties": {"a": {}}, "required": ["b"]}),
                "required property `b` is not in \"properties\"",
            ),
        ] {
            assert_eq!(check_parameters_schema(&schema), Err(expected.into()), "{schema}");
        }
    }

    #[test]
    fn refuses_schemas_over_32_kib() {
        let description = "x".repeat(MAX_SCHEMA_BYTES);
        let schema = json!({"type": "object", "properties": {"a": {"type": "string", "description": description}}});
        assert_eq!(check_parameters_schema(&schema), Err("the schema is larger than 32 KiB".into()));
    }

    #[test]
    fn string_accessors_refuse_other_types() {
        let arguments = json!({"a": "x", "b": 1, "c": null});
        assert_eq!(required_str(&arguments, "a"), Ok("x"));
        assert_eq!(optional_str(&arguments, "c"), Ok(None));
        assert_eq!(optional_str(&arguments, "missing"), Ok(None));
        assert_eq!(required_str(&arguments, "b"), Err(ToolError::InvalidArguments("`b` must be a string".into())));
        assert_eq!(required_str(&arguments, "c"), Err(ToolError::InvalidArguments("`c` is required".into())));
    }
}
