//! A video job as Together's API returns it, and its decoding.
//!
//! Lenient where Together's docs and spec disagree (unknown statuses, integer or decimal
//! cost, absent optional fields, unknown fields); strict where a wrong value would
//! mislead the caller (`id` and `status` must be strings, every known field must have
//! its documented type, no string may hold a NUL character).

use serde_json::{Map, Value};

use crate::error::Error;

/// The lifecycle status of a job. `Unknown` stands for any status this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoStatus {
    Unknown,
    Queued,
    InProgress,
    Completed,
    Failed,
    Cancelled,
}

impl VideoStatus {
    /// Maps the server's text; anything unrecognised is `Unknown`.
    pub fn parse(raw: &str) -> VideoStatus {
        match raw {
            "queued" => VideoStatus::Queued,
            "in_progress" => VideoStatus::InProgress,
            "completed" => VideoStatus::Completed,
            "failed" => VideoStatus::Failed,
            "cancelled" | "canceled" => VideoStatus::Cancelled,
            _ => VideoStatus::Unknown,
        }
    }

    /// True once the job will not change any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, VideoStatus::Completed | VideoStatus::Failed | VideoStatus::Cancelled)
    }
}

/// Why a job failed, as the server reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobError {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// What a completed job produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    /// The cost charged; the spec says integer, the docs show decimals such as 0.28.
    pub cost: Option<f64>,
    pub video_url: Option<String>,
}

/// A video job. Optional fields are `None` when the server left them out (or sent null).
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    pub id: String,
    pub object: Option<String>,
    pub model: Option<String>,
    pub status: VideoStatus,
    /// The status exactly as the server sent it.
    pub status_raw: String,
    /// Unix time in seconds.
    pub created_at: Option<f64>,
    pub completed_at: Option<f64>,
    pub size: Option<String>,
    pub seconds: Option<String>,
    pub error: Option<JobError>,
    pub outputs: Option<Outputs>,
    /// The response body as received.
    pub json: String,
}

impl Video {
    /// Decodes a response body. Errors are `ErrorKind::Decode` and name the offending field.
    pub fn from_json(body: Vec<u8>) -> Result<Video, Error> {
        let json = String::from_utf8(body).map_err(|_| Error::decode("response body is not valid UTF-8"))?;
        let value: Value =
            serde_json::from_str(&json).map_err(|e| Error::decode(format!("response body is not valid JSON: {e}")))?;
        let Value::Object(fields) = value else {
            return Err(Error::decode(format!("response body is a JSON {}, not an object", type_name(&value))));
        };
        let status_raw = required_string(&fields, "status")?;
        Ok(Video {
            id: required_string(&fields, "id")?,
            object: optional_string(&fields, "object")?,
            model: optional_string(&fields, "model")?,
            status: VideoStatus::parse(&status_raw),
            status_raw,
            created_at: optional_number(&fields, "created_at")?,
            completed_at: optional_number(&fields, "completed_at")?,
            size: optional_text(&fields, "size")?,
            seconds: optional_text(&fields, "seconds")?,
            error: decode_job_error(&fields)?,
            outputs: decode_outputs(&fields)?,
            json,
        })
    }
}

fn decode_job_error(fields: &Map<String, Value>) -> Result<Option<JobError>, Error> {
    let Some(error) = optional_object(fields, "error")? else { return Ok(None) };
    Ok(Some(JobError {
        code: optional_text(error, "code").map_err(|e| nested("error", e))?,
        message: optional_string(error, "message").map_err(|e| nested("error", e))?,
    }))
}

fn decode_outputs(fields: &Map<String, Value>) -> Result<Option<Outputs>, Error> {
    let Some(outputs) = optional_object(fields, "outputs")? else { return Ok(None) };
    Ok(Some(Outputs {
        cost: optional_number(outputs, "cost").map_err(|e| nested("outputs", e))?,
        video_url: optional_string(outputs, "video_url").map_err(|e| nested("outputs", e))?,
    }))
}

/// Prefixes a field error with its parent object: `outputs.cost` rather than `cost`.
fn nested(parent: &str, error: Error) -> Error {
    Error::decode(error.message().replacen("field `", &format!("field `{parent}."), 1))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> Error {
    Error::decode(format!("field `{name}` must be {expected}, got {}", type_name(got)))
}

fn checked(name: &str, text: &str) -> Result<String, Error> {
    if text.contains('\0') {
        return Err(Error::decode(format!("field `{name}` contains a NUL character")));
    }
    Ok(text.to_owned())
}

fn required_string(fields: &Map<String, Value>, name: &str) -> Result<String, Error> {
    match fields.get(name) {
        Some(Value::String(text)) => checked(name, text),
        None | Some(Value::Null) => Err(Error::decode(format!("field `{name}` is missing"))),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

fn optional_string(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => checked(name, text).map(Some),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

/// A string, or a number kept as its JSON text (`"seconds": 5` reads as "5").
fn optional_text(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match fields.get(name) {
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(Value::String(_)) | None | Some(Value::Null) => optional_string(fields, name),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

fn optional_number(fields: &Map<String, Value>, name: &str) -> Result<Option<f64>, Error> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => {
            number.as_f64().map(Some).ok_or_else(|| Error::decode(format!("field `{name}` is not a finite number")))
        }
        Some(other) => Err(wrong_type(name, "a number", other)),
    }
}

fn optional_object<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<Option<&'a Map<String, Value>>, Error> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(other) => Err(wrong_type(name, "an object", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn decode(text: &str) -> Result<Video, Error> {
        Video::from_json(text.as_bytes().to_vec())
    }

    #[test]
    fn minimal_job_decodes_with_absent_fields() {
        let video = decode(r#"{"id":"v1","status":"queued"}"#).unwrap();
        assert_eq!(video.status, VideoStatus::Queued);
        assert_eq!((video.model, video.created_at, video.outputs), (None, None, None));
    }

    #[test]
    fn unknown_status_is_kept_raw() {
        let video = decode(r#"{"id":"v1","status":"expired"}"#).unwrap();
        assert_eq!((video.status, video.status_raw.as_str()), (VideoStatus::Unknown, "expired"));
    }

    #[test]
    fn integer_and_decimal_costs_both_decode() {
        for (text, cost) in [("1", 1.0), ("0.28", 0.28)] {
            let body = format!(r#"{{"id":"v","status":"completed","outputs":{{"cost":{text},"video_url":"u"}}}}"#);
            assert_eq!(decode(&body).unwrap().outputs.unwrap().cost, Some(cost));
        }
    }

    #[test]
    fn wrong_types_name_the_field() {
        let cases = [
            (r#"{"id":1,"status":"queued"}"#, "field `id` must be a string, got number"),
            (r#"{"id":"v","status":null}"#, "field `status` is missing"),
            (r#"{"id":"v","status":"queued","created_at":"x"}"#, "field `created_at` must be a number, got string"),
            (
                r#"{"id":"v","status":"queued","outputs":{"cost":"1"}}"#,
                "field `outputs.cost` must be a number, got string",
            ),
            (r#"{"id":"v","status":"queued","error":[]}"#, "field `error` must be an object, got array"),
            (r#"{"id":"v\u0000w","status":"queued"}"#, "field `id` contains a NUL character"),
            (r#"[1]"#, "response body is a JSON array, not an object"),
        ];
        for (body, message) in cases {
            let error = decode(body).unwrap_err();
            assert_eq!((error.kind(), error.message()), (ErrorKind::Decode, message), "{body}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let body = format!(r#"{{"id":"v","status":"queued","x":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(decode(&body).unwrap_err().kind(), ErrorKind::Decode);
    }
}
