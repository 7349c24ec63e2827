//! The C ABI called as C would call it: NULLs, bad strings, out-parameter rules, codes.
//! (The same contract is checked from real C programs in `tests/c/`.)

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use together_video::ffi::*;
use tv_mock::{MockServer, DEFAULT_API_KEY};

fn text(pointer: *const c_char) -> Option<String> {
    // SAFETY: the library returns NULL or a NUL-terminated string that outlives this call.
    (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) }.to_str().unwrap().to_owned())
}

/// A client for the mock, built through the options API.
fn client(server: &MockServer) -> *mut TvClient {
    let base = CString::new(server.base_url()).unwrap();
    let key = CString::new(DEFAULT_API_KEY).unwrap();
    unsafe {
        let options = tv_client_options_new();
        assert_eq!(tv_client_options_set_base_url(options, base.as_ptr()), TvResult::Ok);
        assert_eq!(tv_client_options_set_api_key(options, key.as_ptr()), TvResult::Ok);
        assert_eq!(tv_client_options_set_proxy(options, c"".as_ptr()), TvResult::Ok);
        let mut client = ptr::null_mut();
        assert_eq!(tv_client_new_with_options(options, &mut client, ptr::null_mut()), TvResult::Ok);
        tv_client_options_free(options);
        assert!(!client.is_null());
        client
    }
}

/// Stands in for an out-parameter the library must leave alone.
fn sentinel<T>() -> *mut T {
    ptr::dangling_mut::<T>()
}

#[test]
fn a_job_reads_back_through_the_c_struct() {
    let server = MockServer::start();
    let client = client(&server);
    unsafe {
        let mut video = ptr::null_mut();
        let mut error = sentinel();
        assert_eq!(tv_get_video(client, c"vid_completed".as_ptr(), ptr::null(), &mut video, &mut error), TvResult::Ok);
        assert_eq!(error, sentinel(), "out_error is written only on failure");
        let v = &*video;
        assert_eq!(text(v.id).as_deref(), Some("vid_completed"));
        assert_eq!(text(v.object).as_deref(), Some("video"));
        assert_eq!(v.status, TvVideoStatus::Completed);
        assert_eq!(text(v.status_raw).as_deref(), Some("completed"));
        assert_eq!((v.created_at, v.has_completed_at, v.completed_at), (1761000000.0, true, 1761000094.5));
        assert_eq!((text(v.size).as_deref(), text(v.seconds).as_deref()), (Some("1366x768"), Some("6")));
        assert_eq!((text(v.error_code), text(v.error_message)), (None, None));
        assert_eq!((v.has_outputs, v.cost), (true, 0.28));
        assert_eq!(text(v.video_url), Some(format!("{}/files/vid_completed.mp4", server.origin())));
        assert!(text(v.json).unwrap().contains("\"vid_completed\""));
        tv_video_free(video);

        assert_eq!(
            tv_get_video(client, c"vid_failed".as_ptr(), ptr::null(), &mut video, ptr::null_mut()),
            TvResult::Ok
        );
        assert_eq!((*video).status, TvVideoStatus::Failed);
        assert_eq!(text((*video).error_code).as_deref(), Some("content_policy_violation"));
        tv_video_free(video);

        assert_eq!(
            tv_get_video(client, c"vid_unknown_status".as_ptr(), ptr::null(), &mut video, ptr::null_mut()),
            TvResult::Ok
        );
        assert_eq!((*video).status, TvVideoStatus::Unknown);
        assert_eq!(text((*video).status_raw).as_deref(), Some("expired"));
        tv_video_free(video);
        tv_client_free(client);
    }
}

#[test]
fn failures_fill_only_the_error_out_parameter() {
    let server = MockServer::start();
    let client = client(&server);
    unsafe {
        let mut video = sentinel();
        let mut error = ptr::null_mut();
        assert_eq!(
            tv_get_video(client, c"status-404".as_ptr(), ptr::null(), &mut video, &mut error),
            TvResult::NotFound
        );
        assert_eq!(video, sentinel(), "out_video is written only on success");
        assert_eq!(tv_error_code(error), TvResult::NotFound);
        assert_eq!(tv_error_http_status(error), 404);
        assert_eq!(text(tv_error_request_id(error)).as_deref(), Some("req-status-404"));
        assert_eq!(text(tv_error_message(error)).as_deref(), Some("not found (HTTP 404): mock 404 response"));
        assert_eq!(text(tv_last_error_message()), text(tv_error_message(error)));
        tv_error_free(error);

        // Without an error out-parameter the code and the last error still tell.
        assert_eq!(
            tv_get_video(client, c"status-403".as_ptr(), ptr::null(), &mut video, ptr::null_mut()),
            TvResult::PermissionDenied
        );
        assert!(text(tv_last_error_message()).unwrap().contains("HTTP 403"));
        tv_client_free(client);
    }
}

