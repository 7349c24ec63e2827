//! The callback and cancel guarantees of non-blocking requests, through real requests
//! against the mock: when a callback may still run, on which thread, and that cancelling
//! from inside callbacks never deadlocks. Races run many times so that a broken
//! guarantee shows up as a failure, not as a rare crash in a user's program.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use together_video::{CallOptions, CreateVideoParams, ErrorKind, Outcome, Request, Source, WaitOptions};
mod shared;
use shared::client;
use tv_mock::MockServer;

/// Runs `scenario` on its own thread and fails if it has not finished after two
/// minutes: a deadlock must fail the suite, not hang it. (No speed is measured: the
/// scenario takes milliseconds.)
fn without_deadlock(scenario: impl FnOnce() + Send + 'static) {
    let (sender, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        scenario();
        let _ = sender.send(());
    });
    match finished.recv_timeout(Duration::from_secs(120)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("deadlocked: the scenario never finished"),
    }
}

#[test]
fn a_completion_callback_has_returned_before_done_and_before_cancel_returns() {
    let server = MockServer::start();
    let client = client(&server, 1);
    for _ in 0..20 {
        let request = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
        let (entered, finished) = (Arc::new((Mutex::new(false), Condvar::new())), Arc::new(AtomicBool::new(false)));
        {
            let (entered, finished) = (Arc::clone(&entered), Arc::clone(&finished));
            request.on_complete(Box::new(move || {
                *entered.0.lock().unwrap() = true;
                entered.1.notify_all();
                std::thread::sleep(Duration::from_millis(20));
                finished.store(true, Ordering::SeqCst);
            }));
        }
        let mut inside = entered.0.lock().unwrap();
        while !*inside {
            inside = entered.1.wait(inside).unwrap();
        }
        drop(inside);
        // The callback runs on a library thread now.
        assert!(request.wait(None));
        assert!(finished.load(Ordering::SeqCst), "done was reported while the callback still ran");
    }
    for _ in 0..20 {
        let request = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
        let (sender, entered) = mpsc::channel();
        let finished = Arc::new(AtomicBool::new(false));
        {
            let finished = Arc::clone(&finished);
            request.on_complete(Box::new(move || {
                sender.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(20));
                finished.store(true, Ordering::SeqCst);
            }));
        }
        entered.recv().unwrap();
        request.cancel();
        assert!(finished.load(Ordering::SeqCst), "cancel returned while the callback still ran");
    }
}

#[test]
fn cancel_runs_the_completion_callback_on_the_cancelling_thread() {
    let server = MockServer::start();
    let client = client(&server, 2);
    for round in 0..100 {
        let request = client.get_video_start("stall", &CallOptions::default()).unwrap();
        let ran_on = Arc::new(Mutex::new(None));
        {
            let ran_on = Arc::clone(&ran_on);
            request.on_complete(Box::new(move || *ran_on.lock().unwrap() = Some(std::thread::current().id())));
        }
        std::thread::sleep(Duration::from_millis(round % 5));
        request.cancel();
        assert!(request.is_done());
        assert_eq!(*ran_on.lock().unwrap(), Some(std::thread::current().id()), "round {round}");
        assert_eq!(request.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    }
}

/// Where two callbacks meet: each waits (for a while) until the other has arrived.
#[derive(Default)]
struct Meeting {
    arrived: Mutex<usize>,
    changed: Condvar,
}

impl Meeting {
    fn arrive(&self, parties: usize) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.changed.notify_all();
        let until = Instant::now() + Duration::from_secs(5);
        while *arrived < parties {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            arrived = self.changed.wait_timeout(arrived, left).unwrap().0;
        }
    }
}

#[test]
fn two_progress_callbacks_cancelling_each_others_requests_do_not_deadlock() {
    without_deadlock(|| {
        let server = MockServer::start();
        let client = client(&server, 2);
        let options = WaitOptions { poll_interval: Duration::from_millis(1) };
        for _ in 0..20 {
            let ids: Vec<String> = (0..2)
                .map(|_| client.create_video(&CreateVideoParams::new("stall-job"), Default::default()).unwrap().id)
                .collect();
            let slots: Arc<[OnceLock<Request>; 2]> = Arc::new([OnceLock::new(), OnceLock::new()]);
            let meeting = Arc::new(Meeting::default());
            let requests: Vec<Request> = (0..2)
                .map(|me| {
                    let (slots, meeting) = (Arc::clone(&slots), Arc::clone(&meeting));
                    let progress = Box::new(move |_: &together_video::Video| {
                        // Both callbacks and the test thread (once the slots are set).
                        meeting.arrive(3);
                        if let Some(other) = slots[1 - me].get() {
                            other.cancel();
                        }
                        true
                    });
                    client.wait_video_start(&ids[me], options, &CallOptions::default(), Some(progress)).unwrap()
                })
                .collect();
            for (slot, request) in slots.iter().zip(&requests) {
                let _ = slot.set(request.clone());
            }
            meeting.arrive(3);
            for request in &requests {
                assert!(request.wait(None));
            }
            assert!(requests.iter().all(|r| r.outcome().unwrap().is_err_and(|e| e.kind() == ErrorKind::Cancelled)));
        }
    });
}

