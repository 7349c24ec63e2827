//! A video job as Together's API returns it, and its decoding.
//!
//! Lenient where Together's docs and spec disagree (unknown statuses, integer or decimal
//! cost, absent optional fields, unknown fields); strict where a wrong value would
//! mislead the caller (`id` and `status` must be strings, every known field must have
//! its documented type, no string may hold a NUL character).

use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::Deserialize as DeriveDeserialize;
use serde_json::Number;

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
        let wire = {
            let mut deserializer = serde_json::Deserializer::from_str(&json);
            let wire = Top::deserialize(&mut deserializer).and_then(|top| deserializer.end().map(|()| top));
            match wire.map_err(|e| Error::decode(format!("response body is not valid JSON: {e}")))? {
                Top::Job(wire) => wire,
                Top::Other(kind) => {
                    return Err(Error::decode(format!("response body is a JSON {kind}, not an object")));
                }
            }
        };
        let status_raw = wire.status.required("status")?;
        let video = Video {
            id: wire.id.required("id")?,
            object: wire.object.string("object")?,
            model: wire.model.string("model")?,
            status: VideoStatus::parse(&status_raw),
            status_raw,
            created_at: wire.created_at.number("created_at")?,
            completed_at: wire.completed_at.number("completed_at")?,
            size: wire.size.text("size")?,
            seconds: wire.seconds.text("seconds")?,
            error: match wire.error.object("error")? {
                None => None,
                Some(error) => Some(JobError {
                    code: error.code.text("error.code")?,
                    message: error.message.string("error.message")?,
                }),
            },
            outputs: match wire.outputs.object("outputs")? {
                None => None,
                Some(outputs) => Some(Outputs {
                    cost: outputs.cost.number("outputs.cost")?,
                    video_url: outputs.video_url.string("outputs.video_url")?,
                }),
            },
            json: String::new(),
        };
        Ok(Video { json, ..video })
    }
}

/// The response body: a job object, or the kind of JSON it was instead.
#[allow(clippy::large_enum_variant)] // one on the stack per decode, never stored
enum Top<'a> {
    Job(Wire<'a>),
    Other(&'static str),
}

/// The fields a job may have, each kept just far enough to check its type: one pass
/// over the body, strings borrowed from it where they hold no escapes.
#[derive(DeriveDeserialize)]
struct Wire<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    object: Field<'a>,
    #[serde(borrow, default)]
    model: Field<'a>,
    #[serde(borrow, default)]
    status: Field<'a>,
    #[serde(borrow, default)]
    created_at: Field<'a>,
    #[serde(borrow, default)]
    completed_at: Field<'a>,
    #[serde(borrow, default)]
    size: Field<'a>,
    #[serde(borrow, default)]
    seconds: Field<'a>,
    #[serde(borrow, default)]
    error: Nested<WireError<'a>>,
    #[serde(borrow, default)]
    outputs: Nested<WireOutputs<'a>>,
}

#[derive(DeriveDeserialize)]
struct WireError<'a> {
    #[serde(borrow, default)]
    code: Field<'a>,
    #[serde(borrow, default)]
    message: Field<'a>,
}

#[derive(DeriveDeserialize)]
struct WireOutputs<'a> {
    #[serde(borrow, default)]
    cost: Field<'a>,
    #[serde(borrow, default)]
    video_url: Field<'a>,
}

/// A scalar field as found: absent and null are both "not there".
#[derive(Default)]
enum Field<'a> {
    #[default]
    Absent,
    Text(Cow<'a, str>),
    Number(Number),
    /// Any other JSON type, by name.
    Other(&'static str),
}

/// An object field as found.
#[derive(Default)]
enum Nested<T> {
    #[default]
    Absent,
    Object(T),
    Other(&'static str),
}

fn wrong_type(name: &str, expected: &str, got: &str) -> Error {
    Error::decode(format!("field `{name}` must be {expected}, got {got}"))
}

fn checked(name: &str, text: Cow<'_, str>) -> Result<String, Error> {
    if text.contains('\0') {
        return Err(Error::decode(format!("field `{name}` contains a NUL character")));
    }
    Ok(text.into_owned())
}

impl Field<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Field::Absent => "null",
            Field::Text(_) => "string",
            Field::Number(_) => "number",
            Field::Other(kind) => kind,
        }
    }

    fn required(self, name: &str) -> Result<String, Error> {
        match self {
            Field::Text(text) => checked(name, text),
            Field::Absent => Err(Error::decode(format!("field `{name}` is missing"))),
            other => Err(wrong_type(name, "a string", other.kind())),
        }
    }

    fn string(self, name: &str) -> Result<Option<String>, Error> {
        match self {
            Field::Absent => Ok(None),
            Field::Text(text) => checked(name, text).map(Some),
            other => Err(wrong_type(name, "a string", other.kind())),
        }
    }

    /// A string, or a number kept as its JSON text (`"seconds": 5` reads as "5").
    fn text(self, name: &str) -> Result<Option<String>, Error> {
        match self {
            Field::Number(number) => Ok(Some(number.to_string())),
            other => other.string(name),
        }
    }

    fn number(self, name: &str) -> Result<Option<f64>, Error> {
        match self {
            Field::Absent => Ok(None),
            Field::Number(number) => {
                number.as_f64().map(Some).ok_or_else(|| Error::decode(format!("field `{name}` is not a finite number")))
            }
            other => Err(wrong_type(name, "a number", other.kind())),
        }
    }
}

