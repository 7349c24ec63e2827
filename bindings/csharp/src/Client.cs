using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo
{
    /// <summary>Settings for a Client. Unset properties keep the library's defaults.</summary>
    public sealed class ClientOptions
    {
        /// <summary>The API key; null reads TOGETHER_API_KEY.</summary>
        public string ApiKey { get; set; }
        /// <summary>Used as given, e.g. "http://127.0.0.1:8080/v2"; null reads
        /// TOGETHER_BASE_URL, else https://api.together.xyz/v2.</summary>
        public string BaseUrl { get; set; }
        /// <summary>Bounds each attempt, from connecting to the last byte (default 60 s).</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>Bounds connecting: DNS, TCP, TLS (default 5 s).</summary>
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>0 to 10 (default 2).</summary>
        public int? MaxRetries { get; set; }
        /// <summary>Appended to the User-Agent, e.g. "my-game/1.2".</summary>
        public string UserAgentSuffix { get; set; }
        /// <summary>Trust only the certificates in this PEM file.</summary>
        public string CaFile { get; set; }
        /// <summary>Verify servers with the operating system's certificate store.</summary>
        public bool UseSystemRoots { get; set; }
        /// <summary>A proxy URL; "" connects directly; null reads HTTPS_PROXY and friends.</summary>
        public string Proxy { get; set; }
        /// <summary>Library threads for asynchronous calls, 1 to 64 (default 4).</summary>
        public int? WorkerThreads { get; set; }

        internal ClientOptionsHandle ToNative()
        {
            var o = Native.tv_client_options_new();
            try
            {
                if (ApiKey != null) CreateVideoRequest.Check("API key", Native.tv_client_options_set_api_key(o, Utf8.ToNative(ApiKey, "API key")));
                if (BaseUrl != null) CreateVideoRequest.Check("base URL", Native.tv_client_options_set_base_url(o, Utf8.ToNative(BaseUrl, "base URL")));
                if (Timeout.HasValue) CreateVideoRequest.Check("timeout", Native.tv_client_options_set_timeout_ms(o, Milliseconds(Timeout.Value)));
                if (ConnectTimeout.HasValue) CreateVideoRequest.Check("connect timeout", Native.tv_client_options_set_connect_timeout_ms(o, Milliseconds(ConnectTimeout.Value)));
                if (MaxRetries.HasValue) CreateVideoRequest.Check("max retries", Native.tv_client_options_set_max_retries(o, MaxRetries.Value < 0 ? uint.MaxValue : (uint)MaxRetries.Value));
                if (UserAgentSuffix != null) CreateVideoRequest.Check("user agent", Native.tv_client_options_set_user_agent_suffix(o, Utf8.ToNative(UserAgentSuffix, "user agent")));
                if (CaFile != null) CreateVideoRequest.Check("CA file", Native.tv_client_options_set_ca_file(o, Utf8.ToNative(CaFile, "CA file")));
                if (UseSystemRoots) CreateVideoRequest.Check("system roots", Native.tv_client_options_set_system_roots(o, 1));
                if (Proxy != null) CreateVideoRequest.Check("proxy", Native.tv_client_options_set_proxy(o, Utf8.ToNative(Proxy, "proxy")));
                if (WorkerThreads.HasValue) CreateVideoRequest.Check("worker threads", Native.tv_client_options_set_worker_threads(o, (uint)Math.Max(0, WorkerThreads.Value)));
                return o;
            }
            catch
            {
                o.Dispose();
                throw;
            }
        }

        internal static ulong Milliseconds(TimeSpan span)
        {
            return span <= TimeSpan.Zero ? 0UL : (ulong)Math.Ceiling(span.TotalMilliseconds);
        }
    }

    /// <summary>A client for Together's video API. Thread-safe: share one. Asynchronous
    /// methods never block a thread-pool thread while waiting on the network.</summary>
    public sealed class Client : IDisposable
    {
        private readonly ClientHandle handle;

        /// <summary>A client with the defaults (TOGETHER_API_KEY).</summary>
        public Client() : this(new ClientOptions()) { }

        public Client(ClientOptions options)
        {
            if (options == null) throw new ArgumentNullException("options");
            using (var native = options.ToNative())
            {
                ClientHandle client;
                ErrorHandle error;
                int code = Native.tv_client_new_with_options(native, out client, out error);
                if (code != Native.Ok)
                {
                    client.Dispose();
                    throw TogetherVideoException.From(code, error);
                }
                error.Dispose();
                handle = client;
            }
        }

        /// <summary>The native library's version, e.g. "0.1.0".</summary>
        public static string Version { get { return Utf8.FromNative(Native.tv_version()); } }

        /// <summary>Cancels the client's asynchronous calls in flight (they fail with
        /// RequestCancelledException) and frees it. Disposing twice is fine.</summary>
        public void Dispose() { handle.Dispose(); }

        private ClientHandle Handle
        {
            get
            {
                if (handle.IsClosed) throw new ObjectDisposedException("TogetherVideo.Client");
                return handle;
            }
        }

        /// <summary>Fetches a job, blocking the calling thread. A job that failed on
        /// Together's side is not an exception: read its Status and ErrorMessage.</summary>
        public Video GetVideo(string id)
        {
            if (id == null) throw new ArgumentNullException("id");
            VideoHandle video;
            ErrorHandle error;
            int code = Native.tv_get_video(Handle, Utf8.ToNative(id, "id"), out video, out error);
            return Finish(code, video, error);
        }

        /// <summary>Fetches a job without blocking.</summary>
        public Task<Video> GetVideoAsync(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            return Pending.Start(cancellationToken, null, (ClientHandle c, out RequestHandle r, out ErrorHandle e) =>
                Native.tv_get_video_start(c, bytes, out r, out e), Handle);
        }

        /// <summary>Creates a job (POST /videos), blocking. Never retried once the request
        /// may have reached the server: a second POST could start a second, billed job.</summary>
        public Video CreateVideo(CreateVideoRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            using (var native = request.ToNative())
            {
                VideoHandle video;
                ErrorHandle error;
                int code = Native.tv_create_video(Handle, native, out video, out error);
                return Finish(code, video, error);
            }
        }

        /// <summary>Creates a job without blocking.</summary>
        public Task<Video> CreateVideoAsync(CreateVideoRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (request == null) throw new ArgumentNullException("request");
            var native = request.ToNative();
            try
            {
                return Pending.Start(cancellationToken, null, (ClientHandle c, out RequestHandle r, out ErrorHandle e) =>
                    Native.tv_create_video_start(c, native, out r, out e), Handle);
            }
            finally
            {
                native.Dispose(); // the request copied it
            }
        }

        /// <summary>Polls the job until it is completed, failed or cancelled and returns that
        /// state (a failed job is a result). A status this version does not know is returned
        /// at once. <paramref name="timeout"/> bounds the whole wait, the request in flight
        /// included (RequestTimeoutException); null waits until the token fires.
        /// <paramref name="progress"/> is told every polled state, from a library thread.</summary>
        public Task<Video> WaitAsync(string id, IProgress<Video> progress = null, TimeSpan? timeout = null,
            TimeSpan? pollInterval = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            var client = Handle; // throws for a disposed client before state is pinned
            var state = new CallbackState { VideoProgress = progress };
            var options = Native.tv_wait_options_new();
            try
            {
                CreateVideoRequest.Check("timeout", Native.tv_wait_options_set_timeout_ms(options, timeout.HasValue ? Math.Max(1UL, ClientOptions.Milliseconds(timeout.Value)) : 0UL));
                if (pollInterval.HasValue) CreateVideoRequest.Check("poll interval", Native.tv_wait_options_set_poll_interval_ms(options, ClientOptions.Milliseconds(pollInterval.Value)));
                if (progress != null) Native.tv_wait_options_set_progress(options, Pending.WaitProgress, state.Pin());
                return Pending.Start(cancellationToken, state, (ClientHandle c, out RequestHandle r, out ErrorHandle e) =>
                    Native.tv_wait_video_start(c, bytes, options, out r, out e), client);
            }
            finally
            {
                options.Dispose(); // the request copied it
            }
        }

        /// <summary>Downloads a completed job's video to a file: written beside it and
        /// renamed into place only when complete, so a failed or cancelled download leaves
        /// nothing under <paramref name="path"/>. The API key is never sent to the video host;
        /// an HTML or JSON page fails with a Decode error.</summary>
        public Task DownloadAsync(Video video, string path, IProgress<long> progress = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            if (video == null) throw new ArgumentNullException("video");
            if (path == null) throw new ArgumentNullException("path");
            var bytes = Utf8.ToNative(path, "path");
            return Download(video, new CallbackState { BytesProgress = progress }, cancellationToken,
                (ClientHandle c, VideoHandle v, IntPtr state, DownloadOptionsHandle o, out RequestHandle r, out ErrorHandle e) =>
                    Native.tv_download_video_to_file_start(c, v, bytes, o, out r, out e));
        }

        /// <summary>Downloads a completed job's video into a stream, written from a library
        /// thread one call at a time.</summary>
        public Task DownloadAsync(Video video, Stream destination, IProgress<long> progress = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            if (video == null) throw new ArgumentNullException("video");
            if (destination == null) throw new ArgumentNullException("destination");
            var state = new CallbackState { BytesProgress = progress, Destination = destination };
            return Download(video, state, cancellationToken,
                (ClientHandle c, VideoHandle v, IntPtr pinned, DownloadOptionsHandle o, out RequestHandle r, out ErrorHandle e) =>
                    Native.tv_download_video_to_callback_start(c, v, Pending.Write, pinned, o, out r, out e));
        }

        private delegate int DownloadStarter(ClientHandle client, VideoHandle video, IntPtr state,
            DownloadOptionsHandle options, out RequestHandle request, out ErrorHandle error);

        private Task Download(Video video, CallbackState state, CancellationToken cancellationToken, DownloadStarter start)
        {
            var client = Handle; // throws for a disposed client before state is pinned
            VideoHandle native;
            ErrorHandle error;
            int code = Native.tv_video_from_json(Utf8.ToNative(video.Json ?? "", "video JSON"), out native, out error);
            if (code != Native.Ok)
            {
                native.Dispose();
                throw TogetherVideoException.From(code, error);
            }
            error.Dispose();
            var options = Native.tv_download_options_new();
            try
            {
                var pinned = state.Pin();
                if (state.BytesProgress != null) Native.tv_download_options_set_progress(options, Pending.DownloadProgress, pinned);
                return Pending.Start(cancellationToken, state, (ClientHandle c, out RequestHandle r, out ErrorHandle e) =>
                    start(c, native, pinned, options, out r, out e), client);
            }
            finally
            {
                options.Dispose();
                native.Dispose(); // the request copied what it needs
            }
        }

        private static Video Finish(int code, VideoHandle video, ErrorHandle error)
        {
            if (code != Native.Ok)
            {
                video.Dispose();
                throw TogetherVideoException.From(code, error);
            }
            error.Dispose();
            return Video.Take(video);
        }
    }
}
