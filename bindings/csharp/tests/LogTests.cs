// TogetherVideoClientOptions.Log and LogQueue, through the real library against the mock
// (as tests/c/test_log.c does from C): every event kind with its fields, level filtering,
// no key or signed query in any field at any level, a throwing Action, no event after
// Dispose, the Action let go of, events copied as far as their size goes.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        /// <summary>What a Log action saw, from any thread: each event, and those that
        /// arrived once <see cref="Close"/> was called (after Dispose returned).</summary>
        private sealed class Seen
        {
            private readonly List<LogEvent> events = new List<LogEvent>();
            private bool closed;
            public int AfterClose;
            public int LevelMismatch;

            public void Add(LogLevel level, LogEvent e)
            {
                lock (events)
                {
                    if (closed) AfterClose++;
                    if (level != e.Level) LevelMismatch++;
                    events.Add(e);
                }
            }

            public void Close()
            {
                lock (events) closed = true;
            }

            public List<LogEvent> Events
            {
                get
                {
                    lock (events) return events.ToList();
                }
            }

            public List<LogEvent> Of(LogEventKind kind)
            {
                return Events.Where(e => e.Kind == kind).ToList();
            }
        }

        private static TogetherVideoClient LoggingClient(Seen seen, LogLevel level, string apiKey = "test-key", int? retries = null)
        {
            return new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = apiKey,
                BaseUrl = mockUrl,
                Proxy = "",
                MaxRetries = retries,
                Log = seen.Add,
                LogLevel = level,
            });
        }

        public static void TestEveryLogEventKindArrivesWithItsFields()
        {
            var seen = new Seen();
            var flaky = Unique("flaky-1-503-cslog-");
            var drop = Unique("drop-cslog-") + ".mp4";
            var file = TempFile(".mp4");
            int callerThread = Thread.CurrentThread.ManagedThreadId;
            var threads = new HashSet<int>();
            Video job;
            var options = new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                LogLevel = LogLevel.Trace,
                Log = (level, e) =>
                {
                    lock (threads) threads.Add(Thread.CurrentThread.ManagedThreadId);
                    seen.Add(level, e);
                },
            };
            using (var client = new TogetherVideoClient(options))
            {
                client.GetVideo("vid_completed");
                client.GetVideo(flaky);                        // a retry the server timed
                client.GetVideo("redirect-same");              // a redirect
                Throws<NotFoundException>(() => client.GetVideo("status-404"), "404");
                job = client.CreateVideo(new CreateVideoRequest("m"));
                client.WaitForVideoAsync(job.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) }).Wait(); // polls
                Equal(256L * 1024, client.DownloadUrl(origin + "/files/" + drop + "?signature=topsecret", file), "the download"); // two parts
                File.Delete(file);
                using (var cancel = new CancellationTokenSource())
                {
                    var stalled = client.GetVideoAsync("stall", cancel.Token);
                    Thread.Sleep(100);
                    cancel.Cancel();
                    Throws<OperationCanceledException>(() => stalled.GetAwaiter().GetResult(), "cancelled");
                }
            }
            seen.Close();

            foreach (LogEventKind kind in Enum.GetValues(typeof(LogEventKind)))
                Check(seen.Of(kind).Count > 0, "an event of kind " + kind);
            Check(seen.Events.All(e => !string.IsNullOrEmpty(e.Message)), "every event has a message");
            Equal(0, seen.LevelMismatch, "the Action's level is the event's");
            Equal(0, seen.AfterClose, "events after Dispose returned");
            Check(threads.Contains(callerThread) && threads.Count > 1, "events on the calling thread and on library threads");

            var created = seen.Of(LogEventKind.ClientCreated).Single();
            Equal(LogLevel.Info, created.Level, "client created: level");
            Equal(mockUrl, created.Url, "client created: the base URL");
            Equal(1, seen.Of(LogEventKind.ClientFreed).Count, "client freed once");

            var attempt = seen.Of(LogEventKind.HttpAttempt).First(e => e.Url == mockUrl + "/videos/vid_completed");
            Equal("GET", attempt.Method, "attempt: method");
            Equal(1, attempt.Attempt, "attempt: number");
            Equal(200, attempt.Status, "attempt: status");
            Equal("req-vid_completed", attempt.RequestId, "attempt: request id");
            Check(attempt.Bytes > 0 && attempt.Duration > TimeSpan.Zero, "attempt: bytes and duration");
            Equal(ResultCode.Ok, attempt.Result, "attempt: result");
            var failedAttempt = seen.Of(LogEventKind.HttpAttempt).First(e => e.Url == mockUrl + "/videos/status-404");
            Equal(LogLevel.Warn, failedAttempt.Level, "a 404 attempt is a warning");
            Equal(404, failedAttempt.Status, "404: status");
            Equal(ResultCode.NotFound, failedAttempt.Result, "404: result");

            var retry = seen.Of(LogEventKind.Retry).First(e => e.Url == mockUrl + "/videos/" + flaky);
            Equal(LogLevel.Warn, retry.Level, "retry: level");
            Equal(503, retry.Status, "retry: status");
            Equal(1, retry.Attempt, "retry: the attempt that failed");
            Equal(ResultCode.Server, retry.Result, "retry: result");
            Check(retry.DelayFromServer && retry.Delay >= TimeSpan.FromMilliseconds(1), "retry: the server's delay, " + retry.Delay);
            Check(retry.Reason != null && retry.Reason.Contains("503"), "retry: reason " + retry.Reason);

            var redirect = seen.Of(LogEventKind.Redirect).Single();
            Equal(LogLevel.Debug, redirect.Level, "redirect: level");
            Equal(302, redirect.Status, "redirect: status");
            Equal(origin, redirect.Url, "redirect: the target's origin only");

            var polls = seen.Of(LogEventKind.Poll).Where(e => e.JobId == job.Id).ToList();
            Equal("queued,in_progress,completed", string.Join(",", polls.Select(p => p.JobStatus)), "polls: statuses");
            Check(polls[0].Delay >= TimeSpan.FromMilliseconds(10) && polls.Last().Delay == TimeSpan.Zero, "polls: delay to the next, none at the end");

            var started = seen.Of(LogEventKind.DownloadStarted).Single();
            Equal(origin + "/files/" + drop + "?<redacted>", started.Url, "download started: the URL without its query");
            Equal(256L * 1024, started.Total, "download started: total");
            var resumed = seen.Of(LogEventKind.DownloadResumed).Single();
            Equal(LogLevel.Warn, resumed.Level, "download resumed: level");
            Check(resumed.Offset > 0 && resumed.Offset < 256 * 1024, "download resumed: offset " + resumed.Offset);
            Equal(256L * 1024, resumed.Total, "download resumed: total");
            var finished = seen.Of(LogEventKind.DownloadFinished).Single();
            Equal(256L * 1024, finished.Bytes, "download finished: bytes");
            Check(finished.Attempt >= 1 && finished.Duration > TimeSpan.Zero, "download finished: attempts and duration");

            var cancelled = seen.Of(LogEventKind.Cancelled).Single();
            Equal(ResultCode.Cancelled, cancelled.Result, "cancelled: result");
            Check(!string.IsNullOrEmpty(cancelled.Reason), "cancelled: the operation");

            var traces = seen.Of(LogEventKind.HttpTrace);
            Check(traces.All(e => e.Level == LogLevel.Trace && e.Detail != null && e.Detail.Length <= 4096), "trace: detail, capped");
            Check(traces.Any(e => e.Detail.Contains("authorization: <redacted>")), "trace: the Authorization header hidden");
            Check(seen.Events.All(e => !Texts(e).Contains("test-key") && !Texts(e).Contains("topsecret")), "no key, no signed query");
            Check(attempt.ToString().StartsWith("together-video info http_attempt: ", StringComparison.Ordinal), attempt.ToString());
            Check(attempt.ToString().EndsWith(attempt.Message, StringComparison.Ordinal), "ToString ends with the message");
        }

        /// <summary>Every text of an event: each string property (all of them, by
        /// reflection, so a property added later is scanned too) and its ToString.</summary>
        private static string Texts(LogEvent e)
        {
            var texts = typeof(LogEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(string))
                .Select(p => (string)p.GetValue(e));
            return string.Join("\n", texts.Concat(new[] { e.ToString() }).Where(t => t != null));
        }

        public static void TestLogLevelFiltersTheEvents()
        {
            foreach (LogLevel level in Enum.GetValues(typeof(LogLevel)))
            {
                var seen = new Seen();
                using (var client = LoggingClient(seen, level))
                {
                    client.GetVideo(Unique("flaky-1-503-cslevel-"));
                    client.GetVideo("redirect-same");
                }
                var events = seen.Events;
                var what = "at " + level + ": ";
                Check(events.All(e => e.Level <= level), what + "nothing above the level, got " + string.Join(", ", events.Where(e => e.Level > level).Select(e => e.Kind)));
                Equal(0, seen.LevelMismatch, what + "the Action's level is the event's");
                Equal(level >= LogLevel.Warn, seen.Of(LogEventKind.Retry).Count > 0, what + "a retry (warn)");
                Equal(level >= LogLevel.Info, seen.Of(LogEventKind.ClientCreated).Count > 0, what + "the client created (info)");
                Equal(level >= LogLevel.Info, events.Any(e => e.Kind == LogEventKind.HttpAttempt && e.Status == 200), what + "a successful attempt (info)");
                Equal(level >= LogLevel.Debug, seen.Of(LogEventKind.Redirect).Count > 0, what + "a redirect (debug)");
                Equal(level >= LogLevel.Trace, seen.Of(LogEventKind.HttpTrace).Count > 0, what + "headers and bodies (trace)");
            }

            // The default is Info.
            Equal(LogLevel.Info, new TogetherVideoClientOptions().LogLevel, "the default level");
            var byDefault = new Seen();
            using (var client = new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "", Log = byDefault.Add }))
            {
                client.GetVideo("redirect-same");
            }
            Check(byDefault.Of(LogEventKind.HttpAttempt).Count > 0, "by default: attempts");
            Check(byDefault.Events.All(e => e.Level <= LogLevel.Info), "by default: nothing past info");

            // A level the library does not know is refused, naming it; without Log it is not used.
            foreach (var bad in new[] { 0, 6, -1 })
            {
                var e = Throws<ArgumentOutOfRangeException>(() => new TogetherVideoClient(new TogetherVideoClientOptions
                {
                    ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "", Log = (l, x) => { }, LogLevel = (LogLevel)bad,
                }), "level " + bad);
                Equal("options", e.ParamName, "level " + bad + ": parameter");
                Check(Text(e).StartsWith("log level: ", StringComparison.Ordinal) && Text(e).EndsWith("not " + bad, StringComparison.Ordinal), Text(e));
            }
            new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "", LogLevel = (LogLevel)0 }).Dispose();
        }

        public static void TestNoLogEventHoldsTheKeyOrASignedQuery()
        {
            const string key = "tv-k3y-0123456789abcdef-ghijklmnopqrst";
            foreach (LogLevel level in Enum.GetValues(typeof(LogLevel)))
            {
                var seen = new Seen();
                var file = TempFile(".mp4");
                using (var client = LoggingClient(seen, level, key))
                {
                    var video = client.GetVideo("echo-key-everywhere");
                    Check(video.VideoUrl.Contains(key), "the mock echoes the key in the video URL");
                    Equal(256L * 1024, client.DownloadUrl(video.VideoUrl, file), "a blocking download of the echoed URL");
                    File.Delete(file);
                    using (var stream = new MemoryStream())
                    {
                        Equal(256L * 1024, client.DownloadUrlAsync(video.VideoUrl, stream).Result, "an async download of the echoed URL");
                    }
                    Equal("echo-key-everywhere", client.GetVideoAsync("echo-key-everywhere").Result.Id, "an async get");
                    Throws<AuthenticationException>(() => client.GetVideo("echo-key"), "echo-key");
                    Throws<AuthenticationException>(() => client.GetVideoAsync("echo-key-request-id").GetAwaiter().GetResult(), "echo-key-request-id");
                }
                var what = "at " + level + ": ";
                var events = seen.Events;
                if (level >= LogLevel.Info) Check(events.Count > 0, what + "events");
                if (level >= LogLevel.Info) Check(events.Any(e => e.Url != null && e.Url.EndsWith("/files/drop-echo.mp4?<redacted>", StringComparison.Ordinal)), what + "the video URL without its query");
                if (level == LogLevel.Trace) Check(seen.Of(LogEventKind.HttpTrace).Count > 0, what + "traces");
                foreach (var e in events)
                {
                    var texts = Texts(e);
                    for (int start = 0; start + 8 <= key.Length; start++)
                    {
                        var piece = key.Substring(start, 8);
                        if (texts.Contains(piece)) throw new Exception(what + "\"" + piece + "\" of the key in a " + e.Kind + " event:\n" + texts);
                    }
                    Check(!texts.Contains("exp=1") && !texts.Contains("token="), what + "the signed query in a " + e.Kind + " event:\n" + texts);
                }
            }
        }

        public static void TestAThrowingLogActionBreaksNoCall()
        {
            int calls = 0;
            var options = new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                LogLevel = LogLevel.Trace,
                Log = (level, e) =>
                {
                    Interlocked.Increment(ref calls);
                    throw new InvalidOperationException("a broken logger");
                },
            };
            using (var client = new TogetherVideoClient(options))
            {
                Equal(1, Volatile.Read(ref calls), "the constructor's event reached the Action");
                Equal("vid_completed", client.GetVideo("vid_completed").Id, "a blocking get");
                Equal("vid_completed", client.GetVideoAsync("vid_completed").Result.Id, "an async get");
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                Equal(VideoStatus.Completed, client.WaitForVideoAsync(job.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) }).Result.Status, "an async wait");
                using (var stream = new MemoryStream())
                {
                    Equal(256L * 1024, client.DownloadUrl(origin + "/files/" + Unique("drop-csthrow-") + ".mp4", stream), "a download that resumes");
                }
                Throws<NotFoundException>(() => client.GetVideo("status-404"), "a failure is still the call's own");
            }
            Check(Volatile.Read(ref calls) > 20, "the Action ran for every event: " + calls);
        }

        public static void TestNoLogEventAfterDisposeReturns()
        {
            var seen = new Seen();
            var client = LoggingClient(seen, LogLevel.Trace);
            var job = client.CreateVideo(new CreateVideoRequest("m"));
            var wait = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(5) };
            var tasks = Enumerable.Range(0, 8).Select(i => client.WaitForVideoAsync(i % 2 == 0 ? "stall" : job.Id, wait)).ToList();
            Thread.Sleep(50);
            client.Dispose();
            seen.Close();
            foreach (var task in tasks)
            {
                try
                {
                    task.Wait();
                }
                catch (AggregateException e) when (e.InnerException is RequestCancelledException)
                {
                }
            }
            Thread.Sleep(100);
            Equal(0, seen.AfterClose, "events after Dispose returned");
            Equal(1, seen.Of(LogEventKind.ClientFreed).Count, "the client freed, before Dispose returned");
            Check(tasks.Any(t => t.IsFaulted), "the stalled waits were cancelled");

            // A blocking call on another thread holds the native client until it returns:
            // its events after Dispose are dropped, and it ends as it would have.
            seen = new Seen();
            client = LoggingClient(seen, LogLevel.Trace);
            Video slow = null;
            var caller = new Thread(() => slow = client.GetVideo("slow-400"));
            caller.Start();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (client.GetStats().RequestsInFlight == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            client.Dispose();
            seen.Close();
            Throws<ObjectDisposedException>(() => client.GetStats(), "GetStats after Dispose");
            caller.Join();
            Thread.Sleep(50);
            Equal("slow-400", slow != null ? slow.Id : null, "the blocking call ended with its video");
            Equal(0, seen.AfterClose, "events after Dispose returned, with a blocking call in flight");
            Equal(0, seen.Of(LogEventKind.HttpAttempt).Count(e => e.Url.EndsWith("/slow-400", StringComparison.Ordinal)), "the slow call's attempt came after Dispose");
        }

        public static void TestDisposingFromInsideTheLogActionIsSafe()
        {
            // On a library thread (an async call): the library forbids tv_client_free there.
            var freed = new ManualResetEventSlim();
            TogetherVideoClient client = null;
            var options = new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                Log = (level, e) =>
                {
                    if (e.Kind == LogEventKind.HttpAttempt) Volatile.Read(ref client).Dispose();
                    if (e.Kind == LogEventKind.ClientFreed) freed.Set();
                },
            };
            Volatile.Write(ref client, new TogetherVideoClient(options));
            var task = client.GetVideoAsync("vid_completed");
            try
            {
                Equal("vid_completed", task.Result.Id, "the call that logged");
            }
            catch (AggregateException e) when (e.InnerException is RequestCancelledException)
            {
                // Freed before the request was done: cancelled, as Dispose says.
            }
            Check(freed.Wait(TimeSpan.FromSeconds(10)), "the client was freed on another thread");
            Throws<ObjectDisposedException>(() => client.GetVideo("vid_completed"), "a call after");

            // On the calling thread, inside a blocking call: it returns as usual.
            var blocking = new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                Log = (level, e) =>
                {
                    if (e.Kind == LogEventKind.HttpAttempt) Volatile.Read(ref client).Dispose();
                },
            });
            Volatile.Write(ref client, blocking);
            Equal("vid_completed", blocking.GetVideo("vid_completed").Id, "the blocking call that logged");
            Throws<ObjectDisposedException>(() => blocking.GetVideo("vid_completed"), "a blocking call after");
            Throws<ObjectDisposedException>(() => blocking.GetStats(), "GetStats after");
        }

        public static void TestTheClientLetsGoOfItsLogAction()
        {
            AllCollected(ALoggingClientDisposed());
            AllCollected(ALoggingClientNeverDisposed()); // its finalizer frees it
            AllCollected(ALoggingClientRefused());
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] ALoggingClientDisposed()
        {
            var seen = new Seen();
            using (var client = LoggingClient(seen, LogLevel.Debug))
            {
                client.GetVideoAsync("vid_completed").Wait();
            }
            Check(seen.Of(LogEventKind.ClientFreed).Count == 1, "freed");
            return new[] { new WeakReference(seen) };
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] ALoggingClientNeverDisposed()
        {
            var seen = new Seen();
            var client = LoggingClient(seen, LogLevel.Debug);
            client.GetVideo("vid_completed");
            return new[] { new WeakReference(seen), new WeakReference(client) };
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] ALoggingClientRefused()
        {
            var seen = new Seen();
            Throws<ArgumentOutOfRangeException>(() => new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = "test-key", Log = seen.Add, MaxRetries = -1,
            }), "a refused option");
            Throws<ArgumentException>(() => new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = "test-key", Log = seen.Add, BaseUrl = "ftp://x",
            }), "a refused base URL");
            return new[] { new WeakReference(seen) };
        }

        public static void TestStatsFromInsideTheLogAction()
        {
            long seenRequests = -1;
            TogetherVideoClient client = null;
            var options = new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                Log = (level, e) =>
                {
                    var c = Volatile.Read(ref client);
                    if (c != null && e.Kind == LogEventKind.HttpAttempt) Interlocked.Exchange(ref seenRequests, c.GetStats().Requests);
                },
            };
            using (client = new TogetherVideoClient(options))
            {
                client.GetVideoAsync("vid_completed").Wait();
                Equal(1L, Interlocked.Read(ref seenRequests), "GetStats from the Action on a library thread");
                client.GetVideo("vid_completed");
                Equal(2L, Interlocked.Read(ref seenRequests), "GetStats from the Action on the calling thread");
            }
        }

        // ---- LogEvent copied out of the struct ------------------------------------------

        /// <summary>A native event with every field set, in unmanaged memory, its
        /// <c>size</c> set to <paramref name="size"/>; the strings are freed by
        /// <paramref name="free"/>.</summary>
        private static IntPtr NativeEvent(int size, LogLevel level, LogEventKind kind, string message, List<IntPtr> free)
        {
            Func<string, IntPtr> text = s =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(s + "\0");
                var p = Marshal.AllocHGlobal(bytes.Length);
                Marshal.Copy(bytes, 0, p, bytes.Length);
                free.Add(p);
                return p;
            };
            var native = new TvLogEvent
            {
                size = (uint)size, level = (int)level, kind = (int)kind, message = text(message), method = text("GET"),
                url = text("http://h/v2/videos/x"), attempt = 2, status = 503, duration_us = 1500, request_id = text("req-1"),
                bytes = 42, reason = text("server error"), delay_ms = 250, delay_from_server = 1, job_id = text("job-1"),
                job_status = text("queued"), offset = 1000, total = 5000, result = (int)ResultCode.Server, detail = text("x-a: b"),
            };
            var pointer = Marshal.AllocHGlobal(Marshal.SizeOf(typeof(TvLogEvent)) + 64);
            free.Add(pointer);
            // Past the struct: what a shorter struct must never be read into.
            for (int i = 0; i < Marshal.SizeOf(typeof(TvLogEvent)) + 64; i++) Marshal.WriteByte(pointer, i, 0xAB);
            Marshal.StructureToPtr(native, pointer, false);
            return pointer;
        }

        private static LogEvent EventOf(LogLevel level, LogEventKind kind, string message)
        {
            var free = new List<IntPtr>();
            try
            {
                return LogEvent.FromNative(NativeEvent(Marshal.SizeOf(typeof(TvLogEvent)), level, kind, message, free));
            }
            finally
            {
                free.ForEach(Marshal.FreeHGlobal);
            }
        }

        public static void TestALogEventIsCopiedAsFarAsItsSizeGoes()
        {
            int full = Marshal.SizeOf(typeof(TvLogEvent));
            Func<string, int> at = field => Marshal.OffsetOf(typeof(TvLogEvent), field).ToInt32();
            var free = new List<IntPtr>();
            try
            {
                var e = LogEvent.FromNative(NativeEvent(full, LogLevel.Warn, LogEventKind.Retry, "retrying", free));
                Equal(LogLevel.Warn, e.Level, "level");
                Equal(LogEventKind.Retry, e.Kind, "kind");
                Equal("retrying", e.Message, "message");
                Equal("GET", e.Method, "method");
                Equal("http://h/v2/videos/x", e.Url, "url");
                Equal(2, e.Attempt, "attempt");
                Equal(503, e.Status, "status");
                Equal(TimeSpan.FromTicks(15000), e.Duration, "duration");
                Equal("req-1", e.RequestId, "request id");
                Equal(42L, e.Bytes, "bytes");
                Equal("server error", e.Reason, "reason");
                Equal(TimeSpan.FromMilliseconds(250), e.Delay, "delay");
                Equal(true, e.DelayFromServer, "delay from server");
                Equal("job-1", e.JobId, "job id");
                Equal("queued", e.JobStatus, "job status");
                Equal(1000L, e.Offset, "offset");
                Equal(5000L, e.Total, "total");
                Equal(ResultCode.Server, e.Result, "result");
                Equal("x-a: b", e.Detail, "detail");
                Equal("together-video warn retry: retrying", e.ToString(), "ToString");

                // A library built before a field was added: what its size does not cover is absent.
                e = LogEvent.FromNative(NativeEvent(at("detail"), LogLevel.Debug, LogEventKind.Poll, "polled", free));
                Equal(null, e.Detail, "no detail");
                Equal(ResultCode.Server, e.Result, "the result, covered");
                e = LogEvent.FromNative(NativeEvent(at("total"), LogLevel.Debug, LogEventKind.Poll, "polled", free));
                Equal(null, e.Total, "no total");
                Equal(ResultCode.Ok, e.Result, "no result");
                Equal(1000L, e.Offset, "the offset, covered");
                e = LogEvent.FromNative(NativeEvent(at("message"), LogLevel.Info, LogEventKind.ClientCreated, "hello", free));
                Equal(LogEventKind.ClientCreated, e.Kind, "the kind, covered");
                Equal("", e.Message, "no message: empty, never null");
                Check(e.Method == null && e.Url == null && e.Attempt == 0 && e.Total == null && e.Detail == null, "nothing else");

                // A kind and a level this version does not know; numbers past what they hold.
                e = LogEvent.FromNative(NativeEvent(full + 16, (LogLevel)7, (LogEventKind)99, "new", free));
                Equal("together-video level_7 kind_99: new", e.ToString(), "unknown kind");
                var huge = NativeEvent(full, LogLevel.Info, LogEventKind.DownloadFinished, "done", free);
                Marshal.WriteInt64(huge, at("duration_us"), -1);
                Marshal.WriteInt64(huge, at("bytes"), -1);
                Marshal.WriteInt64(huge, at("total"), -1);
                e = LogEvent.FromNative(huge);
                Equal(TimeSpan.MaxValue, e.Duration, "the longest duration");
                Equal(long.MaxValue, e.Bytes, "the most bytes");
                Equal(null, e.Total, "-1: unknown total");
            }
            finally
            {
                free.ForEach(Marshal.FreeHGlobal);
            }
        }

        // ---- LogQueue ----------------------------------------------------------------------

        public static void TestLogQueueHandsEventsToTheDrainingThread()
        {
            var queue = new LogQueue(100000);
            var events = Enumerable.Range(0, 8).Select(t => EventOf(LogLevel.Info, LogEventKind.Poll, "t" + t)).ToArray();
            var writers = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                for (int i = 0; i < 1000; i++) queue.Add(LogLevel.Info, events[t]);
            })).ToList();
            writers.ForEach(w => w.Start());
            writers.ForEach(w => w.Join());
            Equal(8000, queue.Count, "queued from 8 threads");
            var perThread = new int[8];
            int drainer = Thread.CurrentThread.ManagedThreadId;
            Equal(8000, queue.Drain((level, e) =>
            {
                Equal(drainer, Thread.CurrentThread.ManagedThreadId, "drained on this thread");
                perThread[int.Parse(e.Message.Substring(1))]++;
            }), "drained");
            Check(perThread.All(n => n == 1000), "every event once");
            Equal(0, queue.Count, "empty");
            Equal(0L, queue.Dropped, "none dropped");

            // Bounded: the newest are dropped and counted.
            var small = new LogQueue(3);
            for (int i = 0; i < 5; i++) small.Add(LogLevel.Warn, EventOf(LogLevel.Warn, LogEventKind.Retry, "r" + i));
            small.Add(LogLevel.Warn, null);
            Equal(3, small.Count, "at capacity");
            Equal(2L, small.Dropped, "dropped");
            var order = new List<string>();
            small.Drain((level, e) => order.Add(e.Message));
            Equal("r0,r1,r2", string.Join(",", order), "oldest first");

            // A handler that logs does not keep a drain going; one that throws leaves the rest.
            var busy = new LogQueue();
            for (int i = 0; i < 3; i++) busy.Add(LogLevel.Info, events[i]);
            Equal(3, busy.Drain((level, e) => busy.Add(level, e)), "only what waited when the drain began");
            Equal(3, busy.Count, "what the handler queued waits");
            int handled = 0;
            Throws<InvalidOperationException>(() => busy.Drain((level, e) =>
            {
                if (++handled == 2) throw new InvalidOperationException("a broken console");
            }), "a throwing handler");
            Equal(1, busy.Count, "the events not handled stay");

            // Three consoles by level, each given the event's line.
            var lines = new List<string>();
            var mixed = new LogQueue();
            foreach (var level in new[] { LogLevel.Error, LogLevel.Warn, LogLevel.Info, LogLevel.Debug, LogLevel.Trace })
                mixed.Add(level, EventOf(level, LogEventKind.HttpAttempt, "m"));
            Equal(5, mixed.Drain(o => lines.Add("E " + o), o => lines.Add("W " + o), o => lines.Add("I " + o)), "to consoles");
            Equal("E together-video error http_attempt: m|W together-video warn http_attempt: m|I together-video info http_attempt: m|"
                + "I together-video debug http_attempt: m|I together-video trace http_attempt: m", string.Join("|", lines), "by level");

            Throws<ArgumentOutOfRangeException>(() => new LogQueue(0), "capacity 0");
            Throws<ArgumentNullException>(() => mixed.Drain(null), "no handler");
            Throws<ArgumentNullException>(() => mixed.Drain(o => { }, null, o => { }), "no warning console");
            Equal(10000, new LogQueue().Capacity, "the default capacity");

            // From a real client's library threads to this one.
            var fromClient = new LogQueue();
            using (var client = new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "", Log = fromClient.Add }))
            {
                Task.WaitAll(Enumerable.Range(0, 4).Select(i => client.GetVideoAsync("vid_completed")).ToArray());
            }
            var kinds = new List<LogEventKind>();
            fromClient.Drain((level, e) => kinds.Add(e.Kind));
            Equal(4, kinds.Count(k => k == LogEventKind.HttpAttempt), "the attempts of the async calls");
            Equal(LogEventKind.ClientCreated, kinds.First(), "created first");
            Equal(LogEventKind.ClientFreed, kinds.Last(), "freed last");
        }
    }
}
