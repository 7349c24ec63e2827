using System;

namespace TogetherVideo
{
    /// <summary>The result codes of the native library (TvResult in together_video.h); the
    /// numbers never change. <see cref="TogetherVideoException.Code"/> holds one.</summary>
    public enum ResultCode
    {
        /// <summary>Success; never the code of an exception.</summary>
        Ok = 0,
        /// <summary>The library refused an argument before sending anything. The binding
        /// reports it as an <see cref="ArgumentException"/> (or
        /// <see cref="ArgumentOutOfRangeException"/>), never as a
        /// <see cref="TogetherVideoException"/>.</summary>
        InvalidArgument = 1,
        /// <summary>HTTP 400: the server refused the request.</summary>
        BadRequest = 2,
        /// <summary>HTTP 401, or no API key (<see cref="AuthenticationException"/>).</summary>
        Authentication = 3,
        /// <summary>HTTP 403: the key may not do this.</summary>
        PermissionDenied = 4,
        /// <summary>HTTP 404: no such job or file (<see cref="NotFoundException"/>).</summary>
        NotFound = 5,
        /// <summary>HTTP 409.</summary>
        Conflict = 6,
        /// <summary>HTTP 422: the server refused the request's content.</summary>
        Unprocessable = 7,
        /// <summary>HTTP 429 once the retries are spent (<see cref="RateLimitException"/>).</summary>
        RateLimited = 8,
        /// <summary>HTTP 5xx once the retries are spent.</summary>
        Server = 9,
        /// <summary>Another HTTP status the library does not expect.</summary>
        Http = 10,
        /// <summary>A timeout or deadline passed (<see cref="RequestTimeoutException"/>).</summary>
        Timeout = 11,
        /// <summary>Connecting failed, or the connection broke: DNS, TCP, TLS, proxy.</summary>
        Connection = 12,
        /// <summary>The response was not what the API sends (not JSON, or a web page where a
        /// video was expected).</summary>
        Decode = 13,
        /// <summary>The library cancelled the call (<see cref="RequestCancelledException"/>).</summary>
        Cancelled = 14,
        /// <summary>A bug in the library; please report it.</summary>
        Internal = 15,
        /// <summary>A download's destination cannot be created, written or replaced, or
        /// exists and is not a regular file.</summary>
        FileSystem = 16,
    }

    /// <summary>A call that failed in the library or on the server. The message never
    /// contains the API key. Subclasses stand for the failures worth catching apart.</summary>
    public class TogetherVideoException : Exception
    {
        /// <summary>An exception with everything the library tells of a failure.</summary>
        /// <param name="code">What kind of failure this is.</param>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status of the response, 0 when there was none.</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public TogetherVideoException(ResultCode code, string message, int httpStatus, string requestId)
            : base(message)
        {
            Code = code;
            HttpStatus = httpStatus;
            RequestId = requestId;
        }

        /// <summary>What kind of failure this is.</summary>
        public ResultCode Code { get; private set; }

        /// <summary>The HTTP status of the response, 0 when there was none.</summary>
        public int HttpStatus { get; private set; }

        /// <summary>The response's x-request-id for Together's support, or null.</summary>
        public string RequestId { get; private set; }

        internal static TogetherVideoException Create(ResultCode code, string message, int httpStatus, string requestId)
        {
            switch (code)
            {
                case ResultCode.NotFound: return new NotFoundException(message, httpStatus, requestId);
                case ResultCode.Authentication: return new AuthenticationException(message, httpStatus, requestId);
                case ResultCode.RateLimited: return new RateLimitException(message, httpStatus, requestId);
                case ResultCode.Timeout: return new RequestTimeoutException(message, httpStatus, requestId);
                case ResultCode.Cancelled: return new RequestCancelledException(message, httpStatus, requestId);
                default: return new TogetherVideoException(code, message, httpStatus, requestId);
            }
        }
    }

    /// <summary>HTTP 404: no such job (or no such file, for a download).</summary>
    public class NotFoundException : TogetherVideoException
    {
        /// <summary>A 404 with the server's message.</summary>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status (404).</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public NotFoundException(string message, int httpStatus, string requestId)
            : base(ResultCode.NotFound, message, httpStatus, requestId) { }
    }

    /// <summary>HTTP 401 (a wrong API key), or no API key at all.</summary>
    public class AuthenticationException : TogetherVideoException
    {
        /// <summary>An authentication failure with its message.</summary>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status (401), 0 when no key was given.</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public AuthenticationException(string message, int httpStatus, string requestId)
            : base(ResultCode.Authentication, message, httpStatus, requestId) { }
    }

    /// <summary>HTTP 429 once the retries are spent.</summary>
    public class RateLimitException : TogetherVideoException
    {
        /// <summary>A 429 with the server's message.</summary>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status (429).</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public RateLimitException(string message, int httpStatus, string requestId)
            : base(ResultCode.RateLimited, message, httpStatus, requestId) { }
    }

