//! `POST /v2/videos` and the jobs it creates, which move on at each poll.
//!
//! The body's `model` picks what happens:
//!
//! | model | answer |
//! |---|---|
//! | `status-<code>` | that status (5xx must not be retried by the client) |
//! | `flaky-429` | 429 the first time, then created |
//! | `fail-job` | created; at the third poll `failed` with an error |
//! | `unknown-job` | created; at the second poll `expired` |
//! | `stall-job` | created; `in_progress` for ever |
//! | `silent-job` | created; polls after the first never get an answer |
//! | `hinted-job` | created; each poll answers with `retry-after-ms: 20` |
//! | `tiny-hint-job` | created; `in_progress` for ever, each poll with `retry-after-ms: 0.000001` |
//! | anything else | created (`job-<n>`); polls: `queued`, `in_progress`, then `completed` with `/files/job-<n>.mp4` |
//!
//! An invalid body (not JSON, no `model` string) gets 400.

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::http::Request;
use crate::scenarios::{error, json_response, Action};
use crate::Shared;

pub(crate) fn create(shared: &Shared, request: &Request) -> Action {
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(e) => return error(400, &format!("invalid JSON body: {e}"), "req-create-json"),
    };
    let Some(model) = body.get("model").and_then(Value::as_str) else {
        return error(400, "model is required", "req-create-model");
    };
    let hits = shared.hit(&format!("create:{model}"));
    if let Some(code) = model.strip_prefix("status-").and_then(|code| code.parse::<u16>().ok()) {
        return error(code, &format!("mock {code} response"), &format!("req-create-{code}"));
    }
    if model == "flaky-429" && hits == 0 {
        return error(429, "slow down", "req-create-429");
    }
    let id = format!("job-{}", shared.next_job.fetch_add(1, Ordering::SeqCst));
    shared.jobs.lock().unwrap().insert(id.clone(), model.to_owned());
    json_response(200, &job(shared, &id, model, "queued"), &format!("req-{id}"))
}

/// A poll of a created job: `None` when `id` was not created here.
pub(crate) fn poll(shared: &Shared, id: &str, previous_hits: u32) -> Option<Action> {
    let model = shared.jobs.lock().unwrap().get(id).cloned()?;
    let status = match (model.as_str(), previous_hits) {
        ("silent-job", 1..) => return Some(Action::Stall(Duration::from_secs(30))),
        ("stall-job" | "tiny-hint-job", _) | (_, 1) => "in_progress",
        (_, 0) => "queued",
        ("unknown-job", _) => "expired",
        ("fail-job", _) => "failed",
        _ => "completed",
    };
    let response = json_response(200, &job(shared, id, &model, status), &format!("req-{id}"));
    let hint = match model.as_str() {
        "hinted-job" => "20",
        "tiny-hint-job" => "0.000001",
        _ => return Some(response),
    };
    let Action::Respond { status, mut headers, body } = response else { unreachable!("json_response responds") };
    headers.push(("retry-after-ms".into(), hint.into()));
    Some(Action::Respond { status, headers, body })
}

fn job(shared: &Shared, id: &str, model: &str, status: &str) -> Value {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64().floor());
    let mut job = json!({
        "id": id, "object": "video", "model": model, "status": status,
        "created_at": now, "size": "1280x720", "seconds": "5",
    });
    match status {
        "completed" => {
            job["completed_at"] = json!(now);
            job["outputs"] = json!({"cost": 0.28, "video_url": format!("{}/files/{id}.mp4", shared.origin)});
        }
        "failed" => {
            job["completed_at"] = json!(now);
            job["error"] = json!({"code": "generation_failed", "message": "The model could not render this prompt."});
        }
        _ => {}
    }
    job
}
