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
    }

    private static async Task Run(string[] args)
    {
        using (var client = new Client(new ClientOptions { UserAgentSuffix = "together-video-sample/1.0" }))
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30)))
        {
            var request = new CreateVideoRequest(args.Length > 0 ? args[0] : "minimax/video-01-director")
            {
                Prompt = args.Length > 1 ? args[1] : "A paper boat drifting down a rainy street",
                Seconds = "5",
            };
            var job = await client.CreateVideoAsync(request, cancel.Token);
            Console.WriteLine("created {0}", job);
            var progress = new Progress<Video>(v => Console.WriteLine("  {0}", v.StatusRaw));
            var video = await client.WaitAsync(job.Id, progress, cancellationToken: cancel.Token);
            if (video.Status != VideoStatus.Completed)
            {
                Console.WriteLine("the job ended {0}: {1}", video.StatusRaw, video.ErrorMessage);
                return;
            }
            // By the Video's URL; client.DownloadVideoAsync(job.Id, ...) would go by the job's id.
            await client.DownloadAsync(video, "together-video-sample.mp4", cancellationToken: cancel.Token);
            Console.WriteLine("saved together-video-sample.mp4 ({0:0.00} credits)", video.Cost);
        }
    }
}