impl<T> Nested<T> {
    fn object(self, name: &str) -> Result<Option<T>, Error> {
        match self {
            Nested::Absent => Ok(None),
            Nested::Object(object) => Ok(Some(object)),
            Nested::Other(kind) => Err(wrong_type(name, "an object", kind)),
        }
    }
}

/// A decoded shape that can also say "found a JSON value of this kind instead".
trait Kinds<'de>: Sized {
    fn found(kind: &'static str) -> Self;
}

impl<'de, 'a> Kinds<'de> for Field<'a> {
    fn found(kind: &'static str) -> Self {
        Field::Other(kind)
    }
}

impl<T> Kinds<'_> for Nested<T> {
    fn found(kind: &'static str) -> Self {
        Nested::Other(kind)
    }
}

impl<'de, 'a> Kinds<'de> for Top<'a> {
    fn found(kind: &'static str) -> Self {
        Top::Other(kind)
    }
}

/// The visits every visitor below shares: values no field keeps become `found(kind)`,
/// with nested content skipped.
macro_rules! skip_visits {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Self::Value::found("boolean"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Self::Value::found("null"))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(Self::Value::found("array"))
        }
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for FieldVisitor<'a> {
            type Value = Field<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            skip_visits!();
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Field::Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Field::Text(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Field::Text(Cow::Owned(text)))
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
                Ok(Field::Number(number.into()))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
                Ok(Field::Number(number.into()))
            }
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Self::Value, E> {
                Ok(Number::from_f64(number).map_or(Field::Other("number"), Field::Number))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Field::Other("object"))
            }
        }
        let field = deserializer.deserialize_any(FieldVisitor(std::marker::PhantomData))?;
        // null reads as absent.
        Ok(match field {
            Field::Other("null") => Field::Absent,
            field => field,
        })
    }
}

/// Deserializes a JSON object into `T`, anything else into `found(kind)`.
fn object_or_kind<'de, D, T, W>(deserializer: D, wrap: fn(T) -> W) -> Result<W, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
    W: Kinds<'de>,
{
    struct ObjectVisitor<T, W>(fn(T) -> W);
    impl<'de, T: Deserialize<'de>, W: Kinds<'de>> Visitor<'de> for ObjectVisitor<T, W> {
        type Value = W;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        skip_visits!();
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(W::found("string"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(W::found("number"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(W::found("number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(W::found("number"))
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(self.0)
        }
    }
    deserializer.deserialize_any(ObjectVisitor(wrap))
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nested<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match object_or_kind(deserializer, Nested::Object)? {
            Nested::Other("null") => Nested::Absent,
            nested => nested,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_or_kind(deserializer, Top::Job)
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
    fn deep_nesting_is_never_a_crash() {
        // Miri interprets every byte: a shallower nest makes the same point there.
        let depth = if cfg!(miri) { 300 } else { 100_000 };
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        // Skipped without recursion in a field this version does not know...
        let body = format!(r#"{{"id":"v","status":"queued","x":{deep}}}"#);
        assert_eq!(decode(&body).unwrap().id, "v");
        // ...and refused where an object or the whole job was expected.
        let body = format!(r#"{{"id":"v","status":"queued","error":{deep}}}"#);
        assert_eq!(decode(&body).unwrap_err().message(), "field `error` must be an object, got array");
        assert_eq!(decode(&deep).unwrap_err().message(), "response body is a JSON array, not an object");
    }
}
