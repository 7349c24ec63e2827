// Blocking GetVideo against GetVideoAsync on one client, against the server at
// TV_BENCH_URL (the mock: scripts/with-mock.sh target/release/tv-mock -- ...): calls per
// second, and CPU time per call, one call in flight and four. One JSON line per measure,
// then the ratios async / blocking. The measures take turns, round after round, and each
// reports its best round, so that all meet the same machine and the same server state.
//
//   TV_BENCH_URL    the API's base URL, e.g. http://127.0.0.1:PORT/v2; else TV_MOCK_URL,
//                   which scripts/with-mock.sh sets
//   TV_BENCH_KEY    the API key (default test-key, the mock's)
//   TV_BENCH_CALLS  calls per round (default 300); TV_BENCH_ROUNDS rounds (default 7)
//
// tv-mock keeps the last 10 000 requests it served and pays for dropping the oldest one
// on every request after that, so the defaults stay under 10 000 requests in all.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using TogetherVideo;

public static class Bench
{
    private const string Id = "vid_completed";

    public static int Main()
    {
        var url = Environment.GetEnvironmentVariable("TV_BENCH_URL");
        if (string.IsNullOrEmpty(url)) url = Environment.GetEnvironmentVariable("TV_MOCK_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("set TV_BENCH_URL to the API's base URL, e.g. http://127.0.0.1:8080/v2");
            return 2;
        }
        int calls = Number("TV_BENCH_CALLS", 300);
        int rounds = Number("TV_BENCH_ROUNDS", 7);
        const int inFlight = 4;
        var options = new TogetherVideoClientOptions
        {
            ApiKey = Environment.GetEnvironmentVariable("TV_BENCH_KEY") ?? "test-key",
            BaseUrl = url,
            Proxy = "",
            WorkerThreads = inFlight,
        };
        using (var client = new TogetherVideoClient(options))
        {
            // Warm up: the JIT, the connections, the library's and the runtime's threads.
            for (int i = 0; i < 100; i++) client.GetVideo(Id);
            Sequential(client, 100).GetAwaiter().GetResult();

            var measures = new[]
            {
                new Measure("GetVideo", "blocking", 1, () => { for (int i = 0; i < calls; i++) client.GetVideo(Id); }),
                new Measure("GetVideoAsync", "await", 1, () => Sequential(client, calls).GetAwaiter().GetResult()),
                new Measure("GetVideo", "blocking", inFlight, () => BlockingThreads(client, calls, inFlight)),
                new Measure("GetVideoAsync", "await", inFlight, () => Concurrent(client, calls, inFlight).GetAwaiter().GetResult()),
            };
            for (int round = 0; round < rounds; round++)
                foreach (var measure in measures) measure.Round(calls);
            foreach (var measure in measures) Console.WriteLine(measure.Report(calls, rounds));
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"measure\": \"async / blocking\", \"calls_per_second\": {{\"in_flight_1\": {0:0.00}, \"in_flight_{1}\": {2:0.00}}}, " +
                "\"cpu_per_call\": {{\"in_flight_1\": {3:0.00}, \"in_flight_{1}\": {4:0.00}}}}}",
                measures[1].BestRate / measures[0].BestRate, inFlight, measures[3].BestRate / measures[2].BestRate,
                measures[1].BestCpu / measures[0].BestCpu, measures[3].BestCpu / measures[2].BestCpu));
        }
        return 0;
    }

    private static int Number(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(text) ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>One way of calling, measured round after round: its best calls per
    /// second, and its least CPU time per call (this process's threads, the library's
    /// included; the server's not).</summary>
    private sealed class Measure
    {
        private readonly string call;
        private readonly string how;
        private readonly int inFlight;
        private readonly Action run;

        public Measure(string call, string how, int inFlight, Action run)
        {
            this.call = call;
            this.how = how;
            this.inFlight = inFlight;
            this.run = run;
            BestCpu = double.MaxValue;
        }

        public double BestRate { get; private set; }
        public double BestCpu { get; private set; }

        public void Round(int calls)
        {
            double cpu = CpuMicroseconds();
            var watch = Stopwatch.StartNew();
            run();
            double seconds = watch.Elapsed.TotalSeconds;
            double cpuMicroseconds = CpuMicroseconds() - cpu;
            BestRate = Math.Max(BestRate, calls / seconds);
            BestCpu = Math.Min(BestCpu, cpuMicroseconds / calls);
        }

        public string Report(int calls, int rounds)
        {
            return string.Format(CultureInfo.InvariantCulture,
                "{{\"measure\": \"{0}\", \"how\": \"{1}\", \"in_flight\": {2}, \"calls_per_round\": {3}, \"rounds\": {4}, " +
                "\"calls_per_second\": {5:0}, \"cpu_us_per_call\": {6:0.0}}}",
                call, how, inFlight, calls, rounds, BestRate, BestCpu);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public IntPtr Seconds;
        public IntPtr Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec time);

    private static bool noCpuClock;

    /// <summary>The CPU time of this process's threads: to the nanosecond on Linux
    /// (CLOCK_PROCESS_CPUTIME_ID), elsewhere as the runtime counts it (often in 10 ms steps).</summary>
    private static double CpuMicroseconds()
    {
        if (!noCpuClock)
        {
            try
            {
                Timespec time;
                if (ClockGettime(2, out time) == 0) return time.Seconds.ToInt64() * 1e6 + time.Nanoseconds.ToInt64() / 1e3;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
            }
            noCpuClock = true;
        }
        return Process.GetCurrentProcess().TotalProcessorTime.Ticks / 10.0;
    }

    /// <summary>One call at a time, each awaited, as an async method does.</summary>
    private static async Task Sequential(TogetherVideoClient client, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            var video = await client.GetVideoAsync(Id).ConfigureAwait(false);
            if (video.Id != Id) throw new InvalidOperationException("wrong video");
        }
    }

    /// <summary><paramref name="threads"/> threads making blocking calls, <paramref name="calls"/> in all.</summary>
    private static void BlockingThreads(TogetherVideoClient client, int calls, int threads)
    {
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = t; i < calls; i += threads) client.GetVideo(Id);
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
    }

    /// <summary><paramref name="chains"/> asynchronous calls in flight at once, <paramref name="calls"/> in all.</summary>
    private static Task Concurrent(TogetherVideoClient client, int calls, int chains)
    {
        return Task.WhenAll(Enumerable.Range(0, chains).Select(async t =>
        {
            for (int i = t; i < calls; i += chains) await client.GetVideoAsync(Id).ConfigureAwait(false);
        }));
    }

}
