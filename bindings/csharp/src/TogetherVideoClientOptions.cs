using System;

namespace TogetherVideo
{
    /// <summary>Settings for a <see cref="TogetherVideoClient"/>. Unset properties keep the
    /// library's defaults. The library checks each value when the client is created
    /// (together_video.h gives the ranges): a value it refuses is an
    /// <see cref="ArgumentOutOfRangeException"/> (numbers and spans) or an
    /// <see cref="ArgumentException"/> (text) for the options parameter, whose message
    /// names the setting and the value given ("max retries must be from 0 to 10, not -1").</summary>
    public sealed class TogetherVideoClientOptions
    {
        /// <summary>The API key; null reads TOGETHER_API_KEY.</summary>
        public string ApiKey { get; set; }
        /// <summary>Used as given, e.g. "http://127.0.0.1:8080/v2"; null reads
        /// TOGETHER_BASE_URL, else https://api.together.xyz/v2.</summary>
        public string BaseUrl { get; set; }
        /// <summary>Bounds each attempt, from connecting to the last byte of a response; a
        /// download may take longer as long as no read stalls for this long. Default 60 s.</summary>
        public TimeSpan? Timeout { get; set; }
        /// <summary>Bounds connecting: DNS, TCP, TLS. Default 5 s.</summary>
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>How many times a failed request is retried: 0 to 10, default 2.</summary>
        public int? MaxRetries { get; set; }
        /// <summary>Appended to the User-Agent, e.g. "my-game/1.2".</summary>
        public string UserAgentSuffix { get; set; }
        /// <summary>Trust only the certificates in this PEM file.</summary>
        public string CaFile { get; set; }
        /// <summary>Verify servers with the operating system's certificate store instead of
        /// the built-in roots.</summary>
        public bool UseSystemRoots { get; set; }
        /// <summary>A proxy URL; "" connects directly; null reads HTTPS_PROXY and friends.</summary>
        public string Proxy { get; set; }
        /// <summary>The library threads that run asynchronous calls, default 4
        /// (<see cref="DefaultWorkerThreads"/>). A wait holds none of them between polls, so
        /// a thousand waits need no more threads than one.</summary>
        public int? WorkerThreads { get; set; }

        /// <summary>The library's default for <see cref="WorkerThreads"/>
        /// (tv_client_options_new's; a test checks the two agree).</summary>
        public const int DefaultWorkerThreads = 4;
        /// <summary>False, the default: a Task of an asynchronous call that ends by itself
        /// ends on the library thread that finished the call, and continuations that run
        /// synchronously (an await without a SynchronizationContext, ConfigureAwait(false))
        /// run there: no thread-pool hop, and a call such a continuation starts runs on
        /// that same thread. True: every Task of the client ends on the thread pool, as with
        /// <see cref="System.Threading.Tasks.TaskCreationOptions.RunContinuationsAsynchronously"/>.</summary>
        /// <remarks>
        /// <para>At most <see cref="WorkerThreads"/> - 1 Tasks end with their continuations
        /// on library threads at once; the others continue on the thread pool. So such
        /// continuations never hold every library thread, and an await continuation may
        /// block, even on another call's Task. (A ContinueWith with
        /// TaskContinuationOptions.ExecuteSynchronously runs wherever the Task ends, as .NET
        /// documents: keep it short, or set this option.) With one worker thread every await
        /// continues on the thread pool. An await under a SynchronizationContext (Unity's
        /// main thread, a UI thread) is posted to that context either way.</para>
        /// <para>Keep long synchronous work after an await off library threads (Task.Run),
        /// or set this to true: such work holds one of the few threads that run the client's
        /// calls, and <see cref="TogetherVideoClient.Dispose"/> waits for the library's
        /// threads, and so for a continuation running on one. True costs a thread-pool hop
        /// per call.</para>
        /// </remarks>
        public bool RunContinuationsAsynchronously { get; set; }
        /// <summary>Caps how many HTTP requests of the client run at once, API calls and
        /// download transfers alike: 0 to 1024, default 0 (no cap). A request over the cap
        /// waits for a slot, and still notices its CancellationToken or timeout. (Whatever
        /// the cap, a 429 with a Retry-After hint pauses every API request of the client
        /// for that long.)</summary>
        public int? MaxConcurrentRequests { get; set; }

        /// <summary>Keeps a journal of the client's jobs in the file at this path (null, the
        /// default: none), so that a job survives a crash or a restart of your program:
        /// each job the client creates is on disk before the create returns it, then its
        /// last status and its download by job id (destination, completion). A new client
        /// on the same path lists what is left with
        /// <see cref="TogetherVideoClient.GetUnfinishedJobs"/> and finishes each with
        /// <see cref="TogetherVideoClient.ResumeJob(string, string, WaitOptions, System.Threading.CancellationToken)"/>.</summary>
        /// <remarks>
        /// <para>The journal is an append-only file of checksummed lines, each fsynced before
        /// the call that wrote it returns, and compacted when a client opens it; it holds
        /// ids, models, times, request hashes, statuses and destinations, never the API key.
        /// The directory must exist; the file is created when missing.</para>
        /// <para>One client at a time may use a journal, in any process: the file
        /// "&lt;path&gt;.lock" beside it holds the lock until the client is disposed (or its
        /// process ends). Creating a second client on a journal in use is refused like any
        /// setting the library refuses: an <see cref="ArgumentException"/> for the options
        /// parameter with the library's message. A journal that cannot be opened or read
        /// is a <see cref="TogetherVideoException"/> from the constructor.</para>
        /// </remarks>
        public string JournalPath { get; set; }

