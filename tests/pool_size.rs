//! How many threads non-blocking calls use. A test binary of its own: it counts the
//! process's threads, which other tests' clients would add to.

use std::sync::Arc;
use std::time::Duration;

use together_video::{CallOptions, Client, ClientConfig, Outcome, ProxySetting, Request};
use tv_mock::{MockServer, DEFAULT_API_KEY};

/// The library threads of this process now alive. A thread that is exiting is not
/// counted: `pthread_join` returns once the kernel has cleared the thread's id, a moment
/// before the task leaves `/proc` (CI once caught a joined worker there), and the kernel
/// marks it `PF_EXITING` before either.
fn library_threads() -> usize {
    const PF_EXITING: u64 = 0x4;
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter(|task| {
            let task = task.as_ref().unwrap().path();
            let named = std::fs::read_to_string(task.join("comm")).unwrap_or_default().starts_with("together-video");
            // `stat` is "pid (comm) state ppid pgrp session tty_nr tpgid flags ...".
            let stat = std::fs::read_to_string(task.join("stat")).unwrap_or_default();
            let flags = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(6)?.parse::<u64>().ok());
            named && flags.is_some_and(|flags| flags & PF_EXITING == 0)
        })
        .count()
}

#[test]
fn a_hundred_requests_polled_from_one_thread_on_a_small_pool() {
    let server = MockServer::start();
    let config = ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        proxy: ProxySetting::Direct,
        worker_threads: 4,
        ..ClientConfig::default()
    };
    let client = Arc::new(Client::new(&config).unwrap());
    let requests: Vec<_> = (0..100)
        .map(|i| client.get_video_start(["vid_completed", "vid_queued"][i % 2], &CallOptions::default()).unwrap())
        .collect();
    let mut most_threads = 0;
    while !requests.iter().all(Request::is_done) {
        most_threads = most_threads.max(library_threads());
        std::thread::sleep(Duration::from_millis(1));
    }
    for (i, request) in requests.iter().enumerate() {
        let Some(Ok(Outcome::Video(video))) = request.outcome() else { panic!("{:?}", request.outcome()) };
        assert_eq!(video.id, ["vid_completed", "vid_queued"][i % 2]);
    }
    // ureq resolves host names on a short-lived thread of its own per new connection,
    // which inherits its creator's name: at most one beside each worker.
    assert!((1..=8).contains(&most_threads), "{most_threads} threads for 100 requests");
    std::thread::sleep(Duration::from_millis(100));
    assert!((1..=4).contains(&library_threads()), "{} workers for 100 requests", library_threads());
    client.shutdown();
    assert_eq!(library_threads(), 0, "shutdown joins the client's threads");
}