#[test]
fn null_and_invalid_arguments_never_crash() {
    let server = MockServer::start();
    let client = client(&server);
    let bad_utf8: &[u8] = b"vid_\xff\xfe\0";
    unsafe {
        let mut video = sentinel();
        let mut error = ptr::null_mut();
        let calls: [(&str, *const TvClient, *const c_char, *mut *mut TvVideo); 5] = [
            ("client is NULL", ptr::null(), c"vid_completed".as_ptr(), &mut video),
            ("id is NULL", client, ptr::null(), &mut video),
            ("out_video is NULL", client, c"vid_completed".as_ptr(), ptr::null_mut()),
            ("id is not valid UTF-8", client, bad_utf8.as_ptr().cast(), &mut video),
            ("video id is empty", client, c"".as_ptr(), &mut video),
        ];
        for (message, client, id, out_video) in calls {
            assert_eq!(
                tv_get_video(client, id, ptr::null(), out_video, &mut error),
                TvResult::InvalidArgument,
                "{message}"
            );
            assert_eq!(text(tv_error_message(error)).as_deref(), Some(message));
            assert_eq!(tv_error_http_status(error), 0);
            assert_eq!(tv_error_request_id(error), ptr::null());
            tv_error_free(error);
        }
        assert_eq!(video, sentinel());
        assert!(server.requests().is_empty(), "no request for a bad argument");

        assert_eq!(tv_error_code(ptr::null()), TvResult::InvalidArgument);
        assert_eq!(tv_error_message(ptr::null()), ptr::null());
        assert_eq!(tv_error_http_status(ptr::null()), 0);
        assert_eq!(tv_error_request_id(ptr::null()), ptr::null());
        tv_error_free(ptr::null_mut());
        tv_video_free(ptr::null_mut());
        tv_client_free(ptr::null_mut());
        tv_client_options_free(ptr::null_mut());
        tv_client_free(client);
    }
}

#[test]
fn option_setters_check_their_arguments() {
    unsafe {
        let options = tv_client_options_new();
        let bad_utf8: &[u8] = b"\xc3\0";
        assert_eq!(tv_client_options_set_api_key(ptr::null_mut(), c"k".as_ptr()), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_api_key(options, bad_utf8.as_ptr().cast()), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_timeout_ms(options, 0), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_timeout_ms(options, i64::MAX), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_connect_timeout_ms(options, 0), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_max_retries(options, 11), TvResult::InvalidArgument);
        assert_eq!(tv_client_options_set_max_retries(options, -1), TvResult::InvalidArgument);
        assert_eq!(text(tv_last_error_message()).as_deref(), Some("max retries must be from 0 to 10, not -1"));
        for ok in [
            tv_client_options_set_timeout_ms(options, 1500),
            tv_client_options_set_connect_timeout_ms(options, 86_400_000),
            tv_client_options_set_max_retries(options, 0),
            tv_client_options_set_user_agent_suffix(options, c"game/1".as_ptr()),
            tv_client_options_set_system_roots(options, 1),
            tv_client_options_set_ca_file(options, ptr::null()),
            tv_client_options_set_proxy(options, ptr::null()),
            tv_client_options_set_base_url(options, c"http://127.0.0.1:9/v2".as_ptr()),
            tv_client_options_set_api_key(options, c"k".as_ptr()),
        ] {
            assert_eq!(ok, TvResult::Ok);
        }
        let mut client = sentinel();
        assert_eq!(tv_client_new_with_options(options, ptr::null_mut(), ptr::null_mut()), TvResult::InvalidArgument);

        tv_client_options_set_base_url(options, c"not a url".as_ptr());
        let mut error = ptr::null_mut();
        assert_eq!(tv_client_new_with_options(options, &mut client, &mut error), TvResult::InvalidArgument);
        assert_eq!(client, sentinel(), "out_client is written only on success");
        assert!(text(tv_error_message(error)).unwrap().contains("base URL"));
        tv_error_free(error);

        tv_client_options_set_base_url(options, ptr::null());
        tv_client_options_set_ca_file(options, c"/nonexistent/ca.pem".as_ptr());
        assert_eq!(tv_client_new_with_options(options, &mut client, ptr::null_mut()), TvResult::InvalidArgument);
        assert!(text(tv_last_error_message()).unwrap().contains("cannot read CA file"));
        tv_client_options_free(options);
    }
}