    /// <summary>A timeout passed: the client's per-attempt timeout, or a call's own timeout
    /// (which bounds the whole call).</summary>
    public class RequestTimeoutException : TogetherVideoException
    {
        /// <summary>A timeout with the library's message.</summary>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status, 0 when there was no response.</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public RequestTimeoutException(string message, int httpStatus, string requestId)
            : base(ResultCode.Timeout, message, httpStatus, requestId) { }
    }

    /// <summary>The library cancelled the call: the client was disposed while the call
    /// ran. A <see cref="System.Threading.CancellationToken"/> that fires gives
    /// <see cref="OperationCanceledException"/> instead.</summary>
    public class RequestCancelledException : TogetherVideoException
    {
        /// <summary>A cancellation with the library's message.</summary>
        /// <param name="message">What happened.</param>
        /// <param name="httpStatus">The HTTP status, 0 when there was no response.</param>
        /// <param name="requestId">The response's x-request-id, or null.</param>
        public RequestCancelledException(string message, int httpStatus, string requestId)
            : base(ResultCode.Cancelled, message, httpStatus, requestId) { }
    }

    /// <summary>Turns the library's failures into exceptions: TV_RESULT_INVALID_ARGUMENT
    /// into the ArgumentException family, naming the caller's parameter; every other code
    /// into a TogetherVideoException.</summary>
    internal static class Errors
    {
        /// <summary>Reads a native error (freeing it; zero: none) into an exception. An
        /// invalid argument becomes an ArgumentException for <paramref name="paramName"/>.</summary>
        public static Exception From(int code, IntPtr error, string paramName)
        {
            return From(code, error == IntPtr.Zero ? null : new ErrorHandle(error), paramName);
        }

        /// <summary>As above, for a TvError the call returned as a handle.</summary>
        public static Exception From(int code, ErrorHandle error, string paramName)
        {
            string message;
            int httpStatus = 0;
            string requestId = null;
            using (error)
            {
                if (error == null || error.IsInvalid)
                {
                    message = Utf8.FromNative(Native.tv_result_name(code));
                }
                else
                {
                    code = Native.tv_error_code(error);
                    message = Utf8.FromNative(Native.tv_error_message(error));
                    httpStatus = Native.tv_error_http_status(error);
                    requestId = Utf8.FromNative(Native.tv_error_request_id(error));
                }
            }
            if (code == (int)ResultCode.InvalidArgument) return new ArgumentException(message, paramName);
            return TogetherVideoException.Create((ResultCode)code, message, httpStatus, requestId);
        }

        /// <summary>The exception for a call that reports its failure only through the
        /// thread's last error (no TvError), read at once on the same thread: an
        /// ArgumentException for <paramref name="paramName"/> for an invalid argument, else
        /// a TogetherVideoException.</summary>
        public static Exception FromLastError(int code, string paramName)
        {
            var message = Utf8.FromNative(Native.tv_last_error_message()) ?? Utf8.FromNative(Native.tv_result_name(code));
            if (code == (int)ResultCode.InvalidArgument) return new ArgumentException(message, paramName);
            return TogetherVideoException.Create((ResultCode)code, message, 0, null);
        }

        /// <summary>Checks what a setter returned. Its failure explains itself only through
        /// the thread's last error, read at once on the same thread. The library's message
        /// is passed on as it is (it names the setting and the value given: "max retries
        /// must be from 0 to 10, not -1"), prefixed with <paramref name="setting"/> only when
        /// it does not start with that name already. A refused number is an
        /// ArgumentOutOfRangeException, anything else refused an ArgumentException, both for
        /// <paramref name="paramName"/>.</summary>
        public static void CheckSetter(int code, string paramName, string setting, bool number)
        {
            if (code == Native.Ok) return;
            var detail = Utf8.FromNative(Native.tv_last_error_message()) ?? Utf8.FromNative(Native.tv_result_name(code));
            var message = detail.StartsWith(setting, StringComparison.OrdinalIgnoreCase) ? detail : setting + ": " + detail;
            if (code != (int)ResultCode.InvalidArgument) throw TogetherVideoException.Create((ResultCode)code, message, 0, null);
            if (number) throw new ArgumentOutOfRangeException(paramName, message);
            throw new ArgumentException(message, paramName);
        }
    }

    /// <summary>The checks of one options object's setters, for the parameter that passed it.</summary>
    internal struct Setters
    {
        private readonly string paramName;

        public Setters(string paramName) { this.paramName = paramName; }

        /// <summary>A text setting as native text (ArgumentException for a NUL byte).</summary>
        public byte[] Text(string value, string setting) { return Utf8.ToNative(value, setting, paramName); }

        /// <summary>Checks a setter of text or a flag (ArgumentException).</summary>
        public void Check(int code, string setting) { Errors.CheckSetter(code, paramName, setting, false); }

        /// <summary>Checks a setter of a number or a span (ArgumentOutOfRangeException).</summary>
        public void Number(int code, string setting) { Errors.CheckSetter(code, paramName, setting, true); }
    }
}