#[test]
fn freeing_the_client_from_a_callback_does_not_deadlock() {
    without_deadlock(|| {
        let server = MockServer::start();
        let client = client(&server, 2);
        let created = client.create_video(&CreateVideoParams::new("stall-job"), Default::default()).unwrap();
        let options = WaitOptions { poll_interval: Duration::from_millis(1) };
        let shut = Arc::new(AtomicUsize::new(0));
        let progress = {
            let (client, shut) = (Arc::clone(&client), Arc::clone(&shut));
            Box::new(move |_: &together_video::Video| {
                shut.fetch_add(1, Ordering::SeqCst);
                client.shutdown();
                true
            })
        };
        let waits: Vec<Request> = (0..3)
            .map(|_| client.wait_video_start(&created.id, options, &CallOptions::default(), None).unwrap())
            .collect();
        let shutting = client.wait_video_start(&created.id, options, &CallOptions::default(), Some(progress)).unwrap();
        assert!(shutting.wait(None));
        for wait in &waits {
            assert!(wait.wait(None));
            assert_eq!(wait.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
        }
        assert!(shut.load(Ordering::SeqCst) >= 1);
        client.shutdown();
    });
}

#[test]
fn a_download_cancelled_as_it_ends_has_its_file_or_nothing() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let video = client.get_video("video-at-race.mp4").unwrap();
    let dir = std::env::temp_dir().join(format!("tv-callbacks-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // How long a download takes here, so that cancels land from its start to its end
    // whatever the machine's speed.
    let mut typical = Duration::ZERO;
    for round in 0..5 {
        let path = dir.join(format!("timed-{round}.mp4"));
        let started = Instant::now();
        let request = client
            .download_to_path_start(Source::of(&video).unwrap(), path.clone(), &CallOptions::default(), None)
            .unwrap();
        assert!(request.wait(None));
        typical = typical.max(started.elapsed());
        std::fs::remove_file(path).unwrap();
    }
    let (mut ok, mut cancelled) = (0, 0);
    for round in 0..2000u32 {
        let path = dir.join(format!("race-{round}.mp4"));
        let request = client
            .download_to_path_start(Source::of(&video).unwrap(), path.clone(), &CallOptions::default(), None)
            .unwrap();
        // Cancel somewhere from the start to a little past a typical end, in 1/1000 steps:
        // both the moment the temporary file appears and the rename.
        let spin_until = Instant::now() + typical.mul_f64(f64::from(round % 1000) * 1.5 / 1000.0);
        while Instant::now() < spin_until {
            std::hint::spin_loop();
        }
        request.cancel();
        let names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        match request.outcome().expect("done once cancel returns") {
            Ok(Outcome::Downloaded(_)) => {
                ok += 1;
                assert_eq!(names, [format!("race-{round}.mp4")], "round {round}: OK holds the file and nothing else");
                std::fs::remove_file(&path).unwrap();
            }
            Err(error) => {
                cancelled += 1;
                assert_eq!(error.kind(), ErrorKind::Cancelled, "round {round}: {error}");
                assert!(names.is_empty(), "round {round}: cancelled left {names:?}");
            }
            other => panic!("round {round}: {other:?}"),
        }
    }
    assert!(ok > 0 && cancelled > 0, "both outcomes were exercised: {ok} OK, {cancelled} cancelled");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A call started from inside a completion callback is left for the callback's thread
/// (no other thread is woken for it): should the callback wait for that call instead of
/// returning, an idle thread takes it. Rounds after the first find that thread on
/// standby, which nothing wakes.
#[test]
fn a_completion_callback_may_wait_for_a_call_it_started_while_a_thread_is_idle() {
    let server = MockServer::start();
    let client = client(&server, 2);
    without_deadlock(move || {
        for _ in 0..20 {
            let first = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
            let (sender, received) = mpsc::channel();
            let inner = Arc::clone(&client);
            first.on_complete(Box::new(move || {
                let second = inner.get_video_start("vid_queued", &CallOptions::default()).unwrap();
                let (done, finished) = mpsc::channel();
                let its = second.clone();
                // The outcome as its own completion callback sees it (done to it alone).
                second.on_complete(Box::new(move || done.send(its.outcome()).unwrap()));
                sender.send(finished.recv().unwrap()).unwrap();
            }));
            let Some(Ok(Outcome::Video(video))) = received.recv().unwrap() else { panic!("the second call failed") };
            assert_eq!(video.id, "vid_queued");
            assert!(first.wait(None));
        }
    });
}

/// Has `threads` of the client's pool started (as many concurrent slow calls), then lets
/// them all go idle.
fn start_idle_threads(client: &Arc<together_video::Client>, threads: usize) {
    let slow: Vec<Request> = (0..threads)
        .map(|i| client.get_video_start(&format!("slow-{}", 20 + i), &CallOptions::default()).unwrap())
        .collect();
    for request in &slow {
        assert!(request.wait(None));
    }
    std::thread::sleep(Duration::from_millis(50));
}

/// Five rounds under `without_deadlock`, each on a client of `threads` library threads
/// that are all idle as it starts.
fn rounds_with_idle_threads(threads: usize, round: impl Fn(&Arc<together_video::Client>, usize) + Send + 'static) {
    let server = MockServer::start();
    let client = client(&server, threads);
    without_deadlock(move || {
        for n in 0..5 {
            start_idle_threads(&client, threads);
            round(&client, n);
        }
    });
}

/// Starts X, and from X's callback Y, handed over (so a thread goes on standby); in Y's
/// callback, once the other threads have settled (standby, idle), runs `work`. X and the
/// requests `work` returns must all end.
fn in_a_callback_with_a_thread_on_standby(
    client: &Arc<together_video::Client>,
    round: usize,
    work: impl FnOnce(&Arc<together_video::Client>) -> Vec<Request> + Send + 'static,
) {
    let (sender, received) = mpsc::channel();
    let outer = Arc::clone(client);
    let x = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    x.on_complete(Box::new(move || {
        let inner = Arc::clone(&outer);
        let y = outer.get_video_start("vid_completed", &CallOptions::default()).unwrap();
        y.on_complete(Box::new(move || {
            std::thread::sleep(Duration::from_millis(20)); // the others settle: standby, idle
            sender.send(work(&inner)).unwrap();
        }));
    }));
    for request in received.recv().unwrap().iter().chain([&x]) {
        assert!(request.wait(None), "round {round}");
    }
}

/// Gives `request` a completion callback that tells two waiters it has run: each
/// receiver gets one message.
fn tell_two_waiters_on_completion(request: &Request) -> (mpsc::Receiver<()>, mpsc::Receiver<()>) {
    let (first_done, first_waits) = mpsc::channel::<()>();
    let (second_done, second_waits) = mpsc::channel::<()>();
    request.on_complete(Box::new(move || {
        first_done.send(()).unwrap();
        second_done.send(()).unwrap();
    }));
    (first_waits, second_waits)
}

/// Two calls started from one completion callback while a thread is on standby and
/// another idle, the callback and the first call's own callback both waiting for the
/// second: the standby takes the first, and the idle thread must take over the watch and
/// the second (it once slept on, and nothing ever ran the second).
#[test]
fn two_calls_handed_over_by_a_blocked_callback_both_run_while_threads_are_idle() {
    rounds_with_idle_threads(3, |client, round| {
        // A and B handed over from a callback, which waits for B, as A's callback does.
        in_a_callback_with_a_thread_on_standby(client, round, |client| {
            let a = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
            let b = client.get_video_start("vid_queued", &CallOptions::default()).unwrap();
            // B's callback first: should A be done already, its callback runs right
            // here, and waits for B's.
            let (a_waits, y_waits) = tell_two_waiters_on_completion(&b);
            a.on_complete(Box::new(move || a_waits.recv().unwrap()));
            y_waits.recv().unwrap();
            vec![a, b]
        });
    });
}

/// A callback starts H (handed over, counting on the one idle thread), then J (which
/// needs that thread too), and waits for H; J's callback waits for H as well. The idle
/// thread must take H, the older job, not J: taking J once left nothing to run H.
#[test]
fn a_later_call_does_not_take_the_thread_a_handed_over_call_counted_on() {
    rounds_with_idle_threads(2, |client, round| {
        let (sender, received) = mpsc::channel();
        let inner = Arc::clone(client);
        let x = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
        x.on_complete(Box::new(move || {
            let h = inner.get_video_start("vid_completed", &CallOptions::default()).unwrap();
            let (x_waits, j_waits) = tell_two_waiters_on_completion(&h);
            let j = inner.get_video_start("vid_completed", &CallOptions::default()).unwrap();
            j.on_complete(Box::new(move || j_waits.recv().unwrap()));
            x_waits.recv().unwrap();
            sender.send(j).unwrap();
        }));
        let j = received.recv().unwrap();
        assert!(j.wait(None), "round {round}");
        assert!(x.wait(None));
    });
}

/// A callback hands over A, B and C to the three idle threads (one on standby), then
/// starts J, one job too many: all four queue in time order. A's, B's and the starting
/// callback all wait for C, so C needs the third idle thread, which must be woken (a
/// single wake once left it asleep with C due, for ever).
#[test]
fn calls_handed_over_then_queued_in_time_order_wake_every_idle_thread() {
    rounds_with_idle_threads(4, |client, round| {
        in_a_callback_with_a_thread_on_standby(client, round, |client| {
            let mut calls: Vec<Request> =
                (0..3).map(|_| client.get_video_start("vid_completed", &CallOptions::default()).unwrap()).collect();
            let (done, waits): (Vec<_>, Vec<_>) = (0..3).map(|_| mpsc::channel::<()>()).unzip();
            // C's callback first: A's or B's may run right here if done already.
            calls[2].on_complete(Box::new(move || done.iter().for_each(|sender| sender.send(()).unwrap())));
            let mut waits = waits.into_iter();
            for call in &calls[..2] {
                let waits_for_c = waits.next().unwrap();
                call.on_complete(Box::new(move || waits_for_c.recv().unwrap()));
            }
            calls.push(client.get_video_start("vid_completed", &CallOptions::default()).unwrap());
            waits.next().unwrap().recv().unwrap();
            calls
        });
    });
}

/// A chain of calls, each started from the last one's completion callback, runs to its
/// end: the job queued from inside a callback (which wakes no thread) is taken once the
/// callback returns.
#[test]
fn a_chain_of_calls_started_from_completion_callbacks_runs_to_its_end() {
    let server = MockServer::start();
    let client = client(&server, 4);
    without_deadlock(move || {
        fn next(client: Arc<together_video::Client>, left: usize, done: mpsc::Sender<usize>) {
            let request = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
            let this = request.clone();
            request.on_complete(Box::new(move || {
                assert!(matches!(this.outcome(), Some(Ok(Outcome::Video(_)))), "{:?}", this.outcome());
                if left == 0 {
                    done.send(0).unwrap();
                } else {
                    next(client, left - 1, done);
                }
            }));
        }
        let (done, finished) = mpsc::channel();
        next(Arc::clone(&client), 200, done);
        assert_eq!(finished.recv().unwrap(), 0);
        assert_eq!(server.hits("vid_completed"), 201);
    });
}

/// Shutting the client down while a completion callback waits for another request of the
/// client (a C# continuation blocking on a Task does) cancels that request first, which
/// frees the callback, instead of waiting for the callback while the request runs on.
#[test]
fn shutdown_cancels_the_request_a_running_callback_waits_for_first() {
    let server = MockServer::start();
    let client = Arc::new(
        together_video::Client::new(&together_video::ClientConfig {
            api_key: Some(tv_mock::DEFAULT_API_KEY.into()),
            base_url: Some(server.base_url()),
            proxy: together_video::ProxySetting::Direct,
            timeout: Duration::from_secs(600),
            worker_threads: 2,
            ..together_video::ClientConfig::default()
        })
        .unwrap(),
    );
    without_deadlock(move || {
        let first = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
        let (waiting, inside) = mpsc::channel();
        let (report, reported) = mpsc::channel();
        let inner = Arc::clone(&client);
        first.on_complete(Box::new(move || {
            let stalled = inner.get_video_start("stall", &CallOptions::default()).unwrap();
            let (done, ended) = mpsc::channel();
            let its = stalled.clone();
            stalled.on_complete(Box::new(move || done.send(its.outcome()).unwrap()));
            waiting.send(()).unwrap();
            report.send(ended.recv().unwrap()).unwrap();
        }));
        inside.recv().unwrap();
        while server.hits("stall") == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The stalled request would wait on the server for minutes (the mock closes it after
        // 30 s, then it is retried): shutdown cancels it rather than wait for it.
        client.shutdown();
        assert!(first.is_done());
        let outcome = reported.recv().unwrap();
        assert!(matches!(outcome, Some(Err(ref e)) if e.kind() == ErrorKind::Cancelled), "{outcome:?}");
    });
}
