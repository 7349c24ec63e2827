// Creates a video, waits for it and downloads it into Application.persistentDataPath,
// without blocking the main thread. The wait and the download are tagged: their status
// changes and progress wait in the client's event queue until Update pumps them, on the
// main thread, into the Console and the Inspector (Progress). The library's own events
// (HTTP attempts, retries, downloads) go to the Console too. Add it to any GameObject;
// set TOGETHER_API_KEY, or fill in ApiKey in the Inspector (never commit it).
using System;
using System.IO;
using TogetherVideo;
using UnityEngine;

public sealed class Journey : MonoBehaviour
{
    public string ApiKey = "";
    public string Model = "minimax/video-01-director";
    public string Prompt = "A paper boat drifting down a rainy street";
    public float Progress; // the download's, 0 to 1, as Update learns it

    // Which call an event of the client's queue is about: any numbers of yours (with many
    // jobs, an index into your own table).
    private const long WaitTag = 1;
    private const long DownloadTag = 2;

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
            // The awaits give the outcomes; Update shows what happens meanwhile.
            var video = await client.WaitForVideoAsync(job.Id, new WaitOptions { EventTag = WaitTag });
            if (video.Status != VideoStatus.Completed)
            {
                Debug.LogWarning("together-video: the job ended " + video.Status + ": " + video.ErrorMessage);
                return;
            }
            var path = Path.Combine(Application.persistentDataPath, video.Id + ".mp4");
            await client.DownloadVideoAsync(video.Id, path, new DownloadOptions { EventTag = DownloadTag });
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
        // What the tagged calls reported since the last frame, handled here on the main
        // thread, without waiting.
        if (client != null) client.PumpEvents(OnClientEvent);
        // Each of the library's own events as one line ("together-video warn retry: ..."), by level.
        log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log);
    }

    private void OnClientEvent(ClientEvent e)
    {
        switch (e.Kind)
        {
            case ClientEventKind.StatusChanged: // WaitTag
                Debug.Log("together-video: " + e.JobId + " is " + e.Status);
                break;
            case ClientEventKind.DownloadProgress: // DownloadTag
                if (e.TotalBytes > 0) Progress = (float)e.BytesReceived / e.TotalBytes.Value;
                break;
            case ClientEventKind.Done: // the call's Task has ended: Start's await resumes
                if (e.Tag == DownloadTag && e.Result == ResultCode.Ok) Progress = 1;
                break;
        }
    }

    private void OnDestroy()
    {
        // Cancels whatever is still running; awaiting code sees RequestCancelledException.
        if (client != null) client.Dispose();
        client = null;
        log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log); // the last ones
    }
}
