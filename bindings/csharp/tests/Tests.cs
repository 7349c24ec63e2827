// The C# binding against the repository's mock of Together's API (TV_MOCK_URL) and the
// shared fixtures (TV_FIXTURES). Run by `make test-csharp` under Mono. A small runner:
// every public static method named Test* runs; the last line says how many passed.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static class Program
    {
        private static string mockUrl;
        private static string origin;

        public static int Main()
        {
            mockUrl = Environment.GetEnvironmentVariable("TV_MOCK_URL");
            if (mockUrl == null)
            {
                Console.Error.WriteLine("set TV_MOCK_URL to the mock's base URL (make test-csharp does)");
                return 2;
            }
            origin = mockUrl.Substring(0, mockUrl.LastIndexOf("/v2", StringComparison.Ordinal));
            int passed = 0, failed = 0;
            foreach (var test in typeof(Program).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name.StartsWith("Test")))
            {
                try
                {
                    test.Invoke(null, null);
                    passed++;
                    Console.WriteLine("ok   " + test.Name);
                }
                catch (TargetInvocationException e)
                {
                    failed++;
                    Console.WriteLine("FAIL " + test.Name + ": " + e.InnerException);
                }
            }
            Console.WriteLine("csharp: {0} passed, {1} failed", passed, failed);
            return failed == 0 ? 0 : 1;
        }

        private static Client NewClient(string apiKey = "test-key", TimeSpan? timeout = null, int? retries = null)
        {
            return new Client(new ClientOptions
            {
                ApiKey = apiKey,
                BaseUrl = mockUrl,
                Proxy = "",
                Timeout = timeout,
                MaxRetries = retries,
            });
        }

        private static void Check(bool condition, string what)
        {
            if (!condition) throw new Exception("check failed: " + what);
        }

        private static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Exception(string.Format("{0}: expected <{1}>, got <{2}>", what, expected, actual));
        }

        private static TException Throws<TException>(Action action, string what) where TException : Exception
        {
            try
            {
                action();
            }
            catch (AggregateException e) when (e.InnerException is TException)
            {
                return (TException)e.InnerException;
            }
            catch (TException e)
            {
                return e;
            }
            throw new Exception(what + ": expected " + typeof(TException).Name);
        }

        public static void TestEveryFixtureDecodesAsExpected()
        {
            var path = Path.Combine(Environment.GetEnvironmentVariable("TV_FIXTURES") ?? "tests/fixtures", "expected.json");
            var expected = (Dictionary<string, object>)MiniJson.Parse(File.ReadAllText(path));
            using (var client = NewClient())
            {
                foreach (var entry in expected.Where(e => !e.Key.StartsWith("_")))
                {
                    var want = (Dictionary<string, object>)entry.Value;
                    Func<string, string> text = name => want[name] == null ? null : ((string)want[name]).Replace("{{origin}}", origin);
                    var video = client.GetVideo(entry.Key);
                    var id = entry.Key + " ";
                    Equal(entry.Key, video.Id, id + "id");
                    Equal(text("object"), video.Object, id + "object");
                    Equal(text("model"), video.Model, id + "model");
                    Equal(text("status"), StatusName(video.Status), id + "status");
                    Equal(text("status_raw"), video.StatusRaw, id + "status_raw");
                    Equal((double)want["created_at"], video.CreatedAt.HasValue ? video.CreatedAt.Value.ToUnixTimeMilliseconds() / 1000.0 : 0, id + "created_at");
                    Equal(want["completed_at"] == null ? (double?)null : (double)want["completed_at"],
                        video.CompletedAt.HasValue ? video.CompletedAt.Value.ToUnixTimeMilliseconds() / 1000.0 : (double?)null, id + "completed_at");
                    Equal(text("size"), video.Size, id + "size");
                    Equal(text("seconds"), video.Seconds, id + "seconds");
                    Equal(text("error_code"), video.ErrorCode, id + "error_code");
                    Equal(text("error_message"), video.ErrorMessage, id + "error_message");
                    Equal((bool)want["has_outputs"], video.HasOutputs, id + "has_outputs");
                    Equal((double)want["cost"], video.Cost, id + "cost");
                    Equal(text("video_url"), video.VideoUrl, id + "video_url");
                    Check(video.Json.Contains("\"" + entry.Key + "\""), id + "json is the body");
                }
            }
        }

        private static string StatusName(VideoStatus status)
        {
            switch (status)
            {
                case VideoStatus.Queued: return "queued";
                case VideoStatus.InProgress: return "in_progress";
                case VideoStatus.Completed: return "completed";
                case VideoStatus.Failed: return "failed";
                case VideoStatus.Cancelled: return "cancelled";
                default: return "unknown";
            }
        }

        public static void TestEveryResultCodeBecomesItsException()
        {
            using (var client = NewClient(retries: 0))
            {
                var cases = new Dictionary<int, Type>
                {
                    { 400, typeof(TogetherVideoException) }, { 401, typeof(AuthenticationException) },
                    { 403, typeof(TogetherVideoException) }, { 404, typeof(NotFoundException) },
                    { 409, typeof(TogetherVideoException) }, { 418, typeof(TogetherVideoException) },
                    { 422, typeof(TogetherVideoException) }, { 429, typeof(RateLimitException) },
                    { 500, typeof(TogetherVideoException) }, { 503, typeof(TogetherVideoException) },
                };
                var codes = new Dictionary<int, ResultCode>
                {
                    { 400, ResultCode.BadRequest }, { 401, ResultCode.Authentication }, { 403, ResultCode.PermissionDenied },
                    { 404, ResultCode.NotFound }, { 409, ResultCode.Conflict }, { 418, ResultCode.Http },
                    { 422, ResultCode.Unprocessable }, { 429, ResultCode.RateLimited }, { 500, ResultCode.Server },
                    { 503, ResultCode.Server },
                };
                foreach (var c in cases)
                {
                    var e = Throws<TogetherVideoException>(() => client.GetVideo("status-" + c.Key), "status " + c.Key);
                    Equal(c.Value, e.GetType(), c.Key + " type");
                    Equal(codes[c.Key], e.Code, c.Key + " code");
                    Equal(c.Key, e.HttpStatus, c.Key + " status");
                    Equal("req-status-" + c.Key, e.RequestId, c.Key + " request id");
                    Check(e.Message.Contains("mock " + c.Key + " response"), c.Key + " message: " + e.Message);
                    var async = Throws<TogetherVideoException>(() => client.GetVideoAsync("status-" + c.Key).Wait(), "async " + c.Key);
                    Equal(c.Value, async.GetType(), c.Key + " async type");
                }
                Equal(ResultCode.InvalidArgument, Throws<TogetherVideoException>(() => client.GetVideo(".."), "unsafe id").Code, "unsafe id");
                Equal(ResultCode.Decode, Throws<TogetherVideoException>(() => client.GetVideo("html-200"), "html").Code, "html");
                Equal(ResultCode.Connection, Throws<TogetherVideoException>(() => client.GetVideo("reset"), "reset").Code, "reset");
            }
            using (var wrongKey = NewClient("wrong-key"))
            {
                Throws<AuthenticationException>(() => wrongKey.GetVideo("vid_completed"), "wrong key");
            }
            var bad = Throws<TogetherVideoException>(() => new Client(new ClientOptions { ApiKey = "k", BaseUrl = "ftp://x" }), "bad base URL");
            Equal(ResultCode.InvalidArgument, bad.Code, "bad base URL code");
            bad = Throws<TogetherVideoException>(() => new Client(new ClientOptions { ApiKey = "k", MaxRetries = 11 }), "bad retries");
            Check(bad.Message.Contains("max retries"), bad.Message);
        }

        public static void TestTheFileSystemResultCode()
        {
            Equal(16, (int)ResultCode.FileSystem, "its number");
            var e = TogetherVideoException.Create(ResultCode.FileSystem, "cannot replace clip.mp4", 0, null);
            Equal(typeof(TogetherVideoException), e.GetType(), "its exception");
            Equal(ResultCode.FileSystem, e.Code, "its code");
        }

        public static void TestRetriesAndTimeouts()
        {
            using (var client = NewClient())
            {
                Equal("flaky-2-503-cs", client.GetVideo("flaky-2-503-cs").Id, "retried to success");
            }
            using (var impatient = NewClient(timeout: TimeSpan.FromMilliseconds(300), retries: 0))
            {
                Throws<RequestTimeoutException>(() => impatient.GetVideo("slow-3000"), "timeout");
            }
        }

        public static void TestAsyncCallsAndCancellation()
        {
            using (var client = NewClient())
            {
                Equal(VideoStatus.Queued, client.GetVideoAsync("vid_queued").Result.Status, "async get");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    var stuck = client.GetVideoAsync("stall", cancel.Token);
                    Throws<OperationCanceledException>(() => stuck.GetAwaiter().GetResult(), "cancelled get");
                    Check(stuck.IsCanceled, "the task is cancelled");
                }
                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    Check(client.GetVideoAsync("vid_completed", cancelled.Token).IsCanceled, "a cancelled token starts nothing");
                }
                // Disposing the client ends what is in flight.
                var inFlight = client.GetVideoAsync("stall");
                Thread.Sleep(100);
                client.Dispose();
                Throws<RequestCancelledException>(() => inFlight.GetAwaiter().GetResult(), "disposed during a call");
            }
        }

        public static void TestDisposeTwiceAndUseAfterDispose()
        {
            var client = NewClient();
            client.Dispose();
            client.Dispose();
            Throws<ObjectDisposedException>(() => client.GetVideo("vid_completed"), "sync after dispose");
            Throws<ObjectDisposedException>(() => client.GetVideoAsync("vid_completed"), "async after dispose");
        }

        public static void TestThirtyTwoConcurrentTasksShareOneClient()
        {
            var ids = new[] { "vid_completed", "vid_failed", "vid_queued", "vid_in_progress", "vid_unknown_status" };
            using (var client = NewClient())
            {
                var tasks = Enumerable.Range(0, 32).Select(t => Task.Run(async () =>
                {
                    for (int i = 0; i < 20; i++)
                    {
                        var id = ids[(t + i) % ids.Length];
                        var video = i % 2 == 0 ? await client.GetVideoAsync(id) : client.GetVideo(id);
                        Equal(id, video.Id, "concurrent get");
                    }
                })).ToArray();
                Task.WaitAll(tasks);
            }
        }

        public static void TestCreateWaitAndDownload()
        {
            using (var client = NewClient())
            {
                var request = new CreateVideoRequest("minimax/video-01-director")
                {
                    Prompt = "a lighthouse at dusk",
                    Steps = 30,
                    GuidanceScale = 8.0,
                    OutputFormat = "MP4",
                    GenerateAudio = true,
                };
                request.FrameImages.Add(new FrameImage("https://img/first.png", FramePosition.First));
                request.ExtraJsonFields["future_knob"] = "{\"level\": 3}";
                var job = client.CreateVideoAsync(request).Result;
                Equal(VideoStatus.Queued, job.Status, "created");
                Equal(VideoStatus.Queued, client.CreateVideo(new CreateVideoRequest("m")).Status, "created, blocking");
                Throws<TogetherVideoException>(() => client.CreateVideo(new CreateVideoRequest("m") { Steps = 5 }), "steps 5");

                var seen = new List<string>();
                var progress = new Recorder<Video>(v => { lock (seen) seen.Add(v.StatusRaw); });
                var done = client.WaitAsync(job.Id, progress, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10)).Result;
                Equal(VideoStatus.Completed, done.Status, "waited");
                Equal("queued,in_progress,completed", string.Join(",", seen), "progress");

                var file = Path.Combine(Path.GetTempPath(), "tv-cs-" + Guid.NewGuid() + ".mp4");
                long lastBytes = 0;
                client.DownloadAsync(done, file, new Recorder<long>(n => lastBytes = n)).Wait();
                Equal(256L * 1024, new FileInfo(file).Length, "file size");
                Equal(256L * 1024, lastBytes, "progress bytes");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    client.DownloadAsync(client.GetVideo("video-at-clip.webm"), stream).Wait();
                    var bytes = stream.ToArray();
                    Equal(256 * 1024, bytes.Length, "stream size");
                    Check(bytes[0] == 0x1A && bytes[1] == 0x45 && bytes[2] == 0xDF && bytes[3] == 0xA3, "WebM magic");
                }
                var page = Throws<TogetherVideoException>(() => client.DownloadAsync(client.GetVideo("video-at-page.html"), file).Wait(), "html page");
                Equal(ResultCode.Decode, page.Code, "html page code");
                Check(!File.Exists(file), "no file for a page");
                Throws<TogetherVideoException>(() => client.DownloadAsync(client.GetVideo("vid_in_progress"), file).Wait(), "not completed");

                var failed = client.WaitAsync(client.CreateVideo(new CreateVideoRequest("fail-job")).Id, pollInterval: TimeSpan.FromMilliseconds(10)).Result;
                Equal(VideoStatus.Failed, failed.Status, "failed job");
                Equal("generation_failed", failed.ErrorCode, "failed job code");

                var silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                Throws<RequestTimeoutException>(() => client.WaitAsync(silent.Id, null, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(10)).GetAwaiter().GetResult(), "wait deadline");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                    Throws<OperationCanceledException>(() => client.WaitAsync(silent.Id, pollInterval: TimeSpan.FromMilliseconds(10), cancellationToken: cancel.Token).GetAwaiter().GetResult(), "wait cancel");
                }
            }
        }

        public static void TestAThrowingProgressFaultsTheTask()
        {
            using (var client = NewClient())
            {
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var boom = Throws<InvalidOperationException>(() => client.WaitAsync(job.Id,
                    new Recorder<Video>(v => { throw new InvalidOperationException("boom"); }),
                    pollInterval: TimeSpan.FromMilliseconds(10)).GetAwaiter().GetResult(), "throwing progress");
                Equal("boom", boom.Message, "the callback's own exception");
            }
        }

        /// <summary>The bytes the mock serves for /files/<paramref name="name"/>
        /// (tests/mock/src/files.rs).</summary>
        private static byte[] MockVideo(string name)
        {
            var bytes = new byte[256 * 1024];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)((i * 31 + 7) % 251);
            var magic = name.EndsWith(".webm", StringComparison.Ordinal)
                ? new byte[] { 0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81 }
                : System.Text.Encoding.ASCII.GetBytes("\0\0\0\x18" + "ftypisom\0\0\x02\0isomiso2");
            Array.Copy(magic, bytes, magic.Length);
            return bytes;
        }

        private static void SameBytes(byte[] expected, byte[] actual, string what)
        {
            Equal(expected.Length, actual.Length, what + " size");
            for (int i = 0; i < expected.Length; i++)
                if (expected[i] != actual[i]) throw new Exception(string.Format("{0}: byte {1} differs", what, i));
        }

        private static string TempFile(string extension)
        {
            return Path.Combine(Path.GetTempPath(), "tv-cs-" + Guid.NewGuid() + extension);
        }

        /// <summary>No file under <paramref name="path"/>, nor any temporary file beside it
        /// (the library names those ".NAME.PID-N.part").</summary>
        private static void NothingLeft(string path, string what)
        {
            Check(!File.Exists(path), what + ": no file");
            var stray = Directory.GetFiles(Path.GetDirectoryName(path), "*" + Path.GetFileName(path) + "*");
            Check(stray.Length == 0, what + ": no temporary file, found " + string.Join(", ", stray));
        }

        public static void TestDownloadByUrl()
        {
            using (var client = NewClient())
            {
                var mp4 = MockVideo("clip.mp4");
                var webm = MockVideo("clip.webm");
                var mp4Url = origin + "/files/clip.mp4";
                var webmUrl = origin + "/files/clip.webm";

                var file = TempFile(".mp4");
                long reported = 0;
                Equal((long)mp4.Length, client.DownloadUrl(mp4Url, file, new Recorder<long>(n => reported = n)), "blocking, to a file: its size");
                SameBytes(mp4, File.ReadAllBytes(file), "blocking, to a file");
                Equal((long)mp4.Length, reported, "blocking, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.DownloadUrl(webmUrl, stream), "blocking, to a stream: its size");
                    SameBytes(webm, stream.ToArray(), "blocking, to a stream");
                }

                reported = 0;
                client.DownloadUrlAsync(mp4Url, file, new Recorder<long>(n => reported = n)).Wait();
                SameBytes(mp4, File.ReadAllBytes(file), "async, to a file");
                Equal((long)mp4.Length, reported, "async, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    client.DownloadUrlAsync(webmUrl, stream, timeout: TimeSpan.FromSeconds(30)).Wait();
                    SameBytes(webm, stream.ToArray(), "async, to a stream");
                }

                // A Video read earlier goes by its URL: no JSON round trip, no second GET.
                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.Download(client.GetVideo("video-at-clip.webm"), stream), "a Video, blocking");
                    SameBytes(webm, stream.ToArray(), "a Video, blocking");
                }

                var page = Throws<TogetherVideoException>(() => client.DownloadUrl(origin + "/files/page.html", file), "an HTML page");
                Equal(ResultCode.Decode, page.Code, "an HTML page: code");
                NothingLeft(file, "an HTML page");
                var missing = Throws<TogetherVideoException>(() => client.DownloadUrlAsync(origin + "/files/missing.mp4", file).Wait(), "a missing file");
                Equal(ResultCode.NotFound, missing.Code, "a missing file: code");
                NothingLeft(file, "a missing file");
                var scheme = Throws<TogetherVideoException>(() => client.DownloadUrl("ftp://example.com/clip.mp4", new MemoryStream()), "an ftp URL");
                Equal(ResultCode.InvalidArgument, scheme.Code, "an ftp URL: code");
                var directory = Throws<TogetherVideoException>(() => client.DownloadUrl(mp4Url, Path.GetTempPath()), "a directory");
                Equal(ResultCode.FileSystem, directory.Code, "a directory: code");
            }
        }

        public static void TestDownloadByJobId()
        {
            using (var client = NewClient())
            {
                var mp4 = MockVideo("clip.mp4");
                var webm = MockVideo("clip.webm");
                var file = TempFile(".mp4");

                long reported = 0;
                Equal((long)mp4.Length, client.DownloadVideo("video-at-clip.mp4", file, new Recorder<long>(n => reported = n)), "blocking, to a file: its size");
                SameBytes(mp4, File.ReadAllBytes(file), "blocking, to a file");
                Equal((long)mp4.Length, reported, "blocking, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.DownloadVideo("video-at-clip.webm", stream), "blocking, to a stream: its size");
                    SameBytes(webm, stream.ToArray(), "blocking, to a stream");
                }

                client.DownloadVideoAsync("video-at-clip.mp4", file, timeout: TimeSpan.FromSeconds(30)).Wait();
                SameBytes(mp4, File.ReadAllBytes(file), "async, to a file");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    reported = 0;
                    client.DownloadVideoAsync("video-at-clip.webm", stream, new Recorder<long>(n => reported = n)).Wait();
                    SameBytes(webm, stream.ToArray(), "async, to a stream");
                    Equal((long)webm.Length, reported, "async, to a stream: progress");
                }

                // The job must be completed: the library says so, naming the job.
                var pending = Throws<TogetherVideoException>(() => client.DownloadVideo("vid_in_progress", file), "a job in progress");
                Equal(ResultCode.InvalidArgument, pending.Code, "a job in progress: code");
                Check(pending.Message.Contains("vid_in_progress") && pending.Message.Contains("not completed"), pending.Message);
                NothingLeft(file, "a job in progress");
                Throws<NotFoundException>(() => client.DownloadVideoAsync("no-such-job", new MemoryStream()).GetAwaiter().GetResult(), "no such job");
                Equal(ResultCode.InvalidArgument, Throws<TogetherVideoException>(() => client.DownloadVideo("..", file), "an unsafe id").Code, "an unsafe id");

                // A Video read before it completed has no URL: it goes by its id, and the
                // library gets the job again.
                var early = client.GetVideo("vid_in_progress");
                Equal(null, early.VideoUrl, "no URL yet");
                var late = Throws<TogetherVideoException>(() => client.DownloadAsync(early, file).Wait(), "a Video in progress");
                Equal(ResultCode.InvalidArgument, late.Code, "a Video in progress: code");
                Check(late.Message.Contains("not completed"), late.Message);
                NothingLeft(file, "a Video in progress");
            }
        }

        public static void TestAnOutOfRangeOptionNamesTheCallersValue()
        {
            Func<ClientOptions, TogetherVideoException> build = options =>
            {
                options.ApiKey = "test-key";
                options.BaseUrl = mockUrl;
                options.Proxy = "";
                return Throws<TogetherVideoException>(() => new Client(options).Dispose(), "options");
            };
            var retries = build(new ClientOptions { MaxRetries = -1 });
            Equal(ResultCode.InvalidArgument, retries.Code, "max retries: code");
            Check(retries.Message.StartsWith("max retries", StringComparison.Ordinal) && retries.Message.EndsWith("not -1", StringComparison.Ordinal), retries.Message);
            var threads = build(new ClientOptions { WorkerThreads = int.MinValue });
            Check(threads.Message.StartsWith("worker threads", StringComparison.Ordinal) && threads.Message.EndsWith("not -2147483648", StringComparison.Ordinal), threads.Message);
            var timeout = build(new ClientOptions { Timeout = TimeSpan.FromSeconds(-1) });
            Check(timeout.Message.StartsWith("timeout", StringComparison.Ordinal) && timeout.Message.EndsWith("not -1000", StringComparison.Ordinal), timeout.Message);
            var connect = build(new ClientOptions { ConnectTimeout = System.Threading.Timeout.InfiniteTimeSpan });
            Check(connect.Message.StartsWith("connect timeout", StringComparison.Ordinal) && connect.Message.EndsWith("not -1", StringComparison.Ordinal), connect.Message);
            var zero = build(new ClientOptions { Timeout = TimeSpan.Zero });
            Check(zero.Message.EndsWith("not 0", StringComparison.Ordinal), zero.Message);

            using (var client = NewClient())
            {
                var file = TempFile(".mp4");
                var minus = TimeSpan.FromMilliseconds(-250);
                var calls = new List<KeyValuePair<string, Action>>
                {
                    Case("get", () => client.GetVideo("vid_completed", minus)),
                    Case("get async", () => client.GetVideoAsync("vid_completed", minus)),
                    Case("create", () => client.CreateVideo(new CreateVideoRequest("m"), minus)),
                    Case("create async", () => client.CreateVideoAsync(new CreateVideoRequest("m"), minus)),
                    Case("wait", () => client.Wait("vid_completed", timeout: minus)),
                    Case("wait async", () => client.WaitAsync("vid_completed", timeout: minus)),
                    Case("download", () => client.DownloadUrl(origin + "/files/clip.mp4", file, timeout: minus)),
                    Case("download async", () => client.DownloadVideoAsync("video-at-clip.mp4", new MemoryStream(), timeout: minus)),
                };
                foreach (var c in calls)
                {
                    // Refused before anything is sent, synchronously, even by the async forms.
                    var e = Throws<TogetherVideoException>(c.Value, c.Key);
                    Equal(ResultCode.InvalidArgument, e.Code, c.Key + ": code");
                    Check(e.Message.StartsWith("timeout", StringComparison.Ordinal) && e.Message.EndsWith("not -250", StringComparison.Ordinal), c.Key + ": " + e.Message);
                }
                NothingLeft(file, "a refused download");
                // Under a millisecond is not rounded to 0 (which would mean no bound).
                var tiny = Throws<TogetherVideoException>(() => client.GetVideo("vid_completed", TimeSpan.FromTicks(-1)), "a negative tick");
                Check(tiny.Message.EndsWith("not -1", StringComparison.Ordinal), tiny.Message);
                var poll = Throws<TogetherVideoException>(() => client.WaitAsync("vid_completed", pollInterval: TimeSpan.FromMilliseconds(-3)), "poll interval");
                Check(poll.Message.StartsWith("poll interval", StringComparison.Ordinal) && poll.Message.EndsWith("not -3", StringComparison.Ordinal), poll.Message);
                // Zero is the library's "no bound", passed on as such.
                Equal("vid_completed", client.GetVideo("vid_completed", TimeSpan.Zero).Id, "a zero timeout");
            }
        }

        public static void TestMillisecondsKeepTheSignAndNeverRoundToZero()
        {
            Equal(0L, CallOptions.Milliseconds(TimeSpan.Zero), "zero");
            Equal(1L, CallOptions.Milliseconds(TimeSpan.FromTicks(1)), "a tick");
            Equal(-1L, CallOptions.Milliseconds(TimeSpan.FromTicks(-1)), "minus a tick");
            Equal(1500L, CallOptions.Milliseconds(TimeSpan.FromSeconds(1.5)), "1.5 s");
            Equal(-1000L, CallOptions.Milliseconds(TimeSpan.FromSeconds(-1)), "-1 s");
            Equal(-1L, CallOptions.Milliseconds(System.Threading.Timeout.InfiniteTimeSpan), "infinite");
            Equal(TimeSpan.MaxValue.Ticks / 10000 + 1, CallOptions.Milliseconds(TimeSpan.MaxValue), "the longest");
            Equal(TimeSpan.MinValue.Ticks / 10000 - 1, CallOptions.Milliseconds(TimeSpan.MinValue), "the shortest");
        }

        public static void TestBlockingCallsCancelAndTimeOut()
        {
            using (var client = NewClient())
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    var e = Throws<OperationCanceledException>(() => client.GetVideo("stall", cancellationToken: cancel.Token), "cancelled get");
                    Equal(cancel.Token, e.CancellationToken, "its token");
                }
                Check(watch.Elapsed < TimeSpan.FromSeconds(10), "the get ended with its token, not the server");
                Throws<RequestTimeoutException>(() => client.GetVideo("stall", TimeSpan.FromMilliseconds(200)), "get timeout");
                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    Throws<OperationCanceledException>(() => client.GetVideo("vid_completed", cancellationToken: cancelled.Token), "a cancelled token");
                }

                var silent = client.CreateVideo(new CreateVideoRequest("silent-job"), TimeSpan.FromSeconds(30));
                Throws<RequestTimeoutException>(() => client.Wait(silent.Id, null, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(10)), "wait timeout");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                    Throws<OperationCanceledException>(() => client.Wait(silent.Id, pollInterval: TimeSpan.FromMilliseconds(10), cancellationToken: cancel.Token), "wait cancel");
                }

                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var seen = new List<string>();
                var done = client.Wait(job.Id, new Recorder<Video>(v => seen.Add(v.StatusRaw)), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
                Equal(VideoStatus.Completed, done.Status, "a blocking wait");
                Equal("queued,in_progress,completed", string.Join(",", seen), "its progress, on this thread");

                // slow-*.mp4 takes about 800 ms.
                var file = TempFile(".mp4");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    Throws<OperationCanceledException>(() => client.DownloadUrl(origin + "/files/slow-clip.mp4", file, cancellationToken: cancel.Token), "download cancel");
                }
                NothingLeft(file, "a cancelled download");
                Throws<RequestTimeoutException>(() => client.DownloadVideo("video-at-slow-clip.mp4", file, timeout: TimeSpan.FromMilliseconds(200)), "download timeout");
                NothingLeft(file, "a download past its timeout");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                using (var stream = new MemoryStream())
                {
                    Throws<OperationCanceledException>(() => client.DownloadVideo("video-at-slow-clip.mp4", stream, cancellationToken: cancel.Token), "stream download cancel");
                    Check(stream.Length < 256 * 1024, "stopped early");
                }
            }
        }

        public static void TestAsyncDownloadsCancelAndTimeOut()
        {
            using (var client = NewClient())
            {
                var file = TempFile(".mp4");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    var task = client.DownloadUrlAsync(origin + "/files/slow-clip.mp4", file, cancellationToken: cancel.Token);
                    Throws<OperationCanceledException>(() => task.GetAwaiter().GetResult(), "cancelled");
                    Check(task.IsCanceled, "the task is cancelled");
                }
                NothingLeft(file, "a cancelled download");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                using (var stream = new MemoryStream())
                {
                    var task = client.DownloadVideoAsync("video-at-slow-clip.mp4", stream, cancellationToken: cancel.Token);
                    Throws<OperationCanceledException>(() => task.GetAwaiter().GetResult(), "cancelled, to a stream");
                }
                Throws<RequestTimeoutException>(() => client.DownloadVideoAsync("video-at-slow-clip.mp4", file, timeout: TimeSpan.FromMilliseconds(200)).GetAwaiter().GetResult(), "timeout");
                NothingLeft(file, "a download past its timeout");
                Throws<RequestTimeoutException>(() => client.GetVideoAsync("stall", TimeSpan.FromMilliseconds(200)).GetAwaiter().GetResult(), "get timeout");
                Equal(VideoStatus.Queued, client.CreateVideoAsync(new CreateVideoRequest("m"), TimeSpan.FromSeconds(30)).Result.Status, "create within a timeout");
            }
        }

        public static void TestAThrowingStreamFailsTheDownloadWithItsException()
        {
            using (var client = NewClient())
            {
                var url = origin + "/files/clip.mp4";
                // A MemoryStream over a fixed buffer refuses to grow.
                Throws<NotSupportedException>(() => client.DownloadUrl(url, new MemoryStream(new byte[1000])), "blocking");
                Throws<NotSupportedException>(() => client.DownloadUrlAsync(url, new MemoryStream(new byte[1000])).GetAwaiter().GetResult(), "async");
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var boom = Throws<InvalidOperationException>(() => client.Wait(job.Id,
                    new Recorder<Video>(v => { throw new InvalidOperationException("boom"); }),
                    pollInterval: TimeSpan.FromMilliseconds(10)), "a throwing progress, blocking");
                Equal("boom", boom.Message, "the callback's own exception");
            }
        }

        public static void TestStructLayoutMatchesTheHeader()
        {
            var path = Environment.GetEnvironmentVariable("TV_OFFSETS");
            Check(path != null, "TV_OFFSETS names the output of tests/offsets.c");
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ');
                long expected = long.Parse(parts[1], CultureInfo.InvariantCulture);
                long actual = parts[0] == "sizeof"
                    ? Marshal.SizeOf(typeof(TvVideo))
                    : Marshal.OffsetOf(typeof(TvVideo), parts[0] == "object" ? "object" : parts[0]).ToInt64();
                Equal(expected, actual, "TvVideo." + parts[0]);
            }
        }

        public static void TestTenThousandCallsLeaveNoNativeHandles()
        {
            using (var client = NewClient())
            {
                for (int i = 0; i < 100; i++) client.GetVideo("vid_completed");
                GC.Collect();
                GC.WaitForPendingFinalizers();
                long before = HandleCount.Live;
                var ids = new[] { "vid_completed", "status-404", "vid_failed" };
                for (int i = 0; i < 10000; i++)
                {
                    var id = ids[i % ids.Length];
                    try
                    {
                        if (i % 10 == 0) client.GetVideoAsync(id).GetAwaiter().GetResult();
                        else client.GetVideo(id);
                    }
                    catch (NotFoundException)
                    {
                    }
                }
                Thread.Sleep(200); // requests are released on the thread pool
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Equal(before, HandleCount.Live, "native handles alive after 10 000 calls");
            }
        }

        public static void TestANulByteInAStringIsRefused()
        {
            var file = Path.Combine(Path.GetTempPath(), "tv-cs-" + Guid.NewGuid() + ".mp4");
            using (var client = NewClient())
            {
                var video = client.GetVideo("vid_completed");
                Func<Action<CreateVideoRequest>, Action> create = set => () =>
                {
                    var request = new CreateVideoRequest("m");
                    set(request);
                    client.CreateVideoAsync(request).Wait();
                };
                Func<Action<ClientOptions>, Action> options = set => () =>
                {
                    var o = new ClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "" };
                    set(o);
                    new Client(o).Dispose();
                };
                var cases = new List<KeyValuePair<string, Action>>
                {
                    Case("id", () => client.GetVideo("vid_completed\0x")),
                    Case("id", () => client.GetVideoAsync("vid_completed\0x").Wait()),
                    Case("id", () => client.WaitAsync("vid_completed\0x").Wait()),
                    Case("model", () => client.CreateVideo(new CreateVideoRequest("m\0x"))),
                    Case("prompt", create(r => r.Prompt = "a cat\0")),
                    Case("negative prompt", create(r => r.NegativePrompt = "\0dogs")),
                    Case("frame image", create(r => r.FrameImages.Add(new FrameImage("https://i/a.png\0")))),
                    Case("audio input", create(r => r.AudioInputs.Add("https://i/a.mp3\0"))),
                    Case("extra field name", create(r => r.ExtraJsonFields["knob\0"] = "1")),
                    Case("field knob", create(r => r.ExtraJsonFields["knob"] = "1\0")),
                    Case("path", () => client.DownloadAsync(video, file + "\0.part").Wait()),
                    Case("path", () => client.DownloadUrl(video.VideoUrl, file + "\0.part")),
                    Case("path", () => client.DownloadVideoAsync("video-at-clip.mp4", file + "\0.part").Wait()),
                    Case("url", () => client.DownloadUrl(video.VideoUrl + "\0", new MemoryStream())),
                    Case("url", () => client.DownloadUrlAsync(video.VideoUrl + "\0", file).Wait()),
                    Case("id", () => client.DownloadVideo("video-at-clip.mp4\0", file)),
                    Case("id", () => client.DownloadVideoAsync("video-at-clip.mp4\0", new MemoryStream()).Wait()),
                    Case("id", () => client.Wait("vid_completed\0x")),
                    Case("API key", options(o => o.ApiKey = "test-key\0")),
                    Case("base URL", options(o => o.BaseUrl = mockUrl + "\0x")),
                    Case("user agent", options(o => o.UserAgentSuffix = "app/1.0\0")),
                    Case("CA file", options(o => o.CaFile = "ca.pem\0")),
                    Case("proxy", options(o => o.Proxy = "\0")),
                };
                foreach (var c in cases)
                {
                    var e = Throws<TogetherVideoException>(c.Value, c.Key);
                    Equal(ResultCode.InvalidArgument, e.Code, c.Key + " code");
                    Equal(c.Key + " contains a NUL byte", e.Message, c.Key + " message");
                }
            }
            Check(!File.Exists(file), "nothing downloaded");
        }

        private static KeyValuePair<string, Action> Case(string argument, Action call)
        {
            return new KeyValuePair<string, Action>(argument, call);
        }

        public static void TestATimestampOutOfRangeIsNull()
        {
            foreach (var seconds in new[] { "1e300", "-1e300", "1e20", "-62135596801", "253402300800" })
            {
                var video = FromJson("{\"id\":\"v\",\"status\":\"completed\",\"created_at\":" + seconds + ",\"completed_at\":" + seconds + "}");
                Equal(null, video.CreatedAt, seconds + " created_at");
                Equal(null, video.CompletedAt, seconds + " completed_at");
            }
            var edges = FromJson("{\"id\":\"v\",\"status\":\"completed\",\"created_at\":-62135596800,\"completed_at\":253402300799}");
            Equal(DateTimeOffset.MinValue, edges.CreatedAt, "the earliest time");
            var latest = DateTimeOffset.FromUnixTimeSeconds(253402300799); // to a double's precision
            Check(edges.CompletedAt.HasValue && Math.Abs((edges.CompletedAt.Value - latest).TotalMilliseconds) < 1, "the latest whole second");

            // JSON has no NaN or infinity; a native video can.
            var native = new TvVideo { created_at = double.NaN, has_completed_at = true, completed_at = double.PositiveInfinity };
            var pointer = Marshal.AllocHGlobal(Marshal.SizeOf(typeof(TvVideo)));
            try
            {
                Marshal.StructureToPtr(native, pointer, false);
                var video = Video.FromNative(pointer);
                Equal(null, video.CreatedAt, "NaN");
                Equal(null, video.CompletedAt, "infinity");
            }
            finally
            {
                Marshal.FreeHGlobal(pointer);
            }
        }

        /// <summary>A video decoded by the library from a body of our own.</summary>
        private static Video FromJson(string json)
        {
            VideoHandle video;
            ErrorHandle error;
            int code = Native.tv_video_from_json(System.Text.Encoding.UTF8.GetBytes(json + "\0"), out video, out error);
            if (code != Native.Ok)
            {
                video.Dispose();
                throw TogetherVideoException.From(code, error);
            }
            error.Dispose();
            return Video.Take(video);
        }

        public static void TestACallOnADisposedClientKeepsNothingPinned()
        {
            var client = NewClient();
            var video = client.GetVideo("vid_completed");
            client.Dispose();
            var callbacks = CallsOnADisposedClient(client, video);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            foreach (var callback in callbacks) Check(!callback.IsAlive, callback.Target + " was kept pinned");
        }

        /// <summary>Starts calls that take callbacks on a disposed client, and returns weak
        /// references to those callbacks: the call must have kept no handle to them.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CallsOnADisposedClient(Client client, Video video)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<long>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            Throws<ObjectDisposedException>(() => client.WaitAsync("vid_completed", waitProgress), "wait");
            Throws<ObjectDisposedException>(() => client.Wait("vid_completed", waitProgress), "blocking wait");
            Throws<ObjectDisposedException>(() => client.DownloadAsync(video, "never.mp4", bytesProgress), "download to a file");
            Throws<ObjectDisposedException>(() => client.DownloadAsync(video, destination), "download to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadUrlAsync(url, "never.mp4", bytesProgress), "URL to a file");
            Throws<ObjectDisposedException>(() => client.DownloadUrlAsync(url, destination, bytesProgress), "URL to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadVideoAsync("video-at-clip.mp4", destination, bytesProgress), "job to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadUrl(url, destination, bytesProgress), "blocking URL to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadVideo("video-at-clip.mp4", "never.mp4", bytesProgress), "blocking job to a file");
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestARefusedOptionKeepsNothingPinned()
        {
            using (var client = NewClient())
            {
                var callbacks = CallsWithARefusedTimeout(client);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                foreach (var callback in callbacks) Check(!callback.IsAlive, callback.Target + " was kept pinned");
            }
        }

        /// <summary>Calls that take callbacks, each with a timeout the library refuses.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CallsWithARefusedTimeout(Client client)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<long>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            var bad = TimeSpan.FromMilliseconds(-5);
            Throws<TogetherVideoException>(() => client.WaitAsync("vid_completed", waitProgress, bad), "wait");
            Throws<TogetherVideoException>(() => client.Wait("vid_completed", waitProgress, bad), "blocking wait");
            Throws<TogetherVideoException>(() => client.DownloadUrlAsync(url, destination, bytesProgress, bad), "URL to a stream");
            Throws<TogetherVideoException>(() => client.DownloadVideo("video-at-clip.mp4", destination, bytesProgress, bad), "blocking job to a stream");
            Throws<TogetherVideoException>(() => client.WaitAsync("vid_completed", waitProgress, pollInterval: bad), "poll interval");
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestFinishedCallsKeepNothingPinned()
        {
            using (var client = NewClient())
            {
                var callbacks = FinishedCalls(client);
                Thread.Sleep(200); // requests are released on the thread pool
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                foreach (var callback in callbacks) Check(!callback.IsAlive, callback.Target + " was kept pinned");
            }
        }

        /// <summary>Calls with callbacks that succeed, fail or are cancelled, blocking and not.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] FinishedCalls(Client client)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<long>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            client.Wait(client.CreateVideo(new CreateVideoRequest("m")).Id, waitProgress, pollInterval: TimeSpan.FromMilliseconds(10));
            client.WaitAsync(client.CreateVideo(new CreateVideoRequest("m")).Id, waitProgress, pollInterval: TimeSpan.FromMilliseconds(10)).Wait();
            client.DownloadUrl(url, destination, bytesProgress);
            client.DownloadVideoAsync("video-at-clip.mp4", destination, bytesProgress).Wait();
            Throws<NotFoundException>(() => client.DownloadVideo("no-such-job", destination, bytesProgress), "blocking, failed");
            Throws<NotFoundException>(() => client.DownloadUrlAsync(origin + "/files/missing.mp4", destination, bytesProgress).Wait(), "async, failed");
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                Throws<OperationCanceledException>(() => client.DownloadUrl(origin + "/files/slow-clip.mp4", destination, bytesProgress, cancellationToken: cancel.Token), "blocking, cancelled");
            }
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                Throws<OperationCanceledException>(() => client.DownloadUrlAsync(origin + "/files/slow-clip.mp4", destination, bytesProgress, cancellationToken: cancel.Token).GetAwaiter().GetResult(), "async, cancelled");
            }
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestVersion()
        {
            Check(!string.IsNullOrEmpty(Client.Version), "version");
        }

        /// <summary>An IProgress that runs its action at once on the reporting thread
        /// (Progress&lt;T&gt; would post to the thread pool and report late).</summary>
        private sealed class Recorder<T> : IProgress<T>
        {
            private readonly Action<T> action;
            public Recorder(Action<T> action) { this.action = action; }
            public void Report(T value) { action(value); }
        }
    }
}
