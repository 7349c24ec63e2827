// The client's events (TogetherVideoClientOptions.Log): the levels and kinds of
// together_video.h, an immutable copy of each event, and the sink the native log callback
// reaches through its user_data.
using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace TogetherVideo
{
    /// <summary>How much the library says (TvLogLevel in together_video.h; the numbers
    /// never change). Each level includes the ones before it.</summary>
    public enum LogLevel
    {
        /// <summary>Failures only.</summary>
        Error = 1,
        /// <summary>Adds retries, download resumes and HTTP attempts that failed or got a
        /// 4xx or 5xx.</summary>
        Warn = 2,
        /// <summary>Adds every HTTP attempt, downloads started and finished, cancellations,
        /// and the client's creation and release. The default.</summary>
        Info = 3,
        /// <summary>Adds redirects and the polls of waits.</summary>
        Debug = 4,
        /// <summary>Adds request and response headers and bodies (each capped at 4 KiB,
        /// redacted).</summary>
        Trace = 5,
    }

    /// <summary>What an event reports (TvLogEventKind in together_video.h; the numbers
    /// never change). A newer library may send kinds this version does not know: they
    /// arrive as their number, with a <see cref="LogEvent.Message"/> that describes them.</summary>
    public enum LogEventKind
    {
        /// <summary>A client was created (info): <see cref="LogEvent.Url"/> is its base URL.</summary>
        ClientCreated = 1,
        /// <summary>A client is being freed (info): by <see cref="TogetherVideoClient.Dispose"/>,
        /// or by the finalizer of a client that was not disposed.</summary>
        ClientFreed = 2,
        /// <summary>One HTTP attempt ended (info; warn for a failure or a 4xx or 5xx):
        /// <see cref="LogEvent.Method"/>, <see cref="LogEvent.Url"/>,
        /// <see cref="LogEvent.Attempt"/>, <see cref="LogEvent.Status"/> (0 when no response
        /// came), <see cref="LogEvent.Duration"/>, <see cref="LogEvent.RequestId"/>,
        /// <see cref="LogEvent.Bytes"/> received, and <see cref="LogEvent.Result"/> and
        /// <see cref="LogEvent.Reason"/> when it failed.</summary>
        HttpAttempt = 3,
        /// <summary>A request will be tried again (warn): <see cref="LogEvent.Reason"/>,
        /// <see cref="LogEvent.Delay"/>, <see cref="LogEvent.DelayFromServer"/>,
        /// <see cref="LogEvent.Attempt"/> (the one that failed), <see cref="LogEvent.Status"/>,
        /// <see cref="LogEvent.Result"/>.</summary>
        Retry = 4,
        /// <summary>A redirect was followed (debug): <see cref="LogEvent.Status"/>, and the
        /// target's origin only in <see cref="LogEvent.Url"/>.</summary>
        Redirect = 5,
        /// <summary>A wait polled its job (debug): <see cref="LogEvent.JobId"/>,
        /// <see cref="LogEvent.JobStatus"/>, and <see cref="LogEvent.Delay"/> until the next
        /// poll (zero when the job is done).</summary>
        Poll = 6,
        /// <summary>A download's first response arrived (info): <see cref="LogEvent.Url"/>,
        /// <see cref="LogEvent.Total"/>.</summary>
        DownloadStarted = 7,
        /// <summary>A download resumes where it stopped (warn): <see cref="LogEvent.Offset"/>,
        /// <see cref="LogEvent.Total"/>.</summary>
        DownloadResumed = 8,
        /// <summary>A download finished (info): <see cref="LogEvent.Bytes"/>,
        /// <see cref="LogEvent.Duration"/>, and the <see cref="LogEvent.Attempt"/>s it took.</summary>
        DownloadFinished = 9,
        /// <summary>A call was cancelled (info): <see cref="LogEvent.Reason"/> names the operation.</summary>
        Cancelled = 10,
        /// <summary>Request or response headers, or a body (trace): <see cref="LogEvent.Detail"/>,
        /// capped at 4 KiB.</summary>
        HttpTrace = 11,
    }

    /// <summary>One event of a client, copied out of the library while its log callback
    /// ran: immutable, and safe to keep and to pass to another thread. Text that does not
    /// apply to the event's <see cref="Kind"/> is null, numbers are 0. No property ever
    /// holds the API key (nor any 8 characters of it) or a URL's query string (a signed
    /// video URL's query becomes "?&lt;redacted&gt;"), at any level.</summary>
    public sealed class LogEvent
    {
        private LogEvent() { }

        /// <summary>How much this event says: the level it was logged at.</summary>
        public LogLevel Level { get; private set; }
        /// <summary>What it reports.</summary>
        public LogEventKind Kind { get; private set; }
        /// <summary>The whole event as one line of text. Never null.</summary>
        public string Message { get; private set; }
        /// <summary>The HTTP method, e.g. "GET".</summary>
        public string Method { get; private set; }
        /// <summary>Scheme, host, port and path; a query is replaced by "?&lt;redacted&gt;".</summary>
        public string Url { get; private set; }
        /// <summary>1 for a request's first attempt.</summary>
        public int Attempt { get; private set; }
        /// <summary>The response's HTTP status; 0 when there was none.</summary>
        public int Status { get; private set; }
        /// <summary>How long the attempt or the download took.</summary>
        public TimeSpan Duration { get; private set; }
        /// <summary>The response's x-request-id.</summary>
        public string RequestId { get; private set; }
        /// <summary>Body bytes received, or a finished download's size.</summary>
        public long Bytes { get; private set; }
        /// <summary>Why: a retry's cause, a failure's message, the operation cancelled.</summary>
        public string Reason { get; private set; }
        /// <summary>The wait before a retry, or until a wait's next poll.</summary>
        public TimeSpan Delay { get; private set; }
        /// <summary>True when the server chose <see cref="Delay"/> (retry-after-ms, Retry-After).</summary>
        public bool DelayFromServer { get; private set; }
        /// <summary>The polled job's id.</summary>
        public string JobId { get; private set; }
        /// <summary>The polled job's status, as the server sent it.</summary>
        public string JobStatus { get; private set; }
        /// <summary>Where a download resumes, in bytes.</summary>
        public long Offset { get; private set; }
        /// <summary>A download's size in bytes, or null when unknown.</summary>
        public long? Total { get; private set; }
        /// <summary>The error an attempt or a call ended with; <see cref="ResultCode.Ok"/> when none.</summary>
        public ResultCode Result { get; private set; }
        /// <summary>Trace: the header block or body.</summary>
        public string Detail { get; private set; }

        /// <summary>The event as one line, as TOGETHER_LOG writes it to stderr:
        /// "together-video warn retry: ..." (level, kind, <see cref="Message"/>).</summary>
        /// <returns>The line, without a line break.</returns>
        public override string ToString()
        {
            return "together-video " + LevelName(Level) + " " + KindName(Kind) + ": " + Message;
        }

        /// <summary>The level's name in TOGETHER_LOG's lines: "error" to "trace".</summary>
        internal static string LevelName(LogLevel level)
        {
            switch (level)
            {
                case LogLevel.Error: return "error";
                case LogLevel.Warn: return "warn";
                case LogLevel.Info: return "info";
                case LogLevel.Debug: return "debug";
                case LogLevel.Trace: return "trace";
                default: return "level_" + (int)level;
            }
        }

        /// <summary>The kind's name in TOGETHER_LOG's lines, e.g. "http_attempt"; a kind
        /// this version does not know is "kind_N".</summary>
        internal static string KindName(LogEventKind kind)
        {
            switch (kind)
            {
                case LogEventKind.ClientCreated: return "client_created";
                case LogEventKind.ClientFreed: return "client_freed";
                case LogEventKind.HttpAttempt: return "http_attempt";
                case LogEventKind.Retry: return "retry";
                case LogEventKind.Redirect: return "redirect";
                case LogEventKind.Poll: return "poll";
                case LogEventKind.DownloadStarted: return "download_started";
                case LogEventKind.DownloadResumed: return "download_resumed";
                case LogEventKind.DownloadFinished: return "download_finished";
                case LogEventKind.Cancelled: return "cancelled";
                case LogEventKind.HttpTrace: return "http_trace";
                default: return "kind_" + (int)kind;
            }
        }

        private static readonly int FullSize = Marshal.SizeOf(typeof(TvLogEvent));
        private static readonly int TotalEnd = End("total", 8);

        private static int End(string field, int size)
        {
            return Marshal.OffsetOf(typeof(TvLogEvent), field).ToInt32() + size;
        }

        /// <summary>Copies a native event. A library built before a field was added sends
        /// a shorter struct (its <c>size</c> says so): the fields it does not cover read as
        /// absent, never as the bytes that follow it.</summary>
        internal static LogEvent FromNative(IntPtr pointer)
        {
            int size = Marshal.ReadInt32(pointer);
            TvLogEvent native;
            if (size >= FullSize)
            {
                native = (TvLogEvent)Marshal.PtrToStructure(pointer, typeof(TvLogEvent));
            }
            else
            {
                var bytes = new byte[FullSize];
                Marshal.Copy(pointer, bytes, 0, Math.Max(size, 4));
                var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
                try
                {
                    native = (TvLogEvent)Marshal.PtrToStructure(pin.AddrOfPinnedObject(), typeof(TvLogEvent));
                }
                finally
                {
                    pin.Free();
                }
                if (size < TotalEnd) native.total = -1;
            }
            return new LogEvent
            {
                Level = (LogLevel)native.level,
                Kind = (LogEventKind)native.kind,
                Message = Utf8.FromNative(native.message) ?? "",
                Method = Utf8.FromNative(native.method),
                Url = Utf8.FromNative(native.url),
                Attempt = (int)Math.Min(native.attempt, int.MaxValue),
                Status = native.status,
                Duration = Span(native.duration_us, 10),
                RequestId = Utf8.FromNative(native.request_id),
                Bytes = (long)Math.Min(native.bytes, long.MaxValue),
                Reason = Utf8.FromNative(native.reason),
                Delay = Span(native.delay_ms, TimeSpan.TicksPerMillisecond),
                DelayFromServer = native.delay_from_server != 0,
                JobId = Utf8.FromNative(native.job_id),
                JobStatus = Utf8.FromNative(native.job_status),
                Offset = (long)Math.Min(native.offset, long.MaxValue),
                Total = native.total < 0 ? (long?)null : native.total,
                Result = (ResultCode)native.result,
                Detail = Utf8.FromNative(native.detail),
            };
        }

        /// <summary><paramref name="count"/> units of <paramref name="ticksPerUnit"/>
        /// ticks, or the longest span for a count past it.</summary>
        private static TimeSpan Span(ulong count, long ticksPerUnit)
        {
            return count > (ulong)(TimeSpan.MaxValue.Ticks / ticksPerUnit) ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)count * ticksPerUnit);
        }
    }

    /// <summary>What the native log callback reaches through its user_data: the caller's
    /// Action, and whether the client has been disposed. Pinned by a GCHandle from before
    /// the client is created until after tv_client_free has returned (ClientHandle).</summary>
    internal sealed class LogSink
    {
        // How many log callbacks of any client this thread is inside: a Dispose there is
        // handed to the thread pool, since the library forbids tv_client_free on a client
        // from its own log callback, and Close would wait for the callback it is in.
        [ThreadStatic] private static int depth;

        private readonly Action<LogLevel, LogEvent> action;
        private int closed;
        private int running;

        public LogSink(Action<LogLevel, LogEvent> action) { this.action = action; }

        /// <summary>True on a thread that is running a log Action.</summary>
        public static bool InsideCallback { get { return depth > 0; } }

        /// <summary>Copies the event and gives it to the Action, unless the client is
        /// disposed. Whatever the Action throws is dropped: nothing may reach native code,
        /// and a logger's failure must not fail the call that logged.</summary>
        public void Deliver(IntPtr logEvent)
        {
            // A full fence, then the check: Close sets the flag, then counts (see Close).
            Interlocked.Increment(ref running);
            depth++;
            try
            {
                if (Volatile.Read(ref closed) != 0) return;
                var copy = LogEvent.FromNative(logEvent);
                action(copy.Level, copy);
            }
            catch (Exception)
            {
                // Dropped, as documented on TogetherVideoClientOptions.Log.
            }
            finally
            {
                depth--;
                Interlocked.Decrement(ref running);
            }
        }

        /// <summary>No Action starts from now on, and none is running once this returns.
        /// Must not run inside a log callback (it would wait for itself).</summary>
        public void Close()
        {
            Interlocked.Exchange(ref closed, 1);
            var spin = new SpinWait();
            while (Volatile.Read(ref running) != 0) spin.SpinOnce();
        }
    }
}