#[test]
fn result_names_are_static_for_any_int() {
    for (code, name) in [
        (0, "ok"),
        (5, "not found"),
        (15, "internal error"),
        (16, "file system error"),
        (17, "unknown result"),
        (-1, "unknown result"),
        (i32::MAX, "unknown result"),
        (i32::MIN, "unknown result"),
    ] {
        assert_eq!(text(tv_result_name(code)).as_deref(), Some(name));
    }
    assert_eq!(text(tv_result_name(TvResult::RateLimited as i32)).as_deref(), Some("rate limited"));
}

#[test]
fn the_version_matches_the_package() {
    assert_eq!(text(tv_version()).as_deref(), Some(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_key_is_redacted_in_c_messages() {
    let server = MockServer::start();
    let base = CString::new(server.base_url()).unwrap();
    unsafe {
        let options = tv_client_options_new();
        tv_client_options_set_base_url(options, base.as_ptr());
        tv_client_options_set_api_key(options, c"sk-top-secret".as_ptr());
        let mut client = ptr::null_mut();
        assert_eq!(tv_client_new_with_options(options, &mut client, ptr::null_mut()), TvResult::Ok);
        tv_client_options_free(options);
        let (mut video, mut error) = (ptr::null_mut(), ptr::null_mut());
        assert_eq!(
            tv_get_video(client, c"echo-key".as_ptr(), ptr::null(), &mut video, &mut error),
            TvResult::Authentication
        );
        let message = text(tv_error_message(error)).unwrap();
        assert!(!message.contains("sk-top-secret") && message.contains("<redacted>"), "{message}");
        tv_error_free(error);
        tv_client_free(client);
    }
}

#[test]
fn a_saved_json_decodes_back_into_a_video() {
    unsafe {
        let mut video = ptr::null_mut();
        let json = cr#"{"id":"v","status":"completed","outputs":{"cost":1,"video_url":"http://h/v.mp4"}}"#;
        assert_eq!(tv_video_from_json(json.as_ptr(), &mut video, ptr::null_mut()), TvResult::Ok);
        assert_eq!(
            ((*video).status, text((*video).video_url).as_deref()),
            (TvVideoStatus::Completed, Some("http://h/v.mp4"))
        );
        tv_video_free(video);
        let mut error = ptr::null_mut();
        assert_eq!(tv_video_from_json(c"[1]".as_ptr(), &mut video, &mut error), TvResult::Decode);
        tv_error_free(error);
        assert_eq!(tv_video_from_json(ptr::null(), &mut video, ptr::null_mut()), TvResult::InvalidArgument);
    }
}

/// NULL in every pointer parameter of every exported function: a documented result
/// (INVALID_ARGUMENT, NULL, 0, false or nothing), never a crash.
#[test]
fn every_function_survives_null_pointers() {
    use std::ffi::c_void;
    let invalid = TvResult::InvalidArgument;
    unsafe {
        assert_eq!(tv_client_new_with_options(ptr::null(), ptr::null_mut(), ptr::null_mut()), invalid);
        let (no, out, request) = (ptr::null::<std::ffi::c_char>(), ptr::null_mut::<*mut TvVideo>(), ptr::null_mut());
        let (client, call, error) = (ptr::null::<TvClient>(), ptr::null::<TvCallOptions>(), ptr::null_mut());
        let (write, data, bytes) = (None, ptr::null_mut::<c_void>(), ptr::null_mut::<u64>());
        for code in [
            tv_get_video(client, no, call, out, error),
            tv_get_video_start(client, no, call, request, error),
            tv_video_from_json(no, out, error),
            tv_create_video(client, ptr::null(), call, out, error),
            tv_create_video_start(client, ptr::null(), call, request, error),
            tv_create_video_json(client, no, call, out, error),
            tv_create_video_json_start(client, no, call, request, error),
            tv_wait_video(client, no, ptr::null(), call, out, error),
            tv_wait_video_start(client, no, ptr::null(), call, request, error),
            tv_download_url_to_file(client, no, no, call, bytes, error),
            tv_download_url_to_file_start(client, no, no, call, request, error),
            tv_download_url_to_callback(client, no, write, data, call, bytes, error),
            tv_download_url_to_callback_start(client, no, write, data, call, request, error),
            tv_download_video_to_file(client, no, no, call, bytes, error),
            tv_download_video_to_file_start(client, no, no, call, request, error),
            tv_download_video_to_callback(client, no, write, data, call, bytes, error),
            tv_download_video_to_callback_start(client, no, write, data, call, request, error),
        ] {
            assert_eq!(code, invalid);
        }
        assert_eq!(tv_request_poll(ptr::null()), TvRequestState::Invalid);
        assert_eq!(tv_request_wait(ptr::null(), 0), TvRequestState::Invalid);
        assert_eq!(tv_request_on_complete(ptr::null(), None, ptr::null_mut()), invalid);
        assert_eq!(tv_request_result(ptr::null(), ptr::null_mut(), ptr::null_mut()), invalid);
        tv_request_cancel(ptr::null());
        tv_request_free(ptr::null_mut());
        for setter in [
            tv_client_options_set_api_key,
            tv_client_options_set_base_url,
            tv_client_options_set_user_agent_suffix,
            tv_client_options_set_ca_file,
            tv_client_options_set_proxy,
        ] {
            assert_eq!(setter(ptr::null_mut(), c"x".as_ptr()), invalid);
        }
        assert_eq!(tv_client_options_set_timeout_ms(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_client_options_set_connect_timeout_ms(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_client_options_set_max_retries(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_client_options_set_system_roots(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_client_options_set_worker_threads(ptr::null_mut(), 1), invalid);
        for setter in [
            tv_create_params_set_model,
            tv_create_params_set_prompt,
            tv_create_params_set_negative_prompt,
            tv_create_params_set_resolution,
            tv_create_params_set_ratio,
            tv_create_params_set_seconds,
            tv_create_params_set_output_format,
            tv_create_params_add_frame_video,
            tv_create_params_add_reference_image,
            tv_create_params_add_reference_video,
        ] {
            assert_eq!(setter(ptr::null_mut(), c"x".as_ptr()), invalid);
        }
        for setter in [
            tv_create_params_set_width,
            tv_create_params_set_height,
            tv_create_params_set_fps,
            tv_create_params_set_steps,
            tv_create_params_set_seed,
            tv_create_params_set_output_quality,
        ] {
            assert_eq!(setter(ptr::null_mut(), 20), invalid);
        }
        assert_eq!(tv_create_params_set_guidance_scale(ptr::null_mut(), 1.0), invalid);
        assert_eq!(tv_create_params_set_generate_audio(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_create_params_add_frame_image(ptr::null_mut(), ptr::null(), TV_FRAME_AUTO, 0.0), invalid);
        assert_eq!(tv_create_params_set_source_video(ptr::null_mut(), ptr::null(), 0), invalid);
        assert_eq!(tv_create_params_add_audio_input(ptr::null_mut(), ptr::null(), 0), invalid);
        assert_eq!(tv_create_params_set_json_field(ptr::null_mut(), ptr::null(), ptr::null()), invalid);
        assert_eq!(tv_wait_options_set_poll_interval_ms(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_call_options_set_timeout_ms(ptr::null_mut(), 1), invalid);
        assert_eq!(tv_call_options_set_wait_progress(ptr::null_mut(), None, ptr::null_mut()), invalid);
        assert_eq!(tv_call_options_set_download_progress(ptr::null_mut(), None, ptr::null_mut()), invalid);
        assert_eq!(tv_call_options_set_cancel_token(ptr::null_mut(), ptr::null()), invalid);
        tv_cancel_token_cancel(ptr::null());
        assert!(!tv_cancel_token_is_cancelled(ptr::null()));
        assert_eq!(tv_error_code(ptr::null()), invalid);
        assert!(tv_error_message(ptr::null()).is_null() && tv_error_request_id(ptr::null()).is_null());
        assert_eq!(tv_error_http_status(ptr::null()), 0);
        tv_client_free(ptr::null_mut());
        tv_client_options_free(ptr::null_mut());
        tv_video_free(ptr::null_mut());
        tv_error_free(ptr::null_mut());
        tv_create_params_free(ptr::null_mut());
        tv_wait_options_free(ptr::null_mut());
        tv_call_options_free(ptr::null_mut());
        tv_cancel_token_free(ptr::null_mut());
    }
}

#[test]
fn a_progress_callback_returning_any_non_zero_value_stops_the_wait() {
    unsafe extern "C" fn garbage(_: *mut std::ffi::c_void, _: *const TvVideo) -> std::ffi::c_int {
        -98765
    }
    let server = MockServer::start();
    let client = client(&server);
    unsafe {
        let call = tv_call_options_new();
        tv_call_options_set_wait_progress(call, Some(garbage), ptr::null_mut());
        let mut video = ptr::null_mut();
        assert_eq!(
            tv_wait_video(client, c"vid_in_progress".as_ptr(), ptr::null(), call, &mut video, ptr::null_mut()),
            TvResult::Cancelled
        );
        tv_call_options_free(call);
        let long = CString::new("x".repeat(1024 * 1024)).unwrap();
        assert_eq!(
            tv_get_video(client, long.as_ptr(), ptr::null(), &mut video, ptr::null_mut()),
            TvResult::InvalidArgument
        );
        tv_client_free(client);
    }
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tv-ffi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_non_blocking_download_honours_the_call_timeout() {
    unsafe extern "C" fn discard(_: *mut std::ffi::c_void, _: *const u8, _: usize) -> std::ffi::c_int {
        0
    }
    let server = MockServer::start();
    let client = client(&server);
    let dir = scratch_dir("timeout");
    let path = CString::new(dir.join("slow.mp4").to_str().unwrap()).unwrap();
    let url = CString::new(format!("{}/files/slow-timeout.mp4", server.origin())).unwrap();
    unsafe {
        // The slow file takes about 800 ms; the call allows 100.
        let call = tv_call_options_new();
        assert_eq!(tv_call_options_set_timeout_ms(call, 100), TvResult::Ok);
        let (mut to_file, mut to_callback) = (ptr::null_mut(), ptr::null_mut());
        let started =
            tv_download_url_to_file_start(client, url.as_ptr(), path.as_ptr(), call, &mut to_file, ptr::null_mut());
        assert_eq!(started, TvResult::Ok);
        let started = tv_download_video_to_callback_start(
            client,
            c"video-at-slow-timeout.mp4".as_ptr(),
            Some(discard),
            ptr::null_mut(),
            call,
            &mut to_callback,
            ptr::null_mut(),
        );
        assert_eq!(started, TvResult::Ok);
        tv_call_options_free(call);
        for request in [to_file, to_callback] {
            assert_eq!(tv_request_wait(request, u64::MAX), TvRequestState::Done);
            let mut error = ptr::null_mut();
            assert_eq!(tv_request_result(request, ptr::null_mut(), &mut error), TvResult::Timeout);
            tv_error_free(error);
            tv_request_free(request);
        }
        tv_client_free(client);
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no file and no temporary file");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn downloads_by_url_and_by_job_id_need_no_video() {
    unsafe extern "C" fn count(total: *mut std::ffi::c_void, _: *const u8, length: usize) -> std::ffi::c_int {
        // SAFETY: `total` is the u64 below, alive for the call.
        unsafe { *total.cast::<u64>() += length as u64 };
        0
    }
    let server = MockServer::start();
    let client = client(&server);
    let dir = scratch_dir("sources");
    let (by_url, by_id) = (dir.join("by-url.mp4"), dir.join("by-id.mp4"));
    let url = CString::new(format!("{}/files/plain.mp4", server.origin())).unwrap();
    unsafe {
        let mut bytes = 0u64;
        let path = CString::new(by_url.to_str().unwrap()).unwrap();
        let code =
            tv_download_url_to_file(client, url.as_ptr(), path.as_ptr(), ptr::null(), &mut bytes, ptr::null_mut());
        assert_eq!((code, bytes), (TvResult::Ok, tv_mock::VIDEO_SIZE as u64));
        let path = CString::new(by_id.to_str().unwrap()).unwrap();
        let id = c"video-at-plain.mp4";
        let code = tv_download_video_to_file(
            client,
            id.as_ptr(),
            path.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        assert_eq!(code, TvResult::Ok);
        let mut counted = 0u64;
        let sink = (&mut counted as *mut u64).cast();
        let code = tv_download_url_to_callback(
            client,
            url.as_ptr(),
            Some(count),
            sink,
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        assert_eq!((code, counted), (TvResult::Ok, tv_mock::VIDEO_SIZE as u64));

        let mut error = ptr::null_mut();
        let code = tv_download_video_to_file(
            client,
            c"vid_in_progress".as_ptr(),
            path.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            &mut error,
        );
        assert_eq!(code, TvResult::InvalidArgument);
        assert!(text(tv_error_message(error)).unwrap().contains("not completed"));
        tv_error_free(error);
        let code = tv_download_url_to_file(
            client,
            c"ftp://x/y.mp4".as_ptr(),
            path.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            &mut error,
        );
        assert_eq!(code, TvResult::InvalidArgument);
        tv_error_free(error);
        tv_client_free(client);
    }
    let expected = tv_mock::video_bytes("plain.mp4");
    assert!(std::fs::read(by_url).unwrap() == expected && std::fs::read(by_id).unwrap() == expected);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_destination_that_is_a_directory_is_a_file_system_error() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = scratch_dir("directory");
    let path = CString::new(dir.to_str().unwrap()).unwrap();
    let id = c"video-at-into-a-directory.mp4";
    unsafe {
        let mut error = ptr::null_mut();
        let code =
            tv_download_video_to_file(client, id.as_ptr(), path.as_ptr(), ptr::null(), ptr::null_mut(), &mut error);
        assert_eq!(code, TvResult::FileSystem);
        let message = text(tv_error_message(error)).unwrap();
        assert!(message.contains("is a directory, not a regular file"), "{message}");
        tv_error_free(error);
        let bad_parent = CString::new(dir.join("missing").join("x.mp4").to_str().unwrap()).unwrap();
        let code = tv_download_video_to_file(
            client,
            id.as_ptr(),
            bad_parent.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            &mut error,
        );
        assert_eq!(code, TvResult::FileSystem);
        assert!(text(tv_error_message(error)).unwrap().contains("No such file or directory"));
        tv_error_free(error);
        tv_client_free(client);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_cancel_token_in_the_call_options_cancels_a_request() {
    let server = MockServer::start();
    let client = client(&server);
    unsafe {
        let (token, call) = (tv_cancel_token_new(), tv_call_options_new());
        tv_call_options_set_cancel_token(call, token);
        let mut request = ptr::null_mut();
        assert_eq!(tv_get_video_start(client, c"stall".as_ptr(), call, &mut request, ptr::null_mut()), TvResult::Ok);
        tv_call_options_free(call);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(tv_request_poll(request), TvRequestState::Pending);
        tv_cancel_token_cancel(token);
        assert_eq!(tv_request_poll(request), TvRequestState::Done, "done once the token's cancel returns");
        assert_eq!(tv_request_result(request, ptr::null_mut(), ptr::null_mut()), TvResult::Cancelled);
        tv_request_free(request);
        // A token cancelled before the call starts cancels it at once.
        let call = tv_call_options_new();
        tv_call_options_set_cancel_token(call, token);
        tv_cancel_token_free(token);
        let mut video = ptr::null_mut();
        assert_eq!(
            tv_get_video(client, c"vid_completed".as_ptr(), call, &mut video, ptr::null_mut()),
            TvResult::Cancelled
        );
        assert_eq!(
            tv_wait_video_start(client, c"vid_queued".as_ptr(), ptr::null(), call, &mut request, ptr::null_mut()),
            TvResult::Ok
        );
        assert_eq!(tv_request_wait(request, u64::MAX), TvRequestState::Done);
        assert_eq!(tv_request_result(request, &mut video, ptr::null_mut()), TvResult::Cancelled);
        tv_request_free(request);
        tv_call_options_free(call);
        tv_client_free(client);
    }
}