        /// <summary>Receives the client's events up to <see cref="LogLevel"/>, each with
        /// its level and as a <see cref="LogEvent"/> (see <see cref="LogEventKind"/> for
        /// what each kind says). Null, the default: TOGETHER_LOG=error|warn|info|debug|trace
        /// in the environment writes one line per event to stderr; without it nothing is
        /// logged, at no cost.</summary>
        /// <remarks>
        /// <para>Threads: the Action runs on the thread where the event happened: the
        /// calling thread for blocking calls and the constructor, a library thread for
        /// <c>*Async</c> calls, the cancelling thread for a cancellation, and the thread
        /// that disposes (or the finalizer). It may run on several threads at once, so it
        /// must be thread-safe; and the call that logs waits for it, so keep it short. To
        /// use an engine's console that only works on its main thread (Unity's Debug.Log),
        /// pass <see cref="LogQueue.Add"/> and drain the queue once per frame.</para>
        /// <para>An exception it throws is dropped: it never reaches the library nor fails
        /// the call that logged. It may call the client: <see cref="TogetherVideoClient.GetStats"/>
        /// is cheap, a network call would hold up the call that logged, and a
        /// <see cref="TogetherVideoClient.Dispose"/> is carried out on a thread-pool thread
        /// (the library cannot free a client from its own log callback).</para>
        /// <para>No event reaches it once <see cref="TogetherVideoClient.Dispose"/> has
        /// returned, and none is running then. Until the client is disposed or finalized,
        /// the client keeps the Action (and what it refers to) alive. No event holds the
        /// API key or a URL's query string, at any level.</para>
        /// </remarks>
        public Action<LogLevel, LogEvent> Log { get; set; }

        /// <summary>The most detailed events <see cref="Log"/> receives, default
        /// <see cref="TogetherVideo.LogLevel.Info"/>; the library does not build the others
        /// at all. Used only with <see cref="Log"/>; a value outside
        /// <see cref="TogetherVideo.LogLevel.Error"/> to <see cref="TogetherVideo.LogLevel.Trace"/>
        /// is refused.</summary>
        public LogLevel LogLevel { get; set; } = LogLevel.Info;

        /// <summary>The native options, each value checked by the library; the log callback
        /// gets <paramref name="logSink"/> (a pinned <see cref="LogSink"/>) as its
        /// user_data when <see cref="Log"/> is set.</summary>
        internal ClientOptionsHandle ToNative(string paramName, IntPtr logSink)
        {
            var o = Native.tv_client_options_new();
            try
            {
                var set = new Setters(paramName);
                if (ApiKey != null) set.Check(Native.tv_client_options_set_api_key(o, set.Text(ApiKey, "API key")), "API key");
                if (BaseUrl != null) set.Check(Native.tv_client_options_set_base_url(o, set.Text(BaseUrl, "base URL")), "base URL");
                if (Timeout.HasValue) set.Number(Native.tv_client_options_set_timeout_ms(o, NativeCall.Milliseconds(Timeout.Value)), "timeout");
                if (ConnectTimeout.HasValue) set.Number(Native.tv_client_options_set_connect_timeout_ms(o, NativeCall.Milliseconds(ConnectTimeout.Value)), "connect timeout");
                if (MaxRetries.HasValue) set.Number(Native.tv_client_options_set_max_retries(o, MaxRetries.Value), "max retries");
                if (UserAgentSuffix != null) set.Check(Native.tv_client_options_set_user_agent_suffix(o, set.Text(UserAgentSuffix, "user agent")), "user agent");
                if (CaFile != null) set.Check(Native.tv_client_options_set_ca_file(o, set.Text(CaFile, "CA file")), "CA file");
                if (UseSystemRoots) set.Check(Native.tv_client_options_set_system_roots(o, 1), "system roots");
                if (Proxy != null) set.Check(Native.tv_client_options_set_proxy(o, set.Text(Proxy, "proxy")), "proxy");
                if (WorkerThreads.HasValue) set.Number(Native.tv_client_options_set_worker_threads(o, WorkerThreads.Value), "worker threads");
                if (MaxConcurrentRequests.HasValue)
                    set.Number(Native.tv_client_options_set_max_concurrent_requests(o, MaxConcurrentRequests.Value), "max concurrent requests");
                if (JournalPath != null) set.Check(Native.tv_client_options_set_journal(o, set.Text(JournalPath, "journal path")), "journal path");
                if (logSink != IntPtr.Zero)
                    set.Number(Native.tv_client_options_set_log_callback(o, (int)LogLevel, Callbacks.Log, logSink), "log level");
                return o;
            }
            catch
            {
                o.Dispose();
                throw;
            }
        }
    }
}
