using System;
using System.Text;

namespace TogetherVideo
{
    /// <summary>A client's counters since it was created, as
    /// <see cref="TogetherVideoClient.GetStats"/> read them: immutable. Counters read while
    /// calls run may be a few increments apart.</summary>
    public sealed class ClientStats
    {
        private readonly long[] errors;

        private ClientStats(long[] errors) { this.errors = errors; }

        /// <summary>HTTP requests started (API calls and download transfers), retries not counted.</summary>
        public long Requests { get; private set; }
        /// <summary>HTTP attempts: requests, their retries and download resumes.</summary>
        public long Attempts { get; private set; }
        /// <summary>Retries after HTTP 429.</summary>
        public long RetriesRateLimited { get; private set; }
        /// <summary>Retries after HTTP 408, 409 or 5xx.</summary>
        public long RetriesServer { get; private set; }
        /// <summary>Retries after a connection failed or broke, a download's resume included.</summary>
        public long RetriesConnection { get; private set; }
        /// <summary>Retries after an attempt timed out.</summary>
        public long RetriesTimeout { get; private set; }
        /// <summary>Responses with a 1xx status.</summary>
        public long Responses1xx { get; private set; }
        /// <summary>Responses with a 2xx status.</summary>
        public long Responses2xx { get; private set; }
        /// <summary>Responses with a 3xx status (redirects).</summary>
        public long Responses3xx { get; private set; }
        /// <summary>Responses with a 4xx status.</summary>
        public long Responses4xx { get; private set; }
        /// <summary>Responses with a 5xx status.</summary>
        public long Responses5xx { get; private set; }
        /// <summary>Bytes written to the connections the library opened, TLS included;
        /// traffic tunnelled through an HTTP proxy is not counted.</summary>
        public long BytesSent { get; private set; }
        /// <summary>Bytes read from the connections the library opened, TLS included;
        /// traffic tunnelled through an HTTP proxy is not counted.</summary>
        public long BytesReceived { get; private set; }
        /// <summary>Connections opened.</summary>
        public long ConnectionsOpened { get; private set; }
        /// <summary>Requests that went out on a connection kept from an earlier one.</summary>
        public long ConnectionsReused { get; private set; }
        /// <summary>HTTP requests running now.</summary>
        public long RequestsInFlight { get; private set; }

        /// <summary>How many calls ended with <paramref name="code"/>: a call cancelled by
        /// its CancellationToken or by <see cref="TogetherVideoClient.Dispose"/> counts as
        /// <see cref="ResultCode.Cancelled"/>, one past its timeout usually as
        /// <see cref="ResultCode.Timeout"/>, one whose argument the library refused (an
        /// unsafe id) as <see cref="ResultCode.InvalidArgument"/>. Calls the binding refused
        /// before reaching the library (a null or a NUL byte, a disposed client) are not
        /// counted.</summary>
        /// <param name="code">A result code; <see cref="ResultCode.Ok"/> and codes the
        /// library does not know give 0.</param>
        /// <returns>The number of calls.</returns>
        public long ErrorsFor(ResultCode code)
        {
            int index = (int)code;
            return index > 0 && index < errors.Length ? errors[index] : 0;
        }

        /// <summary>The counters on one line, e.g. "12 requests, 14 attempts, ...", and the
        /// errors by code that occurred.</summary>
        /// <returns>A short description for logs.</returns>
        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendFormat("{0} requests, {1} attempts, retries {2} rate limited/{3} server/{4} connection/{5} timeout, "
                + "responses {6} 1xx/{7} 2xx/{8} 3xx/{9} 4xx/{10} 5xx, {11} bytes sent, {12} received, "
                + "{13} connections opened, {14} reused, {15} in flight",
                Requests, Attempts, RetriesRateLimited, RetriesServer, RetriesConnection, RetriesTimeout,
                Responses1xx, Responses2xx, Responses3xx, Responses4xx, Responses5xx, BytesSent, BytesReceived,
                ConnectionsOpened, ConnectionsReused, RequestsInFlight);
            for (int code = 1; code < errors.Length; code++)
                if (errors[code] != 0) text.AppendFormat(", {0} {1}", errors[code], ((ResultCode)code).ToString());
            return text.ToString();
        }

        /// <summary>Copies the counters the library filled (those past what it filled stay 0).</summary>
        internal static ClientStats FromNative(ref TvClientStats native)
        {
            var errors = new long[TvClientStats.ErrorSlots];
            if (native.errors != null)
                for (int i = 0; i < errors.Length && i < native.errors.Length; i++) errors[i] = Count(native.errors[i]);
            return new ClientStats(errors)
            {
                Requests = Count(native.requests),
                Attempts = Count(native.attempts),
                RetriesRateLimited = Count(native.retries_rate_limited),
                RetriesServer = Count(native.retries_server),
                RetriesConnection = Count(native.retries_connection),
                RetriesTimeout = Count(native.retries_timeout),
                Responses1xx = Count(native.responses_1xx),
                Responses2xx = Count(native.responses_2xx),
                Responses3xx = Count(native.responses_3xx),
                Responses4xx = Count(native.responses_4xx),
                Responses5xx = Count(native.responses_5xx),
                BytesSent = Count(native.bytes_sent),
                BytesReceived = Count(native.bytes_received),
                ConnectionsOpened = Count(native.connections_opened),
                ConnectionsReused = Count(native.connections_reused),
                RequestsInFlight = Count(native.requests_in_flight),
            };
        }

        private static long Count(ulong value)
        {
            return (long)Math.Min(value, long.MaxValue);
        }
    }
}
