// `make bench`'s C# figure for many jobs on one client: 10 000 concurrent
// WaitForVideoAsync calls on jobs that stay queued, polled every 4 s, against the server
// TV_BENCH_URL names. Prints one JSON line: the OS threads while they wait and the
// resident memory each wait adds (its task and the native request together).
using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using TogetherVideo;

public static class ManyWaits
{
    public static int Main()
    {
        var url = Environment.GetEnvironmentVariable("TV_BENCH_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("set TV_BENCH_URL to the API's base URL");
            return 2;
        }
        const int waits = 10000;
        var interval = TimeSpan.FromSeconds(4);
        var options = new TogetherVideoClientOptions
        {
            ApiKey = Environment.GetEnvironmentVariable("TV_BENCH_KEY") ?? "test-key",
            BaseUrl = url,
            Proxy = "",
        };
        using (var client = new TogetherVideoClient(options))
        using (var cancel = new CancellationTokenSource())
        {
            client.GetVideo("vid_queued");
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            long before = process.WorkingSet64;
            var tasks = new Task[waits];
            var wait = new WaitOptions { PollInterval = interval };
            for (int i = 0; i < waits; i++) tasks[i] = client.WaitForVideoAsync("vid_queued", wait, cancel.Token);
            Thread.Sleep(TimeSpan.FromTicks(interval.Ticks * 5 / 2));
            process.Refresh();
            long waiting = process.WorkingSet64;
            int threads = process.Threads.Count;
            cancel.Cancel();
            try { Task.WaitAll(tasks); } catch (AggregateException) { }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"language\": \"C#\", \"waits\": {0}, \"threads_waiting\": {1}, \"kib_per_wait\": {2:0.00}}}",
                waits, threads, (waiting - before) / 1024.0 / waits));
        }
        return 0;
    }
}
