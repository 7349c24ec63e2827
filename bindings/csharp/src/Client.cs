using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo
{
    /// <summary>Settings for a Client. Unset properties keep the library's defaults. The
    /// library checks each value (together_video.h gives the ranges) and its message names
    /// the value given: the Client constructor throws a TogetherVideoException with it.</summary>
    public sealed class ClientOptions
    {
        /// <summary>The API key; null reads TOGETHER_API_KEY.</summary>
        public string ApiKey { get; set; }
        /// <summary>Used as given, e.g. "http://127.0.0.1:8080/v2"; null reads
        /// TOGETHER_BASE_URL, else https://api.together.xyz/v2.</summary>
        public string BaseUrl { get; set; }
        /// <summary>Bounds each attempt, from connecting to the last byte of a response; a
        /// download may take longer as long as no read stalls for this long.</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>Bounds connecting: DNS, TCP, TLS.</summary>
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>How many times a failed request is retried.</summary>
        public int? MaxRetries { get; set; }
        /// <summary>Appended to the User-Agent, e.g. "my-game/1.2".</summary>
        public string UserAgentSuffix { get; set; }
        /// <summary>Trust only the certificates in this PEM file.</summary>
        public string CaFile { get; set; }
        /// <summary>Verify servers with the operating system's certificate store.</summary>
        public bool UseSystemRoots { get; set; }
        /// <summary>A proxy URL; "" connects directly; null reads HTTPS_PROXY and friends.</summary>
        public string Proxy { get; set; }
        /// <summary>Library threads for asynchronous calls.</summary>
        public int? WorkerThreads { get; set; }

        internal ClientOptionsHandle ToNative()
        {
            var o = Native.tv_client_options_new();
            try
            {
                if (ApiKey != null) CreateVideoRequest.Check("API key", Native.tv_client_options_set_api_key(o, Utf8.ToNative(ApiKey, "API key")));
                if (BaseUrl != null) CreateVideoRequest.Check("base URL", Native.tv_client_options_set_base_url(o, Utf8.ToNative(BaseUrl, "base URL")));
                if (Timeout.HasValue) CreateVideoRequest.Check("timeout", Native.tv_client_options_set_timeout_ms(o, CallOptions.Milliseconds(Timeout.Value)));
                if (ConnectTimeout.HasValue) CreateVideoRequest.Check("connect timeout", Native.tv_client_options_set_connect_timeout_ms(o, CallOptions.Milliseconds(ConnectTimeout.Value)));
                if (MaxRetries.HasValue) CreateVideoRequest.Check("max retries", Native.tv_client_options_set_max_retries(o, MaxRetries.Value));
                if (UserAgentSuffix != null) CreateVideoRequest.Check("user agent", Native.tv_client_options_set_user_agent_suffix(o, Utf8.ToNative(UserAgentSuffix, "user agent")));
                if (CaFile != null) CreateVideoRequest.Check("CA file", Native.tv_client_options_set_ca_file(o, Utf8.ToNative(CaFile, "CA file")));
                if (UseSystemRoots) CreateVideoRequest.Check("system roots", Native.tv_client_options_set_system_roots(o, 1));
                if (Proxy != null) CreateVideoRequest.Check("proxy", Native.tv_client_options_set_proxy(o, Utf8.ToNative(Proxy, "proxy")));
                if (WorkerThreads.HasValue) CreateVideoRequest.Check("worker threads", Native.tv_client_options_set_worker_threads(o, WorkerThreads.Value));
                return o;
            }
            catch
            {
                o.Dispose();
                throw;
            }
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

        /// <summary>The native library's version, e.g. "0.2.0".</summary>
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

        // Every call takes an optional timeout, which bounds the whole call (retries, polls
        // and the request in flight included; RequestTimeoutException), and a
        // CancellationToken (OperationCanceledException). A blocking call hands the token to
        // the library as a native cancel token; an asynchronous one cancels its request.

        /// <summary>Fetches a job, blocking the calling thread. A job that failed on
        /// Together's side is not an exception: read its Status and ErrorMessage.</summary>
        public Video GetVideo(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            return Run(timeout, null, cancellationToken, (ClientHandle c, CallOptionsHandle call, out VideoHandle v, out ErrorHandle e) =>
                Native.tv_get_video(c, bytes, call, out v, out e));
        }

        /// <summary>Fetches a job without blocking.</summary>
        public Task<Video> GetVideoAsync(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            return GetVideoAsync(id, null, cancellationToken);
        }

        /// <summary>Fetches a job without blocking, within <paramref name="timeout"/>.</summary>
        public Task<Video> GetVideoAsync(string id, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            return Begin(timeout, null, cancellationToken, (ClientHandle c, CallOptionsHandle call, out RequestHandle r, out ErrorHandle e) =>
                Native.tv_get_video_start(c, bytes, call, out r, out e));
        }

        /// <summary>Creates a job (POST /videos), blocking. Never retried once the request
        /// may have reached the server: a second POST could start a second, billed job.</summary>
        public Video CreateVideo(CreateVideoRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (request == null) throw new ArgumentNullException("request");
            using (var native = request.ToNative())
            {
                return Run(timeout, null, cancellationToken, (ClientHandle c, CallOptionsHandle call, out VideoHandle v, out ErrorHandle e) =>
                    Native.tv_create_video(c, native, call, out v, out e));
            }
        }

        /// <summary>Creates a job without blocking.</summary>
        public Task<Video> CreateVideoAsync(CreateVideoRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return CreateVideoAsync(request, null, cancellationToken);
        }

        /// <summary>Creates a job without blocking, within <paramref name="timeout"/>.</summary>
        public Task<Video> CreateVideoAsync(CreateVideoRequest request, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (request == null) throw new ArgumentNullException("request");
            using (var native = request.ToNative()) // the request copies it
            {
                return Begin(timeout, null, cancellationToken, (ClientHandle c, CallOptionsHandle call, out RequestHandle r, out ErrorHandle e) =>
                    Native.tv_create_video_start(c, native, call, out r, out e));
            }
        }

        /// <summary>Polls the job until it is completed, failed or cancelled and returns that
        /// state (a failed job is a result), blocking. A status this version does not know is
        /// returned at once. <paramref name="timeout"/> bounds the whole wait, the request
        /// in flight included (RequestTimeoutException); null waits as long as the job
        /// takes. <paramref name="progress"/> is told every polled state, on this thread.</summary>
        public Video Wait(string id, IProgress<Video> progress = null, TimeSpan? timeout = null,
            TimeSpan? pollInterval = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            using (var wait = WaitOptions(pollInterval))
            {
                return Run(timeout, new CallbackState { VideoProgress = progress }, cancellationToken,
                    (ClientHandle c, CallOptionsHandle call, out VideoHandle v, out ErrorHandle e) =>
                        Native.tv_wait_video(c, bytes, wait, call, out v, out e));
            }
        }

        /// <summary>Wait without blocking: polls run on the library's threads, and
        /// <paramref name="progress"/> is told every polled state from one of them.</summary>
        public Task<Video> WaitAsync(string id, IProgress<Video> progress = null, TimeSpan? timeout = null,
            TimeSpan? pollInterval = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (id == null) throw new ArgumentNullException("id");
            var bytes = Utf8.ToNative(id, "id");
            using (var wait = WaitOptions(pollInterval)) // the request copies them
            {
                return Begin(timeout, new CallbackState { VideoProgress = progress }, cancellationToken,
                    (ClientHandle c, CallOptionsHandle call, out RequestHandle r, out ErrorHandle e) =>
                        Native.tv_wait_video_start(c, bytes, wait, call, out r, out e));
            }
        }

        // Downloads. Each reads a video by its URL (a completed job's VideoUrl) or by its
        // job's id (the library gets the job, which must be completed, then its URL), into
        // a file or a Stream. A file is written beside its path and renamed into place only
        // when complete, so a failed or cancelled download leaves nothing under the path; a
        // path that cannot be written is a FileSystem error. The API key is never sent to
        // the video's host; an HTML or JSON page fails with a Decode error. A Stream is
        // written one call at a time, each byte once, in order. The timeout bounds the whole
        // download; without one only a read stalling for the client's timeout ends it.
        // Blocking forms return the size in bytes and call progress (bytes received so far)
        // on the calling thread; asynchronous forms call it from a library thread.

        /// <summary>Downloads the video at <paramref name="url"/> to a file, blocking.</summary>
        public long DownloadUrl(string url, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream, blocking.</summary>
        public long DownloadUrl(string url, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video at <paramref name="url"/> to a file without blocking.</summary>
        public Task DownloadUrlAsync(string url, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Url(url), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream without
        /// blocking; the stream is written from a library thread.</summary>
        public Task DownloadUrlAsync(string url, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Url(url), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file, blocking.
        /// A job that is not completed is an InvalidArgument error.</summary>
        public long DownloadVideo(string id, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream, blocking.</summary>
        public long DownloadVideo(string id, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file without blocking.</summary>
        public Task DownloadVideoAsync(string id, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Job(id), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream without
        /// blocking; the stream is written from a library thread.</summary>
        public Task DownloadVideoAsync(string id, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Job(id), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier to a file, blocking: by its VideoUrl, or,
        /// when it has none (it was not completed when read), by its id, so that the library
        /// gets the job again and says why there is nothing to download.</summary>
        public long Download(Video video, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier into a stream, blocking (see the file form).</summary>
        public long Download(Video video, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier to a file without blocking (see Download).</summary>
        public Task DownloadAsync(Video video, string path, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Of(video), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier into a stream without blocking; the stream
        /// is written from a library thread.</summary>
        public Task DownloadAsync(Video video, Stream destination, IProgress<long> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return DownloadAsync(Source.Of(video), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>What a download reads: a URL or a job id, as native text.</summary>
        private struct Source
        {
            public bool IsJob;
            public byte[] Text;

            public static Source Url(string url)
            {
                if (url == null) throw new ArgumentNullException("url");
                return new Source { Text = Utf8.ToNative(url, "url") };
            }

            public static Source Job(string id)
            {
                if (id == null) throw new ArgumentNullException("id");
                return new Source { IsJob = true, Text = Utf8.ToNative(id, "id") };
            }

            public static Source Of(Video video)
            {
                if (video == null) throw new ArgumentNullException("video");
                if (!string.IsNullOrEmpty(video.VideoUrl)) return Url(video.VideoUrl);
                if (video.Id == null) throw new ArgumentException("the video has neither a VideoUrl nor an Id", "video");
                return Job(video.Id);
            }
        }

        /// <summary>Where a download goes: a file path as native text, or a stream.</summary>
        private struct Destination
        {
            public byte[] Path;
            public Stream Stream;

            public static Destination File(string path)
            {
                if (path == null) throw new ArgumentNullException("path");
                return new Destination { Path = Utf8.ToNative(path, "path") };
            }

            public static Destination To(Stream stream)
            {
                if (stream == null) throw new ArgumentNullException("destination");
                return new Destination { Stream = stream };
            }
        }

        private long Download(Source source, Destination destination, IProgress<long> progress, TimeSpan? timeout,
            CancellationToken cancellationToken)
        {
            var client = Handle;
            var state = new CallbackState { BytesProgress = progress, Destination = destination.Stream };
            using (var call = new BlockingCall(timeout, state, cancellationToken))
            {
                ulong bytes;
                ErrorHandle error;
                int code;
                if (destination.Stream == null)
                {
                    code = source.IsJob
                        ? Native.tv_download_video_to_file(client, source.Text, destination.Path, call.Options, out bytes, out error)
                        : Native.tv_download_url_to_file(client, source.Text, destination.Path, call.Options, out bytes, out error);
                }
                else
                {
                    var pinned = state.Pin(); // unpinned when the call is disposed
                    code = source.IsJob
                        ? Native.tv_download_video_to_callback(client, source.Text, Pending.Write, pinned, call.Options, out bytes, out error)
                        : Native.tv_download_url_to_callback(client, source.Text, Pending.Write, pinned, call.Options, out bytes, out error);
                }
                if (code != Native.Ok) throw call.Failure(code, error);
                error.Dispose();
                return (long)bytes;
            }
        }

        private Task DownloadAsync(Source source, Destination destination, IProgress<long> progress, TimeSpan? timeout,
            CancellationToken cancellationToken)
        {
            var state = new CallbackState { BytesProgress = progress, Destination = destination.Stream };
            return Begin(timeout, state, cancellationToken, (ClientHandle c, CallOptionsHandle call, out RequestHandle r, out ErrorHandle e) =>
            {
                if (destination.Stream == null)
                {
                    return source.IsJob
                        ? Native.tv_download_video_to_file_start(c, source.Text, destination.Path, call, out r, out e)
                        : Native.tv_download_url_to_file_start(c, source.Text, destination.Path, call, out r, out e);
                }
                // Pinned here, inside Pending.Start, which unpins it should the start fail.
                return source.IsJob
                    ? Native.tv_download_video_to_callback_start(c, source.Text, Pending.Write, state.Pin(), call, out r, out e)
                    : Native.tv_download_url_to_callback_start(c, source.Text, Pending.Write, state.Pin(), call, out r, out e);
            });
        }

        /// <summary>Wait options holding <paramref name="pollInterval"/>, checked by the library.</summary>
        private static WaitOptionsHandle WaitOptions(TimeSpan? pollInterval)
        {
            var options = Native.tv_wait_options_new();
            try
            {
                if (pollInterval.HasValue) CreateVideoRequest.Check("poll interval", Native.tv_wait_options_set_poll_interval_ms(options, CallOptions.Milliseconds(pollInterval.Value)));
                return options;
            }
            catch
            {
                options.Dispose();
                throw;
            }
        }

        private delegate int VideoCall(ClientHandle client, CallOptionsHandle call, out VideoHandle video, out ErrorHandle error);

        private delegate int RequestStarter(ClientHandle client, CallOptionsHandle call, out RequestHandle request, out ErrorHandle error);

        /// <summary>Runs a blocking call that gives a video.</summary>
        private Video Run(TimeSpan? timeout, CallbackState state, CancellationToken cancellationToken, VideoCall invoke)
        {
            var client = Handle;
            using (var call = new BlockingCall(timeout, state, cancellationToken))
            {
                VideoHandle video;
                ErrorHandle error;
                int code = invoke(client, call.Options, out video, out error);
                if (code != Native.Ok)
                {
                    video.Dispose();
                    throw call.Failure(code, error);
                }
                error.Dispose();
                return Video.Take(video);
            }
        }

        /// <summary>Starts a non-blocking call; its Task ends with the request.</summary>
        private Task<Video> Begin(TimeSpan? timeout, CallbackState state, CancellationToken cancellationToken, RequestStarter start)
        {
            var client = Handle; // throws for a disposed client before state is pinned
            var options = CallOptions.Create(timeout, state, null); // leaves nothing pinned if it throws
            try
            {
                return Pending.Start(cancellationToken, state, (ClientHandle c, out RequestHandle r, out ErrorHandle e) =>
                    start(c, CallOptions.OrNone(options), out r, out e), client);
            }
            finally
            {
                if (options != null) options.Dispose(); // the request copied them
            }
        }
    }
}
