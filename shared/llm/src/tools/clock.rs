//! `current_time`: models do not know what time it is; this tells them, in the zone they ask for.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::args::optional_str;
use super::{Tool, ToolContext, ToolError};
use crate::ToolSpec;

pub(super) const NAME: &str = "current_time";

pub(super) struct CurrentTime;

/// What the model is shown, without the tool: the catalog lists it.
pub(super) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME.into(),
        description: "The current date, time and weekday in a time zone.".into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "timezone": {"type": "string", "description": "IANA time zone, e.g. Europe/Paris; default UTC"}
            }
        }),
    }
}

#[async_trait]
impl Tool for CurrentTime {
    fn spec(&self) -> ToolSpec {
        spec()
    }

    async fn call(&self, arguments: &Value, _ctx: &ToolContext) -> Result<String, ToolError> {
        let zone = zone(optional_str(arguments, "timezone")?.unwrap_or("UTC"))?;
        Ok(describe(Timestamp::now(), zone))
    }
}

/// The IANA zone named `name`, ignoring case (models write `europe/paris` too).
fn zone(name: &str) -> Result<TimeZone, ToolError> {
    let name = name.trim();
    super::tzdb::get(name).ok_or_else(|| {
        ToolError::InvalidArguments(format!("unknown time zone `{name}` (use an IANA name like Europe/Paris)"))
    })
}

/// e.g. `2026-11-25T21:30:00+01:00 (Wednesday, Europe/Paris)`.
fn describe(now: Timestamp, zone: TimeZone) -> String {
    let name = zone.iana_name().unwrap_or("UTC").to_owned();
    let local = now.to_zoned(zone);
    format!("{} ({}, {name})", local.strftime("%Y-%m-%dT%H:%M:%S%:z"), local.strftime("%A"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net_guard::NetPolicy;

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().unwrap()
    }

    #[test]
    fn describes_the_time_in_a_zone() {
        let now = at("2026-11-25T20:30:00Z");
        assert_eq!(describe(now, zone("Europe/Paris").unwrap()), "2026-11-25T21:30:00+01:00 (Wednesday, Europe/Paris)");
        assert_eq!(describe(now, zone("UTC").unwrap()), "2026-11-25T20:30:00+00:00 (Wednesday, UTC)");
        assert_eq!(describe(now, zone("Asia/Tokyo").unwrap()), "2026-11-26T05:30:00+09:00 (Thursday, Asia/Tokyo)");
        assert_eq!(
            describe(now, zone("America/New_York").unwrap()),
            "2026-11-25T15:30:00-05:00 (Wednesday, America/New_York)"
        );
    }

    #[test]
    fn follows_daylight_saving_time() {
        let summer = at("2026-07-01T12:00:00Z");
        assert_eq!(
            describe(summer, zone("Europe/Paris").unwrap()),
            "2026-07-01T14:00:00+02:00 (Wednesday, Europe/Paris)"
        );
    }

    #[test]
    fn zone_names_ignore_case() {
        assert_eq!(zone("europe/paris").unwrap().iana_name(), Some("Europe/Paris"));
        assert_eq!(zone(" utc ").unwrap().iana_name(), Some("UTC"));
    }

    #[tokio::test]
    async fn defaults_to_utc_and_refuses_unknown_zones() {
        let ctx = ToolContext::new(NetPolicy::cloud(), Vec::new());
        let answer = CurrentTime.call(&json!({}), &ctx).await.unwrap();
        assert!(answer.ends_with(", UTC)") && answer.contains("+00:00"), "{answer}");
        let answer = CurrentTime.call(&json!({"timezone": "Mars/Olympus"}), &ctx).await;
        assert_eq!(
            answer,
            Err(ToolError::InvalidArguments(
                "unknown time zone `Mars/Olympus` (use an IANA name like Europe/Paris)".into()
            ))
        );
        let answer = CurrentTime.call(&json!({"timezone": 1}), &ctx).await;
        assert_eq!(answer, Err(ToolError::InvalidArguments("`timezone` must be a string".into())));
    }
}
