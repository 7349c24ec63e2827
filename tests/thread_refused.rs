//! When the system refuses the library a thread, a non-blocking request ends at once with
//! an error instead of staying pending for ever. A program of its own (no test harness,
//! which needs threads): it makes every new thread fail for real, by asking for stacks
//! larger than any system can map (`RUST_MIN_STACK`, read at the first spawn).

use std::sync::Arc;

use together_video::{CallOptions, Client, ClientConfig, ErrorKind, ProxySetting};

fn main() {
    std::env::set_var("RUST_MIN_STACK", (1u64 << 46).to_string());
    assert!(std::thread::Builder::new().spawn(|| ()).is_err(), "this system maps 64 TiB thread stacks");
    let config = ClientConfig {
        api_key: Some("test-key".into()),
        // Nothing listens there; the request never gets that far.
        base_url: Some("http://127.0.0.1:9/v2".into()),
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    };
    let client = Arc::new(Client::new(&config).expect("a client needs no thread"));
    let mut passed = 0;
    for request in [
        client.get_video_start("a", &CallOptions::default()).unwrap(),
        client.create_video_json_start(r#"{"model":"m"}"#.into(), &CallOptions::default()).unwrap(),
    ] {
        assert!(request.is_done(), "a request no thread can run must not stay pending");
        let error = request.outcome().expect("done").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Internal, "{error}");
        assert!(error.message().contains("refused to start a library thread"), "{error}");
        passed += 1;
    }
    client.shutdown();
    println!("thread_refused: {passed} passed, 0 failed");
}
