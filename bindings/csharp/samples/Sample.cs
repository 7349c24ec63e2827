// Create a video, wait for it without blocking, download it: the whole journey in C#.
//   TOGETHER_API_KEY=... mono Sample.exe [model] [prompt]
using System;
using System.Threading;
using System.Threading.Tasks;
using TogetherVideo;

public static class Sample
{
    public static int Main(string[] args)
    {
        try
        {
            Run(args).GetAwaiter().GetResult();
            return 0;
        }
        catch (TogetherVideoException e)
        {
            Console.Error.WriteLine("failed: {0} (HTTP {1}, request id {2})", e.Message, e.HttpStatus, e.RequestId ?? "none");
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("refused: {0}", e.Message);
            return 1;
        }
        catch (DllNotFoundException e)
        {
            Console.Error.WriteLine(e.Message); // says where it looked and how to fix it
            return 1;
        }
    }

    private static async Task Run(string[] args)
    {
        using (var client = new TogetherVideoClient(new TogetherVideoClientOptions { UserAgentSuffix = "together-video-sample/1.0" }))
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30)))
        {
            var request = new CreateVideoRequest(args.Length > 0 ? args[0] : "minimax/video-01-director")
            {
                Prompt = args.Length > 1 ? args[1] : "A paper boat drifting down a rainy street",
                Seconds = "5",
            };
            var job = await client.CreateVideoAsync(request, cancel.Token);
            Console.WriteLine("created {0}", job);
            var video = await client.WaitForVideoAsync(job.Id, new WaitOptions
            {
                Timeout = TimeSpan.FromMinutes(20),
                // Progress<T> posts each report to the SynchronizationContext it was made on
                // (Unity's main thread, a UI thread), here the thread pool.
                Progress = new Progress<Video>(v => Console.WriteLine("  {0}", v.StatusRaw)),
            }, cancel.Token);
            if (video.Status != VideoStatus.Completed)
            {
                Console.WriteLine("the job ended {0}: {1}", video.StatusRaw, video.ErrorMessage);
                return;
            }
            // By the Video's URL; client.DownloadVideoAsync(job.Id, ...) would go by the job's id.
            var progress = new Inline<DownloadProgress>(p =>
            {
                if (p.BytesReceived == p.TotalBytes) Console.WriteLine("  downloaded {0}", p);
            });
            long bytes = await client.DownloadAsync(video, "together-video-sample.mp4", progress, cancellationToken: cancel.Token);
            Console.WriteLine("saved together-video-sample.mp4 ({0} bytes, {1:0.00} credits)", bytes, video.Cost);
        }
    }

    /// <summary>Reports at once, on the library's thread (keep it short): a report from
    /// Progress&lt;T&gt; could reach this console after the download's end.</summary>
    private sealed class Inline<T> : IProgress<T>
    {
        private readonly Action<T> report;
        public Inline(Action<T> report) { this.report = report; }
        public void Report(T value) { report(value); }
    }
}
