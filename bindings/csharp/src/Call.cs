using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace TogetherVideo
{
    /// <summary>A call's TvCallOptions, built from its C# arguments: a timeout for the whole
    /// call and the progress callbacks of its CallbackState. The library checks the timeout
    /// and names the value given when it refuses one; nothing here restates its rules.</summary>
    internal static class CallOptions
    {
        /// <summary>New options holding <paramref name="timeout"/>, <paramref name="token"/>
        /// and the progress callbacks of <paramref name="state"/> (pinning it), or null when
        /// there is nothing to set (the call then passes NULL). On failure nothing stays
        /// pinned or allocated.</summary>
        public static CallOptionsHandle Create(TimeSpan? timeout, CallbackState state, CancelTokenHandle token)
        {
            bool waitProgress = state != null && state.VideoProgress != null;
            bool bytesProgress = state != null && state.BytesProgress != null;
            if (!timeout.HasValue && token == null && !waitProgress && !bytesProgress) return null;
            var options = Native.tv_call_options_new();
            try
            {
                if (timeout.HasValue) CreateVideoRequest.Check("timeout", Native.tv_call_options_set_timeout_ms(options, Milliseconds(timeout.Value)));
                if (token != null) CreateVideoRequest.Check("cancel token", Native.tv_call_options_set_cancel_token(options, token));
                if (waitProgress) CreateVideoRequest.Check("progress", Native.tv_call_options_set_wait_progress(options, Pending.WaitProgress, state.Pin()));
                if (bytesProgress) CreateVideoRequest.Check("progress", Native.tv_call_options_set_download_progress(options, Pending.DownloadProgress, state.Pin()));
                return options;
            }
            catch
            {
                options.Dispose();
                if (state != null) state.Unpin();
                throw;
            }
        }

        /// <summary>The handle to pass for options that may be null.</summary>
        public static CallOptionsHandle OrNone(CallOptionsHandle options)
        {
            return options ?? CallOptionsHandle.None;
        }

        /// <summary>A span in whole milliseconds, rounded away from zero so that neither a
        /// positive nor a negative fraction of a millisecond reads as 0 (no bound). The
        /// sign is kept: the library refuses a negative span naming the value given.</summary>
        public static long Milliseconds(TimeSpan span)
        {
            long ms = span.Ticks / TimeSpan.TicksPerMillisecond;
            long rest = span.Ticks % TimeSpan.TicksPerMillisecond;
            return rest > 0 ? ms + 1 : rest < 0 ? ms - 1 : ms;
        }
    }

    /// <summary>What a blocking call needs around it: its options, a native cancel token
    /// fired by its CancellationToken, and its callbacks' state pinned until it returns.</summary>
    internal sealed class BlockingCall : IDisposable
    {
        private static readonly Action<object> CancelToken = token => Native.tv_cancel_token_cancel((CancelTokenHandle)token);

        private readonly CallbackState state;
        private readonly CancellationToken cancellationToken;
        private readonly CancelTokenHandle token;
        private readonly CallOptionsHandle options;
        private CancellationTokenRegistration registration;

        /// <summary>Throws OperationCanceledException for a token already cancelled, and
        /// the library's message for a refused timeout; either way nothing stays pinned.</summary>
        public BlockingCall(TimeSpan? timeout, CallbackState state, CancellationToken cancellationToken)
        {
            this.state = state;
            this.cancellationToken = cancellationToken;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (cancellationToken.CanBeCanceled) token = Native.tv_cancel_token_new();
                options = CallOptions.Create(timeout, state, token);
                if (token != null) registration = cancellationToken.Register(CancelToken, token);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The options to pass (NULL when none were needed).</summary>
        public CallOptionsHandle Options { get { return CallOptions.OrNone(options); } }

        /// <summary>The exception for a failed call (frees <paramref name="error"/>): what a
        /// callback threw, OperationCanceledException when the CancellationToken stopped it,
        /// else the library's error. A callback's exception is rethrown here, its stack
        /// trace kept.</summary>
        public Exception Failure(int code, ErrorHandle error)
        {
            var failure = TogetherVideoException.From(code, error);
            if (state != null && state.Failure != null) ExceptionDispatchInfo.Capture(state.Failure).Throw();
            if (failure.Code == ResultCode.Cancelled && cancellationToken.IsCancellationRequested)
                return new OperationCanceledException(failure.Message, failure, cancellationToken);
            return failure;
        }

        public void Dispose()
        {
            registration.Dispose(); // waits for a cancel in progress: the token is still alive
            if (token != null) token.Dispose();
            if (options != null) options.Dispose();
            if (state != null) state.Unpin();
        }
    }
}
