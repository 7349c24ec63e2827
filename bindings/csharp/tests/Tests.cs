// The C# binding against the repository's mock of Together's API (TV_MOCK_URL) and the
// shared fixtures (TV_FIXTURES), through the real native library. Run by `make
// test-csharp` under Mono. A small runner: every public static method named Test* (in
// every file of this partial class) runs; the last line says how many passed. Given an
// argument, it runs one of the child processes some tests start instead (ChildProcesses.cs).
// TV_TESTS, a comma-separated list of names, runs only those tests.
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
    public static partial class Program
    {
        private static string mockUrl;
        private static string origin;

        public static int Main(string[] args)
        {
            if (args.Length > 0) return Child(args[0]);
            mockUrl = Environment.GetEnvironmentVariable("TV_MOCK_URL");
            if (mockUrl == null)
            {
                Console.Error.WriteLine("set TV_MOCK_URL to the mock's base URL (make test-csharp does)");
                return 2;
            }
            origin = mockUrl.Substring(0, mockUrl.LastIndexOf("/v2", StringComparison.Ordinal));
            int passed = 0, failed = 0, skipped = 0;
            // TV_TESTS runs only the tests it names; TV_TESTS_SKIP skips those it names
            // (comma-separated), for a runtime that cannot run them (make test-csharp-coreclr);
            // a test that cannot run on this platform throws SkipTest.
            var only = Environment.GetEnvironmentVariable("TV_TESTS");
            var skip = (Environment.GetEnvironmentVariable("TV_TESTS_SKIP") ?? "").Split(',');
            // TV_TESTS_NO_SKIP=1: a platform where every test must run; a SkipTest fails.
            bool noSkip = Environment.GetEnvironmentVariable("TV_TESTS_NO_SKIP") == "1";
            foreach (var test in typeof(Program).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.Name.StartsWith("Test", StringComparison.Ordinal))
                .Where(m => string.IsNullOrEmpty(only) || only.Split(',').Contains(m.Name))
                .OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                if (skip.Contains(test.Name))
                {
                    skipped++;
                    Console.WriteLine("skip " + test.Name);
                    continue;
                }
                try
                {
                    test.Invoke(null, null);
                    passed++;
                    Console.WriteLine("ok   " + test.Name);
                }
                catch (TargetInvocationException e) when (e.InnerException is SkipTest && !noSkip)
                {
                    skipped++;
                    Console.WriteLine("skip " + test.Name + ": " + e.InnerException.Message);
                }
                catch (TargetInvocationException e)
                {
                    failed++;
                    Console.WriteLine("FAIL " + test.Name + ": " + e.InnerException);
                }
            }
            Console.WriteLine(skipped == 0 ? "csharp: {0} passed, {1} failed" : "csharp: {0} passed, {1} failed, {2} skipped", passed, failed, skipped);
            return failed == 0 ? 0 : 1;
        }

        /// <summary>Thrown by a test that cannot run on this platform: counted as skipped,
        /// with the reason, not as passed.</summary>
        private sealed class SkipTest : Exception
        {
            public SkipTest(string reason) : base(reason) { }
        }

        private static TogetherVideoClient NewClient(string apiKey = "test-key", TimeSpan? timeout = null, int? retries = null)
        {
            return new TogetherVideoClient(new TogetherVideoClientOptions
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

        /// <summary>The exception an asynchronous call's Task ends with: the call itself
        /// must not throw, whatever went wrong.</summary>
        private static TException Faults<TException>(Func<Task> call, string what) where TException : Exception
        {
            Task task;
            try
            {
                task = call();
            }
            catch (Exception e)
            {
                throw new Exception(what + ": threw " + e.GetType().Name + " instead of returning a faulted Task", e);
            }
            Check(task != null, what + ": a Task");
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (TException e)
            {
                return e;
            }
            catch (Exception e)
            {
                throw new Exception(what + ": expected " + typeof(TException).Name + ", got " + e.GetType().Name, e);
            }
            throw new Exception(what + ": expected " + typeof(TException).Name + ", the task succeeded");
        }

        /// <summary>An ArgumentException (or subclass <typeparamref name="TException"/>)
        /// for <paramref name="paramName"/> whose message starts with
        /// <paramref name="message"/> (the runtime appends the parameter's name).</summary>
        private static TException ArgumentError<TException>(TException e, string paramName, string message, string what)
            where TException : ArgumentException
        {
            Equal(typeof(TException), e.GetType(), what + ": type");
            Equal(paramName, e.ParamName, what + ": parameter");
            Check(Text(e).StartsWith(message, StringComparison.Ordinal), what + ": message \"" + e.Message + "\" starts with \"" + message + "\"");
            return e;
        }

        /// <summary>An ArgumentException's message without the line the runtime appends
        /// for its parameter ("Parameter name: x" on Mono, " (Parameter 'x')" on .NET).</summary>
        private static string Text(ArgumentException e)
        {
            var message = e.Message;
            int line = message.IndexOf('\n');
            if (line >= 0) message = message.Substring(0, line).TrimEnd('\r');
            var suffix = " (Parameter '" + e.ParamName + "')";
            return message.EndsWith(suffix, StringComparison.Ordinal) ? message.Substring(0, message.Length - suffix.Length) : message;
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
                    Equal((bool)want["has_outputs"] ? (double)want["cost"] : (double?)null, video.Cost, id + "cost");
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
                // The library refuses the id itself: an ArgumentException naming it.
                ArgumentError(Throws<ArgumentException>(() => client.GetVideo(".."), "unsafe id"), "id", "video id \"..\" is not allowed", "unsafe id");
                ArgumentError(Throws<ArgumentException>(() => client.GetVideo(""), "empty id"), "id", "video id is empty", "empty id");
                ArgumentError(Faults<ArgumentException>(() => client.GetVideoAsync(""), "empty id, async"), "id", "video id is empty", "empty id, async");
                Equal(ResultCode.Decode, Throws<TogetherVideoException>(() => client.GetVideo("html-200"), "html").Code, "html");
                Equal(ResultCode.Connection, Throws<TogetherVideoException>(() => client.GetVideo("reset"), "reset").Code, "reset");
            }
            using (var wrongKey = NewClient("wrong-key"))
            {
                Throws<AuthenticationException>(() => wrongKey.GetVideo("vid_completed"), "wrong key");
            }
            var bad = Throws<ArgumentException>(() => new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "k", BaseUrl = "ftp://x" }), "bad base URL");
            ArgumentError(bad, "options", "base URL \"ftp://x\" must start with https:// or http://", "bad base URL");
            var retries = Throws<ArgumentOutOfRangeException>(() => new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "k", MaxRetries = 11 }), "bad retries");
            ArgumentError(retries, "options", "max retries must be from 0 to 10, not 11", "bad retries");
            // Unusable options are refused when the client is made, not by a setter: still the options' fault.
            var ca = Throws<ArgumentException>(() => new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "k", CaFile = "/no/such/ca.pem" }), "unreadable CA file");
            ArgumentError(ca, "options", "cannot read CA file /no/such/ca.pem", "unreadable CA file");
            Throws<ArgumentNullException>(() => new TogetherVideoClient(null), "null options");
            var noKey = Throws<AuthenticationException>(() => new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "" }), "no API key");
            Check(noKey.Message.Contains("no API key"), noKey.Message);
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
            Faults<ObjectDisposedException>(() => client.GetVideoAsync("vid_completed"), "async after dispose");
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
                var steps = Throws<ArgumentOutOfRangeException>(() => client.CreateVideo(new CreateVideoRequest("m") { Steps = 5 }), "steps 5");
                ArgumentError(steps, "request", "steps must be from 10 to 50, not 5", "steps 5");
                var format = Faults<ArgumentException>(() => client.CreateVideoAsync(new CreateVideoRequest("m") { OutputFormat = "AVI" }), "output format");
                ArgumentError(format, "request", "output format must be MP4 or WEBM, not \"AVI\"", "output format");
                ArgumentError(Throws<ArgumentException>(() => client.CreateVideo(new CreateVideoRequest(null)), "no model"), "request", "model is required", "no model");

                var seen = new List<string>();
                var progress = new Recorder<Video>(v => { lock (seen) seen.Add(v.StatusRaw); });
                var done = client.WaitForVideoAsync(job.Id, new WaitOptions
                {
                    Progress = progress,
                    Timeout = TimeSpan.FromSeconds(30),
                    PollInterval = TimeSpan.FromMilliseconds(10),
                }).Result;
                Equal(VideoStatus.Completed, done.Status, "waited");
                Equal("queued,in_progress,completed", string.Join(",", seen), "progress");
                Equal(0.28, done.Cost, "a completed job's cost");

                var file = Path.Combine(Path.GetTempPath(), "tv-cs-" + Guid.NewGuid() + ".mp4");
                var last = default(DownloadProgress);
                Equal(256L * 1024, client.DownloadAsync(done, file, new Recorder<DownloadProgress>(p => last = p)).Result, "the task's size");
                Equal(256L * 1024, new FileInfo(file).Length, "file size");
                Equal(256L * 1024, last.BytesReceived, "progress bytes");
                Equal(256L * 1024, last.TotalBytes, "progress total");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal(256L * 1024, client.DownloadAsync(client.GetVideo("video-at-clip.webm"), stream).Result, "the task's size, to a stream");
                    var bytes = stream.ToArray();
                    Equal(256 * 1024, bytes.Length, "stream size");
                    Check(bytes[0] == 0x1A && bytes[1] == 0x45 && bytes[2] == 0xDF && bytes[3] == 0xA3, "WebM magic");
                }
                var page = Faults<TogetherVideoException>(() => client.DownloadAsync(client.GetVideo("video-at-page.html"), file), "html page");
                Equal(ResultCode.Decode, page.Code, "html page code");
                Check(!File.Exists(file), "no file for a page");
                // The library refuses the job: not completed. It names the job and its status.
                var early = Faults<ArgumentException>(() => client.DownloadAsync(client.GetVideo("vid_in_progress"), file), "not completed");
                ArgumentError(early, "video", "video \"vid_in_progress\" is in_progress, not completed", "not completed");

                var failed = client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("fail-job")).Id,
                    new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) }).Result;
                Equal(VideoStatus.Failed, failed.Status, "failed job");
                Equal("generation_failed", failed.ErrorCode, "failed job code");
                Equal(null, failed.Cost, "a failed job has no cost");

                var silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                var deadline = new WaitOptions { Timeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(10) };
                Faults<RequestTimeoutException>(() => client.WaitForVideoAsync(silent.Id, deadline), "wait deadline");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                    var wait = client.WaitForVideoAsync(silent.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token);
                    Throws<OperationCanceledException>(() => wait.GetAwaiter().GetResult(), "wait cancel");
                    Check(wait.IsCanceled, "the wait's task is cancelled");
                }
            }
        }

        public static void TestAThrowingProgressFaultsTheTask()
        {
            using (var client = NewClient())
            {
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var boom = Faults<InvalidOperationException>(() => client.WaitForVideoAsync(job.Id, new WaitOptions
                {
                    Progress = new Recorder<Video>(v => { throw new InvalidOperationException("boom"); }),
                    PollInterval = TimeSpan.FromMilliseconds(10),
                }), "throwing progress");
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
                Equal((long)mp4.Length, client.DownloadUrl(mp4Url, file, new Recorder<DownloadProgress>(p => reported = p.BytesReceived)), "blocking, to a file: its size");
                SameBytes(mp4, File.ReadAllBytes(file), "blocking, to a file");
                Equal((long)mp4.Length, reported, "blocking, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.DownloadUrl(webmUrl, stream), "blocking, to a stream: its size");
                    SameBytes(webm, stream.ToArray(), "blocking, to a stream");
                }

                reported = 0;
                Equal((long)mp4.Length, client.DownloadUrlAsync(mp4Url, file, new Recorder<DownloadProgress>(p => reported = p.BytesReceived)).Result, "async, to a file: its size");
                SameBytes(mp4, File.ReadAllBytes(file), "async, to a file");
                Equal((long)mp4.Length, reported, "async, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.DownloadUrlAsync(webmUrl, stream, timeout: TimeSpan.FromSeconds(30)).Result, "async, to a stream: its size");
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
                var missing = Faults<TogetherVideoException>(() => client.DownloadUrlAsync(origin + "/files/missing.mp4", file), "a missing file");
                Equal(ResultCode.NotFound, missing.Code, "a missing file: code");
                NothingLeft(file, "a missing file");
                var scheme = Throws<ArgumentException>(() => client.DownloadUrl("ftp://example.com/clip.mp4", new MemoryStream()), "an ftp URL");
                ArgumentError(scheme, "url", "the video URL must be http:// or https://, not ftp:", "an ftp URL");
                scheme = Faults<ArgumentException>(() => client.DownloadUrlAsync("ftp://example.com/clip.mp4", file), "an ftp URL, async");
                ArgumentError(scheme, "url", "the video URL must be http:// or https://, not ftp:", "an ftp URL, async");
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
                long? total = null;
                Equal((long)mp4.Length, client.DownloadVideo("video-at-clip.mp4", file, new Recorder<DownloadProgress>(p =>
                {
                    reported = p.BytesReceived;
                    total = p.TotalBytes;
                })), "blocking, to a file: its size");
                Equal((long?)mp4.Length, total, "blocking, to a file: the total the server gave");
                SameBytes(mp4, File.ReadAllBytes(file), "blocking, to a file");
                Equal((long)mp4.Length, reported, "blocking, to a file: progress");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    Equal((long)webm.Length, client.DownloadVideo("video-at-clip.webm", stream), "blocking, to a stream: its size");
                    SameBytes(webm, stream.ToArray(), "blocking, to a stream");
                }

                Equal((long)mp4.Length, client.DownloadVideoAsync("video-at-clip.mp4", file, timeout: TimeSpan.FromSeconds(30)).Result, "async, to a file: its size");
                SameBytes(mp4, File.ReadAllBytes(file), "async, to a file");
                File.Delete(file);

                using (var stream = new MemoryStream())
                {
                    reported = 0;
                    client.DownloadVideoAsync("video-at-clip.webm", stream, new Recorder<DownloadProgress>(p => reported = p.BytesReceived)).Wait();
                    SameBytes(webm, stream.ToArray(), "async, to a stream");
                    Equal((long)webm.Length, reported, "async, to a stream: progress");
                }

                // The job must be completed: the library refuses the id, naming the job.
                var pending = Throws<ArgumentException>(() => client.DownloadVideo("vid_in_progress", file), "a job in progress");
                ArgumentError(pending, "id", "video \"vid_in_progress\" is in_progress, not completed", "a job in progress");
                NothingLeft(file, "a job in progress");
                Faults<NotFoundException>(() => client.DownloadVideoAsync("no-such-job", new MemoryStream()), "no such job");
                ArgumentError(Throws<ArgumentException>(() => client.DownloadVideo("..", file), "an unsafe id"), "id", "video id \"..\" is not allowed", "an unsafe id");

                // A Video read before it completed has no URL: it goes by its id, and the
                // library gets the job again.
                var early = client.GetVideo("vid_in_progress");
                Equal(null, early.VideoUrl, "no URL yet");
                Equal(null, early.Cost, "no cost yet");
                var late = Faults<ArgumentException>(() => client.DownloadAsync(early, file), "a Video in progress");
                ArgumentError(late, "video", "video \"vid_in_progress\" is in_progress, not completed", "a Video in progress");
                NothingLeft(file, "a Video in progress");
            }
        }

        public static void TestAnOutOfRangeOptionNamesTheCallersValue()
        {
            Func<TogetherVideoClientOptions, ArgumentOutOfRangeException> build = options =>
            {
                options.ApiKey = "test-key";
                options.BaseUrl = mockUrl;
                options.Proxy = "";
                var e = Throws<ArgumentOutOfRangeException>(() => new TogetherVideoClient(options).Dispose(), "options");
                Equal("options", e.ParamName, "the parameter");
                return e;
            };
            Equal("max retries must be from 0 to 10, not -1", Text(build(new TogetherVideoClientOptions { MaxRetries = -1 })), "max retries");
            var threads = Text(build(new TogetherVideoClientOptions { WorkerThreads = int.MinValue }));
            Check(threads.StartsWith("worker threads", StringComparison.Ordinal) && threads.EndsWith("not -2147483648", StringComparison.Ordinal), threads);
            var timeout = Text(build(new TogetherVideoClientOptions { Timeout = TimeSpan.FromSeconds(-1) }));
            Check(timeout.StartsWith("timeout", StringComparison.Ordinal) && timeout.EndsWith("not -1000", StringComparison.Ordinal), timeout);
            var connect = Text(build(new TogetherVideoClientOptions { ConnectTimeout = System.Threading.Timeout.InfiniteTimeSpan }));
            Check(connect.StartsWith("connect timeout", StringComparison.Ordinal) && connect.EndsWith("not -1", StringComparison.Ordinal), connect);
            var zero = Text(build(new TogetherVideoClientOptions { Timeout = TimeSpan.Zero }));
            Check(zero.EndsWith("not 0", StringComparison.Ordinal), zero);

            using (var client = NewClient())
            {
                var file = TempFile(".mp4");
                var minus = TimeSpan.FromMilliseconds(-250);
                var wait = new WaitOptions { Timeout = minus };
                var calls = new List<KeyValuePair<string, Action>>
                {
                    Case("timeout", () => client.GetVideo("vid_completed", minus)),
                    Case("timeout", () => client.CreateVideo(new CreateVideoRequest("m"), minus)),
                    Case("options", () => client.WaitForVideo("vid_completed", wait)),
                    Case("timeout", () => client.DownloadUrl(origin + "/files/clip.mp4", file, timeout: minus)),
                };
                foreach (var c in calls)
                {
                    var e = Throws<ArgumentOutOfRangeException>(c.Value, c.Key);
                    Equal(c.Key, e.ParamName, c.Key + ": parameter");
                    Check(Text(e).StartsWith("timeout", StringComparison.Ordinal) && Text(e).EndsWith("not -250", StringComparison.Ordinal), c.Key + ": " + e.Message);
                }
                // Refused before anything is sent, through the Task: an *Async method never throws.
                var asyncCalls = new List<KeyValuePair<string, Func<Task>>>
                {
                    new KeyValuePair<string, Func<Task>>("timeout", () => client.GetVideoAsync("vid_completed", minus)),
                    new KeyValuePair<string, Func<Task>>("timeout", () => client.CreateVideoAsync(new CreateVideoRequest("m"), minus)),
                    new KeyValuePair<string, Func<Task>>("options", () => client.WaitForVideoAsync("vid_completed", wait)),
                    new KeyValuePair<string, Func<Task>>("timeout", () => client.DownloadVideoAsync("video-at-clip.mp4", new MemoryStream(), timeout: minus)),
                };
                foreach (var c in asyncCalls)
                {
                    var e = Faults<ArgumentOutOfRangeException>(c.Value, c.Key + ", async");
                    Equal(c.Key, e.ParamName, c.Key + ", async: parameter");
                    Check(Text(e).StartsWith("timeout", StringComparison.Ordinal) && Text(e).EndsWith("not -250", StringComparison.Ordinal), c.Key + ", async: " + e.Message);
                }
                NothingLeft(file, "a refused download");
                // Under a millisecond is not rounded to 0 (which would mean no bound).
                var tiny = Throws<ArgumentOutOfRangeException>(() => client.GetVideo("vid_completed", TimeSpan.FromTicks(-1)), "a negative tick");
                Check(Text(tiny).EndsWith("not -1", StringComparison.Ordinal), tiny.Message);
                var poll = Faults<ArgumentOutOfRangeException>(() => client.WaitForVideoAsync("vid_completed", new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(-3) }), "poll interval");
                Equal("options", poll.ParamName, "poll interval: parameter");
                Check(Text(poll).StartsWith("poll interval", StringComparison.Ordinal) && Text(poll).EndsWith("not -3", StringComparison.Ordinal), poll.Message);
                // Zero is the library's "no bound", passed on as such.
                Equal("vid_completed", client.GetVideo("vid_completed", TimeSpan.Zero).Id, "a zero timeout");
            }
        }

        public static void TestMillisecondsKeepTheSignAndNeverRoundToZero()
        {
            Equal(0L, NativeCall.Milliseconds(TimeSpan.Zero), "zero");
            Equal(1L, NativeCall.Milliseconds(TimeSpan.FromTicks(1)), "a tick");
            Equal(-1L, NativeCall.Milliseconds(TimeSpan.FromTicks(-1)), "minus a tick");
            Equal(1500L, NativeCall.Milliseconds(TimeSpan.FromSeconds(1.5)), "1.5 s");
            Equal(-1000L, NativeCall.Milliseconds(TimeSpan.FromSeconds(-1)), "-1 s");
            Equal(-1L, NativeCall.Milliseconds(System.Threading.Timeout.InfiniteTimeSpan), "infinite");
            Equal(TimeSpan.MaxValue.Ticks / 10000 + 1, NativeCall.Milliseconds(TimeSpan.MaxValue), "the longest");
            Equal(TimeSpan.MinValue.Ticks / 10000 - 1, NativeCall.Milliseconds(TimeSpan.MinValue), "the shortest");
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
                Throws<RequestTimeoutException>(() => client.WaitForVideo(silent.Id, new WaitOptions { Timeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(10) }), "wait timeout");
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    silent = client.CreateVideo(new CreateVideoRequest("silent-job"));
                    Throws<OperationCanceledException>(() => client.WaitForVideo(silent.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token), "wait cancel");
                }

                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var seen = new List<string>();
                var done = client.WaitForVideo(job.Id, new WaitOptions
                {
                    Progress = new Recorder<Video>(v => seen.Add(v.StatusRaw)),
                    Timeout = TimeSpan.FromSeconds(30),
                    PollInterval = TimeSpan.FromMilliseconds(10),
                });
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
                var boom = Throws<InvalidOperationException>(() => client.WaitForVideo(job.Id, new WaitOptions
                {
                    Progress = new Recorder<Video>(v => { throw new InvalidOperationException("boom"); }),
                    PollInterval = TimeSpan.FromMilliseconds(10),
                }), "a throwing progress, blocking");
                Equal("boom", boom.Message, "the callback's own exception");
                var bytes = Faults<InvalidOperationException>(() => client.DownloadUrlAsync(url, new MemoryStream(),
                    new Recorder<DownloadProgress>(p => { throw new InvalidOperationException("bytes"); })), "a throwing download progress, async");
                Equal("bytes", bytes.Message, "the download progress's own exception");
            }
        }

        /// <summary>Each struct the binding declares against the offsets and sizes the C
        /// compiler gives (tests/offsets.c): every field of the C# struct is listed there,
        /// at the same offset.</summary>
        public static void TestStructLayoutMatchesTheHeader()
        {
            var path = Environment.GetEnvironmentVariable("TV_OFFSETS");
            Check(path != null, "TV_OFFSETS names the output of tests/offsets.c");
            var structs = new Dictionary<string, Type>
            {
                { "TvVideo", typeof(TvVideo) }, { "TvLogEvent", typeof(TvLogEvent) }, { "TvClientStats", typeof(TvClientStats) },
                { "TvEvent", typeof(TvEvent) }, { "TvJournalJob", typeof(TvJournalJob) }, { "TvJournalJobs", typeof(TvJournalJobs) },
            };
            var checkedFields = structs.Keys.ToDictionary(k => k, k => 0);
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ');
                long expected = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (parts[0] == "TV_STATS_ERROR_SLOTS")
                {
                    Equal(expected, (long)TvClientStats.ErrorSlots, "TV_STATS_ERROR_SLOTS");
                    continue;
                }
                var name = parts[0].Split('.');
                var type = structs[name[0]];
                if (name[1] == "sizeof")
                {
                    Equal(expected, (long)Marshal.SizeOf(type), name[0] + " size");
                    continue;
                }
                Equal(expected, Marshal.OffsetOf(type, name[1]).ToInt64(), parts[0]);
                checkedFields[name[0]]++;
            }
            foreach (var s in structs)
                Equal(s.Value.GetFields(BindingFlags.Public | BindingFlags.Instance).Length, checkedFields[s.Key], s.Key + ": fields checked");
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
                // A request is freed in its completion callback, before its Task ends.
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
                Func<Action<CreateVideoRequest>, Action> create = set => Async(() =>
                {
                    var request = new CreateVideoRequest("m");
                    set(request);
                    return client.CreateVideoAsync(request);
                });
                Func<Action<TogetherVideoClientOptions>, Action> options = set => () =>
                {
                    var o = new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "" };
                    set(o);
                    new TogetherVideoClient(o).Dispose();
                };
                // What the message names, the parameter, the call.
                var cases = new List<Tuple<string, string, Action>>
                {
                    Tuple.Create("id", "id", (Action)(() => client.GetVideo("vid_completed\0x"))),
                    Tuple.Create("id", "id", Async(() => client.GetVideoAsync("vid_completed\0x"))),
                    Tuple.Create("id", "id", Async(() => client.WaitForVideoAsync("vid_completed\0x"))),
                    Tuple.Create("model", "request", (Action)(() => client.CreateVideo(new CreateVideoRequest("m\0x")))),
                    Tuple.Create("prompt", "request", create(r => r.Prompt = "a cat\0")),
                    Tuple.Create("negative prompt", "request", create(r => r.NegativePrompt = "\0dogs")),
                    Tuple.Create("frame image", "request", create(r => r.FrameImages.Add(new FrameImage("https://i/a.png\0")))),
                    Tuple.Create("audio input", "request", create(r => r.AudioInputs.Add("https://i/a.mp3\0"))),
                    Tuple.Create("extra field name", "request", create(r => r.ExtraJsonFields["knob\0"] = "1")),
                    Tuple.Create("field knob", "request", create(r => r.ExtraJsonFields["knob"] = "1\0")),
                    Tuple.Create("path", "path", Async(() => client.DownloadAsync(video, file + "\0.part"))),
                    Tuple.Create("path", "path", (Action)(() => client.DownloadUrl(video.VideoUrl, file + "\0.part"))),
                    Tuple.Create("path", "path", Async(() => client.DownloadVideoAsync("video-at-clip.mp4", file + "\0.part"))),
                    Tuple.Create("url", "url", (Action)(() => client.DownloadUrl(video.VideoUrl + "\0", new MemoryStream()))),
                    Tuple.Create("url", "url", Async(() => client.DownloadUrlAsync(video.VideoUrl + "\0", file))),
                    Tuple.Create("id", "id", (Action)(() => client.DownloadVideo("video-at-clip.mp4\0", file))),
                    Tuple.Create("id", "id", Async(() => client.DownloadVideoAsync("video-at-clip.mp4\0", new MemoryStream()))),
                    Tuple.Create("id", "id", (Action)(() => client.WaitForVideo("vid_completed\0x"))),
                    Tuple.Create("API key", "options", options(o => o.ApiKey = "test-key\0")),
                    Tuple.Create("base URL", "options", options(o => o.BaseUrl = mockUrl + "\0x")),
                    Tuple.Create("user agent", "options", options(o => o.UserAgentSuffix = "app/1.0\0")),
                    Tuple.Create("CA file", "options", options(o => o.CaFile = "ca.pem\0")),
                    Tuple.Create("proxy", "options", options(o => o.Proxy = "\0")),
                };
                foreach (var c in cases)
                {
                    var e = Throws<ArgumentException>(c.Item3, c.Item1);
                    Equal(typeof(ArgumentException), e.GetType(), c.Item1 + ": type");
                    Equal(c.Item2, e.ParamName, c.Item1 + ": parameter");
                    Equal(c.Item1 + " contains a NUL byte", Text(e), c.Item1 + ": message");
                }
            }
            Check(!File.Exists(file), "nothing downloaded");
        }

        /// <summary>An asynchronous call as an Action that throws what its Task ends with;
        /// the call itself throwing is a failure of its own.</summary>
        private static Action Async(Func<Task> call)
        {
            return () =>
            {
                Task task;
                try
                {
                    task = call();
                }
                catch (Exception e)
                {
                    throw new Exception("an *Async method threw instead of returning a faulted Task", e);
                }
                task.GetAwaiter().GetResult();
            };
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
                throw Errors.From(code, error, "json");
            }
            error.Dispose();
            return Video.Take(video);
        }

        public static void TestACallOnADisposedClientKeepsNothingPinned()
        {
            var client = NewClient();
            var video = client.GetVideo("vid_completed");
            client.Dispose();
            AllCollected(CallsOnADisposedClient(client, video));
        }

        /// <summary>Checks that nothing holds <paramref name="callbacks"/> any more. A Task
        /// cancelled by a CancellationToken ends inside the token's callback, which the
        /// token's thread may still be leaving: give it a moment (at most 2 s).</summary>
        private static void AllCollected(WeakReference[] callbacks)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (AnyAlive(callbacks))
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(2))
                    throw new Exception("kept pinned: " + string.Join(", ", callbacks.Where(c => c.IsAlive).Select(c => c.Target)));
                Thread.Sleep(10);
            }
        }

        /// <summary>Collects, then says whether any target lives on. A method of its own,
        /// so that no reference lingers in the caller's frame (Mono scans stacks conservatively).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool AnyAlive(WeakReference[] references)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            foreach (var reference in references)
                if (reference.IsAlive) return true;
            return false;
        }

        /// <summary>Starts calls that take callbacks on a disposed client, and returns weak
        /// references to those callbacks: the call must have kept no handle to them.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CallsOnADisposedClient(TogetherVideoClient client, Video video)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<DownloadProgress>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            var wait = new WaitOptions { Progress = waitProgress };
            Faults<ObjectDisposedException>(() => client.WaitForVideoAsync("vid_completed", wait), "wait");
            Throws<ObjectDisposedException>(() => client.WaitForVideo("vid_completed", wait), "blocking wait");
            Faults<ObjectDisposedException>(() => client.DownloadAsync(video, "never.mp4", bytesProgress), "download to a file");
            Faults<ObjectDisposedException>(() => client.DownloadAsync(video, destination), "download to a stream");
            Faults<ObjectDisposedException>(() => client.DownloadUrlAsync(url, "never.mp4", bytesProgress), "URL to a file");
            Faults<ObjectDisposedException>(() => client.DownloadUrlAsync(url, destination, bytesProgress), "URL to a stream");
            Faults<ObjectDisposedException>(() => client.DownloadVideoAsync("video-at-clip.mp4", destination, bytesProgress), "job to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadUrl(url, destination, bytesProgress), "blocking URL to a stream");
            Throws<ObjectDisposedException>(() => client.DownloadVideo("video-at-clip.mp4", "never.mp4", bytesProgress), "blocking job to a file");
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestARefusedOptionKeepsNothingPinned()
        {
            using (var client = NewClient())
            {
                AllCollected(CallsWithARefusedTimeout(client));
            }
        }

        /// <summary>Calls that take callbacks, each with a timeout the library refuses.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] CallsWithARefusedTimeout(TogetherVideoClient client)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<DownloadProgress>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            var bad = TimeSpan.FromMilliseconds(-5);
            Faults<ArgumentOutOfRangeException>(() => client.WaitForVideoAsync("vid_completed", new WaitOptions { Progress = waitProgress, Timeout = bad }), "wait");
            Throws<ArgumentOutOfRangeException>(() => client.WaitForVideo("vid_completed", new WaitOptions { Progress = waitProgress, Timeout = bad }), "blocking wait");
            Faults<ArgumentOutOfRangeException>(() => client.DownloadUrlAsync(url, destination, bytesProgress, bad), "URL to a stream");
            Faults<ArgumentOutOfRangeException>(() => client.DownloadUrlAsync(url, "never.mp4", bytesProgress, bad), "URL to a file");
            Throws<ArgumentOutOfRangeException>(() => client.DownloadVideo("video-at-clip.mp4", destination, bytesProgress, bad), "blocking job to a stream");
            Faults<ArgumentOutOfRangeException>(() => client.WaitForVideoAsync("vid_completed", new WaitOptions { Progress = waitProgress, PollInterval = bad }), "poll interval");
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestFinishedCallsKeepNothingPinned()
        {
            using (var client = NewClient())
            {
                AllCollected(FinishedCalls(client));
            }
        }

        /// <summary>Calls with callbacks that succeed, fail or are cancelled, blocking and not.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference[] FinishedCalls(TogetherVideoClient client)
        {
            var waitProgress = new Recorder<Video>(v => { });
            var bytesProgress = new Recorder<DownloadProgress>(n => { });
            var destination = new MemoryStream();
            var url = origin + "/files/clip.mp4";
            var wait = new WaitOptions { Progress = waitProgress, PollInterval = TimeSpan.FromMilliseconds(10) };
            client.WaitForVideo(client.CreateVideo(new CreateVideoRequest("m")).Id, wait);
            client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("m")).Id, wait).Wait();
            wait = null;
            client.DownloadUrl(url, destination, bytesProgress);
            client.DownloadVideoAsync("video-at-clip.mp4", destination, bytesProgress).Wait();
            Throws<NotFoundException>(() => client.DownloadVideo("no-such-job", destination, bytesProgress), "blocking, failed");
            Faults<NotFoundException>(() => client.DownloadUrlAsync(origin + "/files/missing.mp4", destination, bytesProgress), "async, failed");
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                Throws<OperationCanceledException>(() => client.DownloadUrl(origin + "/files/slow-clip.mp4", destination, bytesProgress, cancellationToken: cancel.Token), "blocking, cancelled");
            }
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                Faults<OperationCanceledException>(() => client.DownloadUrlAsync(origin + "/files/slow-clip.mp4", destination, bytesProgress, cancellationToken: cancel.Token), "async, cancelled");
            }
            return new[] { new WeakReference(waitProgress), new WeakReference(bytesProgress), new WeakReference(destination) };
        }

        public static void TestVersion()
        {
            Check(TogetherVideoClient.Version.StartsWith("0.", StringComparison.Ordinal), "version " + TogetherVideoClient.Version);
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
