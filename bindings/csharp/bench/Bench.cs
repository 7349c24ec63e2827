// Blocking GetVideo against GetVideoAsync on one client, against the server at
// TV_BENCH_URL (the mock: scripts/with-mock.sh target/release/tv-mock -- ...): calls per
// second, and CPU time per call, one call in flight and four; beside them the same calls
// made through the C API with no binding (CApiCalls.cs), which split the CPU an awaited
// call adds between the library, the runtime's Task and await, and the binding. One JSON
// line per measure, then the ratios async / blocking, then that split. The measures take
// turns, round after round, so that all meet the same machine and the same server state;
// each reports its median round, and each ratio is the median of the rounds' own ratios
// (round r of async over round r of blocking), which a slow spell of the machine shifts
// least.
//
// Where the scheduler puts the client's threads and the server's decides much of a
// loopback round trip: on one CPU they hand it to each other, on two each reply wakes an
// idle CPU. scripts/bench/run.sh pins both ways and names the placement, and runs this
// under Mono and under CoreCLR; every line names the runtime.
//
//   TV_BENCH_URL        the API's base URL, e.g. http://127.0.0.1:PORT/v2; else
//                       TV_MOCK_URL, which scripts/with-mock.sh sets
//   TV_BENCH_KEY        the API key (default test-key, the mock's)
//   TV_BENCH_CALLS      calls per round (default 300); TV_BENCH_ROUNDS rounds (default 7)
//   TV_BENCH_PLACEMENT  a label copied into every line (default "unpinned")
//
// tv-mock keeps the last 10 000 requests it served and pays for dropping the oldest one
// on every request after that, so the defaults stay under 10 000 requests in all.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
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
        using (var capi = new CApiCalls(url, options.ApiKey, inFlight, Id))
        {
            // Warm up: the JIT, the connections, the library's and the runtime's threads.
            for (int i = 0; i < 100; i++) client.GetVideo(Id);
            Sequential(client, 100).GetAwaiter().GetResult();
            capi.Blocking(100, 1);
            capi.AwaitedChains(100, inFlight);

            var placement = Environment.GetEnvironmentVariable("TV_BENCH_PLACEMENT");
            if (string.IsNullOrEmpty(placement)) placement = "unpinned";
            var measures = new[]
            {
                new Measure("GetVideo", "blocking", 1, () => { for (int i = 0; i < calls; i++) client.GetVideo(Id); }),
                new Measure("GetVideoAsync", "await", 1, () => Sequential(client, calls).GetAwaiter().GetResult()),
                new Measure("GetVideo", "blocking", inFlight, () => BlockingThreads(client, calls, inFlight)),
                new Measure("GetVideoAsync", "await", inFlight, () => Concurrent(client, calls, inFlight).GetAwaiter().GetResult()),
                new Measure("tv_get_video", "C API, blocking", 1, () => capi.Blocking(calls, 1)),
                new Measure("tv_get_video_start", "C API, callback chain", 1, () => capi.CallbackChains(calls, 1)),
                new Measure("tv_get_video_start", "C API, Task awaited", 1, () => capi.AwaitedChains(calls, 1)),
                new Measure("tv_get_video", "C API, blocking", inFlight, () => capi.Blocking(calls, inFlight)),
                new Measure("tv_get_video_start", "C API, callback chain", inFlight, () => capi.CallbackChains(calls, inFlight)),
                new Measure("tv_get_video_start", "C API, Task awaited", inFlight, () => capi.AwaitedChains(calls, inFlight)),
            };
            for (int round = 0; round < rounds; round++)
                foreach (var measure in measures) measure.Round(calls);
            foreach (var measure in measures) Console.WriteLine(measure.Report(placement, calls, rounds));
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"measure\": \"async / blocking\", \"placement\": \"{0}\", \"runtime\": \"" + Runtime + "\", " +
                "\"calls_per_second\": {{\"in_flight_1\": {1:0.00}, \"in_flight_{2}\": {3:0.00}}}, " +
                "\"cpu_per_call\": {{\"in_flight_1\": {4:0.00}, \"in_flight_{2}\": {5:0.00}}}}}",
                placement, Measure.RateRatio(measures[1], measures[0]), inFlight, Measure.RateRatio(measures[3], measures[2]),
                Measure.CpuRatio(measures[1], measures[0]), Measure.CpuRatio(measures[3], measures[2])));
            // Where an awaited call's extra CPU goes, in microseconds per call (medians of
            // the rounds' own differences): in all, then its parts as CApiCalls.cs splits them.
            for (int at = 0; at < 2; at++)
            {
                Measure blocking = measures[2 * at], awaited = measures[2 * at + 1];
                Measure cBlocking = measures[4 + 3 * at], chain = measures[5 + 3 * at], cAwaited = measures[6 + 3 * at];
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "{{\"measure\": \"async CPU over blocking\", \"placement\": \"{0}\", \"runtime\": \"" + Runtime + "\", \"in_flight\": {1}, " +
                    "\"total_us\": {2:0.00}, \"library_async_us\": {3:0.00}, \"runtime_await_us\": {4:0.00}, \"binding_us\": {5:0.00}}}",
                    placement, blocking.InFlight, Measure.CpuDifference(awaited, blocking), Measure.CpuDifference(chain, cBlocking),
                    Measure.CpuDifference(cAwaited, chain), Measure.CpuDifference(awaited, blocking, cAwaited, cBlocking)));
            }
        }
        return 0;
    }

    /// <summary>The runtime running the bench, as the report names it: Mono's version, or
    /// CoreCLR's (make bench runs both).</summary>
    private static readonly string Runtime = RuntimeName();

    private static string RuntimeName()
    {
        var mono = Type.GetType("Mono.Runtime");
        if (mono == null) return "CoreCLR " + Environment.Version;
        var display = mono.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static);
        var text = display == null ? null : display.Invoke(null, null) as string;
        return "Mono " + (string.IsNullOrEmpty(text) ? "" : text.Split(' ')[0]);
    }

    private static int Number(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(text) ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>One way of calling, measured round after round: its calls per second and
    /// its CPU time per call (this process's threads, the library's included; the
    /// server's not), each round's kept.</summary>
    private sealed class Measure
    {
        private readonly string call;
        private readonly string how;
        private readonly int inFlight;
        private readonly Action run;
        private readonly List<double> rates = new List<double>();
        private readonly List<double> cpus = new List<double>();

        public Measure(string call, string how, int inFlight, Action run)
        {
            this.call = call;
            this.how = how;
            this.inFlight = inFlight;
            this.run = run;
        }

        public void Round(int calls)
        {
            double cpu = CpuMicroseconds();
            var watch = Stopwatch.StartNew();
            run();
            double seconds = watch.Elapsed.TotalSeconds;
            double cpuMicroseconds = CpuMicroseconds() - cpu;
            rates.Add(calls / seconds);
            cpus.Add(cpuMicroseconds / calls);
        }

        public string Report(string placement, int calls, int rounds)
        {
            return string.Format(CultureInfo.InvariantCulture,
                "{{\"measure\": \"{0}\", \"how\": \"{1}\", \"in_flight\": {2}, \"placement\": \"{3}\", \"runtime\": \"" + Runtime + "\", " +
                "\"calls_per_round\": {4}, \"rounds\": {5}, \"calls_per_second\": {6:0}, \"cpu_us_per_call\": {7:0.0}}}",
                call, how, inFlight, placement, calls, rounds, Median(rates), Median(cpus));
        }

        /// <summary>The median over rounds of <paramref name="a"/>'s calls per second over
        /// <paramref name="b"/>'s in the same round.</summary>
        public static double RateRatio(Measure a, Measure b)
        {
            return Median(a.rates.Select((rate, round) => rate / b.rates[round]));
        }

        /// <summary>The same for CPU time per call.</summary>
        public static double CpuRatio(Measure a, Measure b)
        {
            return Median(a.cpus.Select((cpu, round) => cpu / b.cpus[round]));
        }

        /// <summary>The median over rounds of <paramref name="a"/>'s CPU time per call
        /// less <paramref name="b"/>'s in the same round (in microseconds).</summary>
        public static double CpuDifference(Measure a, Measure b)
        {
            return Median(a.cpus.Select((cpu, round) => cpu - b.cpus[round]));
        }

        /// <summary>The median over rounds of (a - b) - (c - d), CPU time per call.</summary>
        public static double CpuDifference(Measure a, Measure b, Measure c, Measure d)
        {
            return Median(a.cpus.Select((cpu, round) => (cpu - b.cpus[round]) - (c.cpus[round] - d.cpus[round])));
        }

        public int InFlight { get { return inFlight; } }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
