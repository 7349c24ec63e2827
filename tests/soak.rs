//! The soak: 100 000 gets and 1 000 create, wait and download cycles on one client
//! across 8 threads, against tv-mock in its own process (TV_MOCK_URL), so the resident
//! memory measured is the client's alone. `make soak` runs it; it is `#[ignore]`d in
//! `make test`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use together_video::{
    Call, Client, ClientConfig, CreateVideoParams, ProxySetting, Source, VideoStatus, WaitOptions, WriterSink,
};

const THREADS: usize = 8;
const GETS: usize = 100_000;
const CYCLES: usize = 1_000;

/// Resident memory in bytes, from /proc/self/statm.
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn run(client: &Arc<Client>, gets: usize, cycles: usize) {
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = Arc::clone(client);
            std::thread::spawn(move || {
                let ids = ["vid_completed", "vid_failed", "vid_queued", "vid_in_progress"];
                for i in 0..gets / THREADS {
                    let id = ids[(t + i) % ids.len()];
                    assert_eq!(client.get_video(id).unwrap().id, id);
                }
                let options = WaitOptions { poll_interval: Duration::from_millis(1) };
                for _ in 0..cycles / THREADS {
                    let job = client.create_video(&CreateVideoParams::new("m"), Call::default()).unwrap();
                    let done = client.wait_video(&job.id, &options, Call::default(), None).unwrap();
                    assert_eq!(done.status, VideoStatus::Completed);
                    let mut sink = WriterSink(std::io::sink());
                    assert_eq!(
                        client.download_to_sink(&Source::of(&done).unwrap(), &mut sink, None, Call::default()).unwrap(),
                        256 * 1024
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
#[ignore = "long: make soak"]
fn soak() {
    let base_url = std::env::var("TV_MOCK_URL").expect("TV_MOCK_URL: run `make soak`");
    let client = Arc::new(
        Client::new(&ClientConfig {
            api_key: Some("test-key".into()),
            base_url: Some(base_url),
            proxy: ProxySetting::Direct,
            ..ClientConfig::default()
        })
        .unwrap(),
    );
    run(&client, 4_000, 80);
    let warm = resident();
    let started = Instant::now();
    run(&client, GETS, CYCLES);
    let after = resident();
    println!(
        "soak: {GETS} gets and {CYCLES} create+wait+download cycles on {THREADS} threads in {:.1} s; \
         resident after warm-up {:.2} MiB, after the soak {:.2} MiB ({:+.3} MiB)",
        started.elapsed().as_secs_f64(),
        warm as f64 / 1048576.0,
        after as f64 / 1048576.0,
        (after as f64 - warm as f64) / 1048576.0
    );
    assert!(after <= warm + 1024 * 1024, "resident memory grew by more than 1 MiB");
}
