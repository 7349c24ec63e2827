using System;

namespace TogetherVideo
{
    /// <summary>The result codes of the native library (TvResult); the numbers never change.</summary>
    public enum ResultCode
    {
        Ok = 0,
        InvalidArgument = 1,
        BadRequest = 2,
        Authentication = 3,
        PermissionDenied = 4,
        NotFound = 5,
        Conflict = 6,
        Unprocessable = 7,
        RateLimited = 8,
        Server = 9,
        Http = 10,
        Timeout = 11,
        Connection = 12,
        Decode = 13,
        Cancelled = 14,
        Internal = 15,
        /// <summary>A download's destination cannot be created, written or replaced, or
        /// exists and is not a regular file (a TogetherVideoException with this code).</summary>
        FileSystem = 16,
    }

    /// <summary>A failed call. The message never contains the API key.</summary>
    public class TogetherVideoException : Exception
    {
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

        /// <summary>Reads a native error into an exception and frees it.</summary>
        internal static TogetherVideoException From(int code, ErrorHandle error)
        {
            using (error)
            {
                if (error == null || error.IsInvalid)
                {
                    return Create((ResultCode)code, Utf8.FromNative(Native.tv_result_name(code)), 0, null);
                }
                return Create(
                    (ResultCode)Native.tv_error_code(error),
                    Utf8.FromNative(Native.tv_error_message(error)),
                    Native.tv_error_http_status(error),
                    Utf8.FromNative(Native.tv_error_request_id(error)));
            }
        }
    }

    /// <summary>HTTP 404: no such job.</summary>
    public class NotFoundException : TogetherVideoException
    {
        public NotFoundException(string message, int httpStatus, string requestId)
            : base(ResultCode.NotFound, message, httpStatus, requestId) { }
    }

    /// <summary>HTTP 401, or no API key.</summary>
    public class AuthenticationException : TogetherVideoException
    {
        public AuthenticationException(string message, int httpStatus, string requestId)
            : base(ResultCode.Authentication, message, httpStatus, requestId) { }
    }

    /// <summary>HTTP 429 once the retries are spent.</summary>
    public class RateLimitException : TogetherVideoException
    {
        public RateLimitException(string message, int httpStatus, string requestId)
            : base(ResultCode.RateLimited, message, httpStatus, requestId) { }
    }

    /// <summary>A timeout or deadline passed.</summary>
    public class RequestTimeoutException : TogetherVideoException
    {
        public RequestTimeoutException(string message, int httpStatus, string requestId)
            : base(ResultCode.Timeout, message, httpStatus, requestId) { }
    }

    /// <summary>The call was cancelled by the library (the client was disposed). A
    /// CancellationToken that fires gives OperationCanceledException instead.</summary>
    public class RequestCancelledException : TogetherVideoException
    {
        public RequestCancelledException(string message, int httpStatus, string requestId)
            : base(ResultCode.Cancelled, message, httpStatus, requestId) { }
    }
}
