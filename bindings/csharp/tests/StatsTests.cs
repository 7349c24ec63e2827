// TogetherVideoClient.GetStats and TogetherVideoClientOptions.MaxConcurrentRequests,
// through the real library against the mock.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        /// <summary>A name no other test (nor an earlier run against the same mock) uses:
        /// the mock counts flaky ids and dropped files by name.</summary>
        private static string Unique(string prefix)
        {
            return prefix + Guid.NewGuid().ToString("N").Substring(0, 12);
        }

        public static void TestStatsCountAKnownSequenceOfCalls()
        {
            var flaky503 = Unique("flaky-1-503-csstats-");
            var flaky429 = Unique("flaky-1-429-csstats-");
            var drop = origin + "/files/" + Unique("drop-csstats-") + ".mp4";
            var client = NewClient(retries: 1);
            var fresh = client.GetStats();
            Check(fresh.Requests == 0 && fresh.Attempts == 0 && fresh.BytesSent == 0 && fresh.ConnectionsOpened == 0
                && Enum.GetValues(typeof(ResultCode)).Cast<ResultCode>().All(c => fresh.ErrorsFor(c) == 0), "a new client: " + fresh);

            client.GetVideo("vid_completed");                                                      // 1 attempt: 200
            client.GetVideo(flaky503);                                                             // 2: 503, 200
            client.GetVideo(flaky429);                                                             // 2: 429, 200
            Throws<NotFoundException>(() => client.GetVideo("status-404"), "404");                 // 1: 404
            Equal(ResultCode.Server, Throws<TogetherVideoException>(() => client.GetVideo("status-500"), "500").Code, "500"); // 2: 500, 500
            client.GetVideo("redirect-same");                                                      // 1: 302, 200
            Equal(ResultCode.Connection, Throws<TogetherVideoException>(() => client.GetVideo("reset"), "reset").Code, "reset"); // 2: no response
            using (var stream = new MemoryStream()) client.DownloadUrl(drop, stream);              // 2: 200 cut short, 206
            Throws<RequestTimeoutException>(() => client.GetVideo("stall", TimeSpan.FromMilliseconds(200)), "timeout"); // 1: no response
            using (var cancel = new CancellationTokenSource())
            {
                var stalled = client.GetVideoAsync("stall", cancel.Token);                         // 1: no response
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
                while (client.GetStats().RequestsInFlight != 1)
                {
                    Check(DateTime.UtcNow < deadline, "the stalled call never in flight: " + client.GetStats());
                    Thread.Sleep(5);
                }
                cancel.Cancel();
                Throws<OperationCanceledException>(() => stalled.GetAwaiter().GetResult(), "cancelled");
            }
            // The cancelled request's thread leaves its read a moment after the cancel.
            var stats = client.GetStats();
            for (int i = 0; i < 200 && stats.RequestsInFlight != 0; i++)
            {
                Thread.Sleep(10);
                stats = client.GetStats();
            }

            var what = "stats " + stats + ": ";
            Equal(10L, stats.Requests, what + "requests");
            Equal(15L, stats.Attempts, what + "attempts");
            Equal(1L, stats.RetriesRateLimited, what + "retries after 429");
            Equal(2L, stats.RetriesServer, what + "retries after 5xx");
            Equal(2L, stats.RetriesConnection, what + "retries after a reset, and the download's resume");
            Equal(0L, stats.RetriesTimeout, what + "retries after a timeout");
            Equal(0L, stats.Responses1xx, what + "1xx");
            Equal(6L, stats.Responses2xx, what + "2xx");
            Equal(1L, stats.Responses3xx, what + "3xx");
            Equal(2L, stats.Responses4xx, what + "4xx");
            Equal(3L, stats.Responses5xx, what + "5xx");
            Equal(0L, stats.RequestsInFlight, what + "in flight");
            Check(stats.BytesSent >= 10 * 50 && stats.BytesReceived >= 256 * 1024, what + "bytes");
            Check(stats.ConnectionsOpened >= 1 && stats.ConnectionsReused >= 1, what + "connections");
            Equal(stats.Attempts + 1, stats.ConnectionsOpened + stats.ConnectionsReused, what + "a connection per attempt, and the redirect's");
            var errors = new Dictionary<ResultCode, long>
            {
                { ResultCode.NotFound, 1 }, { ResultCode.Server, 1 }, { ResultCode.Connection, 1 },
                { ResultCode.Timeout, 1 }, { ResultCode.Cancelled, 1 },
            };
            foreach (ResultCode code in Enum.GetValues(typeof(ResultCode)))
                Equal(errors.ContainsKey(code) ? errors[code] : 0L, stats.ErrorsFor(code), what + "errors " + code);
            Equal(0L, stats.ErrorsFor((ResultCode)31), "the last slot");
            Equal(0L, stats.ErrorsFor((ResultCode)32), "past the slots");
            Equal(0L, stats.ErrorsFor((ResultCode)(-1)), "a negative code");
            Check(stats.ToString().Contains("10 requests, 15 attempts") && stats.ToString().Contains("1 NotFound"), stats.ToString());

            // Refused by the library: nothing sent, an error counted. Refused by the binding
            // (a NUL byte): the library never saw it.
            Throws<ArgumentException>(() => client.GetVideo(".."), "an unsafe id");
            Throws<ArgumentException>(() => client.GetVideo("a\0b"), "a NUL byte");
            Equal(10L, client.GetStats().Requests, "a refused call sends nothing");
            Equal(1L, client.GetStats().ErrorsFor(ResultCode.InvalidArgument), "the library's refusal counts");

            client.Dispose();
            Throws<ObjectDisposedException>(() => client.GetStats(), "after Dispose");
        }

        public static void TestMaxConcurrentRequests()
        {
            Func<int, TogetherVideoClient> build = cap => new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "", MaxConcurrentRequests = cap,
            });
            foreach (var bad in new[] { -1, 1025, int.MinValue })
            {
                var e = Throws<ArgumentOutOfRangeException>(() => build(bad).Dispose(), "a cap of " + bad);
                Equal("options", e.ParamName, bad + ": parameter");
                Equal("max concurrent requests must be from 0 (no cap) to 1024, not " + bad, Text(e), bad + ": message");
            }
            build(0).Dispose();
            build(1024).Dispose();
            using (var client = build(1))
            {
                // One at a time: four calls of 200 ms take 800 ms at least.
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var calls = Enumerable.Range(0, 4).Select(i => client.GetVideoAsync("slow-200")).ToArray();
                Task.WaitAll(calls);
                Check(watch.Elapsed >= TimeSpan.FromMilliseconds(750), "one request at a time took " + watch.Elapsed);
                Check(calls.All(c => c.Result.Id == "slow-200"), "every call got its video");
            }
        }
    }
}
