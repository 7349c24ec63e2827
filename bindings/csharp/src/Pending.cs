using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo
{
    /// <summary>Starts a native request: writes the request, or the error, on failure.</summary>
    internal delegate int Starter(ClientHandle client, out RequestHandle request, out ErrorHandle error);

    /// <summary>What an asynchronous call's callbacks need, pinned for native code while
    /// the call runs.</summary>
    internal sealed class CallbackState
    {
        private GCHandle pin;
        private byte[] buffer;

        public IProgress<Video> VideoProgress;
        public IProgress<long> BytesProgress;
        public Stream Destination;
        /// <summary>An exception a callback caught; the call fails with it.</summary>
        public Exception Failure;

        public IntPtr Pin()
        {
            if (!pin.IsAllocated) pin = GCHandle.Alloc(this);
            return GCHandle.ToIntPtr(pin);
        }

        public void Unpin()
        {
            if (pin.IsAllocated) pin.Free();
        }

        public void Write(IntPtr data, long length)
        {
            if (buffer == null) buffer = new byte[64 * 1024];
            for (long offset = 0; offset < length; offset += buffer.Length)
            {
                int count = (int)Math.Min(buffer.Length, length - offset);
                Marshal.Copy(new IntPtr(data.ToInt64() + offset), buffer, 0, count);
                Destination.Write(buffer, 0, count);
            }
        }
    }

    /// <summary>Turns native requests into Tasks through their completion callback.
    /// Callbacks are static (IL2CPP needs that) and never let an exception reach native code.</summary>
    internal static class Pending
    {
        // Kept in static fields, so the delegates native code holds are never collected.
        public static readonly RequestCallback Done = OnDone;
        public static readonly WaitProgressCallback WaitProgress = OnWaitProgress;
        public static readonly DownloadProgressCallback DownloadProgress = OnDownloadProgress;
        public static readonly WriteCallback Write = OnWrite;

        public static Task<Video> Start(CancellationToken cancellationToken, CallbackState state, Starter start, ClientHandle client)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                if (state != null) state.Unpin();
                return Task.FromCanceled<Video>(cancellationToken);
            }
            RequestHandle request = null;
            ErrorHandle error = null;
            int code;
            try
            {
                code = start(client, out request, out error);
            }
            catch
            {
                if (state != null) state.Unpin();
                throw;
            }
            if (code != Native.Ok)
            {
                request.Dispose();
                if (state != null) state.Unpin();
                throw TogetherVideoException.From(code, error);
            }
            error.Dispose();
            return new Operation(request, state, cancellationToken).Begin();
        }

        [MonoPInvokeCallback(typeof(RequestCallback))]
        private static void OnDone(IntPtr userData)
        {
            Operation operation = null;
            try
            {
                var pin = GCHandle.FromIntPtr(userData);
                operation = (Operation)pin.Target;
                pin.Free();
                operation.Complete();
            }
            catch (Exception e)
            {
                if (operation != null) operation.Fail(e);
            }
        }

        [MonoPInvokeCallback(typeof(WaitProgressCallback))]
        private static int OnWaitProgress(IntPtr userData, IntPtr video)
        {
            return Guard(userData, state => state.VideoProgress.Report(Video.FromNative(video)));
        }

        [MonoPInvokeCallback(typeof(DownloadProgressCallback))]
        private static int OnDownloadProgress(IntPtr userData, ulong received, long total)
        {
            return Guard(userData, state => state.BytesProgress.Report((long)received));
        }

        [MonoPInvokeCallback(typeof(WriteCallback))]
        private static int OnWrite(IntPtr userData, IntPtr data, UIntPtr length)
        {
            return Guard(userData, state => state.Write(data, (long)length.ToUInt64()));
        }

        /// <summary>Runs a callback's work for its call: 0 to go on, or 1 to stop with the
        /// exception it threw kept for the Task (none may reach native code).</summary>
        private static int Guard(IntPtr userData, Action<CallbackState> work)
        {
            var state = (CallbackState)GCHandle.FromIntPtr(userData).Target;
            try
            {
                work(state);
                return 0;
            }
            catch (Exception e)
            {
                state.Failure = e;
                return 1;
            }
        }

        /// <summary>One native request awaited by a Task.</summary>
        private sealed class Operation
        {
            private readonly TaskCompletionSource<Video> completion =
                new TaskCompletionSource<Video>(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly RequestHandle request;
            private readonly CallbackState state;
            private readonly CancellationToken cancellationToken;
            private CancellationTokenRegistration registration;

            public Operation(RequestHandle request, CallbackState state, CancellationToken cancellationToken)
            {
                this.request = request;
                this.state = state;
                this.cancellationToken = cancellationToken;
            }

            public Task<Video> Begin()
            {
                var self = GCHandle.Alloc(this);
                if (cancellationToken.CanBeCanceled)
                {
                    registration = cancellationToken.Register(Cancel);
                }
                // Runs Complete at once when the request is already done.
                Native.tv_request_on_complete(request, Done, GCHandle.ToIntPtr(self));
                return completion.Task;
            }

            private void Cancel()
            {
                try
                {
                    Native.tv_request_cancel(request);
                }
                catch (ObjectDisposedException)
                {
                    // Completed and freed meanwhile: nothing left to cancel.
                }
            }

            /// <summary>Runs on the thread that finished the request.</summary>
            public void Complete()
            {
                VideoHandle video;
                ErrorHandle error;
                int code = Native.tv_request_result(request, out video, out error);
                if (state != null) state.Unpin();
                if (code == Native.Ok)
                {
                    error.Dispose();
                    completion.TrySetResult(video.IsInvalid ? null : Video.Take(video));
                    video.Dispose();
                }
                else
                {
                    video.Dispose();
                    var failure = TogetherVideoException.From(code, error);
                    if (state != null && state.Failure != null) completion.TrySetException(state.Failure);
                    else if (failure.Code == ResultCode.Cancelled && cancellationToken.IsCancellationRequested) completion.TrySetCanceled(cancellationToken);
                    else completion.TrySetException(failure);
                }
                // A request must not be freed inside its own callback: leave that to the pool.
                ThreadPool.QueueUserWorkItem(Release);
            }

            public void Fail(Exception e)
            {
                completion.TrySetException(e);
                ThreadPool.QueueUserWorkItem(Release);
            }

            private void Release(object unused)
            {
                registration.Dispose();
                request.Dispose();
            }
        }
    }
}
