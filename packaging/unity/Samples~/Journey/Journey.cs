// Creates a video, waits for it (progress in the Console) and downloads it into
// Application.persistentDataPath, without blocking the main thread; the library's own
// events (HTTP attempts, retries, downloads) go to the Console too. Add it to any
// GameObject; set TOGETHER_API_KEY, or fill in ApiKey in the Inspector (never commit it).
using System;
using System.IO;
using TogetherVideo;
using UnityEngine;

public sealed class Journey : MonoBehaviour
{
    public string ApiKey = "";
    public string Model = "minimax/video-01-director";
    public string Prompt = "A paper boat drifting down a rainy street";

    private TogetherVideoClient client;
    // The library logs on its own threads, and Debug.Log belongs on the main thread: the
    // events wait here until Update hands them to the Console.
    private readonly LogQueue log = new LogQueue();

    private async void Start()
    {
        try
        {
            client = new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = string.IsNullOrEmpty(ApiKey) ? null : ApiKey,
                UserAgentSuffix = "unity-journey-sample/1.0",
                Log = log.Add,
                LogLevel = LogLevel.Info, // Debug adds polls and redirects, Trace headers and bodies
            });
            var job = await client.CreateVideoAsync(new CreateVideoRequest(Model) { Prompt = Prompt });
            Debug.Log("together-video: created " + job.Id);
            var video = await client.WaitForVideoAsync(job.Id, new WaitOptions
            {
                Progress = new Progress<Video>(v => Debug.Log("together-video: " + v.Status)),
            });
            if (video.Status != VideoStatus.Completed)
            {
                Debug.LogWarning("together-video: the job ended " + video.Status + ": " + video.ErrorMessage);
                return;
            }
            var path = Path.Combine(Application.persistentDataPath, video.Id + ".mp4");
            await client.DownloadVideoAsync(video.Id, path);
            Debug.Log("together-video: saved " + path);
            Debug.Log("together-video: " + client.GetStats()); // requests, retries, bytes...
        }
        catch (Exception e)
        {
            Debug.LogError("together-video: " + e.Message);
        }
    }

    private void Update()
    {
        // Each event as one line ("together-video warn retry: ..."), by level.
        log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log);
    }

    private void OnDestroy()
    {
        // Cancels whatever is still running; awaiting code sees RequestCancelledException.
        if (client != null) client.Dispose();
        log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log); // the last ones
    }
}
