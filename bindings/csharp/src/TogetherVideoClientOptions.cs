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
        /// <summary>The library threads that run asynchronous calls, default 4. A wait holds
        /// none of them between polls, so a thousand waits need no more threads than one.</summary>
        public int? WorkerThreads { get; set; }
        /// <summary>Caps how many HTTP requests of the client run at once, API calls and
        /// download transfers alike: 0 to 1024, default 0 (no cap). A request over the cap
        /// waits for a slot, and still notices its CancellationToken or timeout. (Whatever
        /// the cap, a 429 with a Retry-After hint pauses every API request of the client
        /// for that long.)</summary>
        public int? MaxConcurrentRequests { get; set; }


        /// <summary>The native options, each value checked by the library.</summary>
        internal ClientOptionsHandle ToNative(string paramName)
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
