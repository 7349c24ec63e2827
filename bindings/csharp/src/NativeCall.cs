using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo
{
    /// <summary>One call into the library, blocking or not: what its native callbacks reach
    /// through their user_data (its progress sinks, its destination stream, the exception
    /// one of them threw), kept in the CallTable while the library may call back. The
    /// library checks every timeout and names the value given when it refuses one; nothing
    /// here restates its rules.</summary>
    internal abstract class NativeCall
    {
        private readonly IProgress<Video> videoProgress;
        private readonly IProgress<DownloadProgress> bytesProgress;
        private readonly Stream destination;
        // Its number in the CallTable while registered there; zero when not.
        private IntPtr registered;
        private byte[] buffer;
        private long received;
        private Exception callbackFailure;

        protected NativeCall(IProgress<Video> videoProgress, IProgress<DownloadProgress> bytesProgress, Stream destination)
        {
            this.videoProgress = videoProgress;
            this.bytesProgress = bytesProgress;
            this.destination = destination;
        }

        /// <summary>The bytes a download has received so far (its size once done).</summary>
        protected long Received { get { return Interlocked.Read(ref received); } }

        /// <summary>What a callback threw: the call fails with it.</summary>
        protected Exception CallbackFailure { get { return Volatile.Read(ref callbackFailure); } }

        /// <summary>The user_data of every callback of this call: registers it in the
        /// CallTable until Unregister.</summary>
        internal IntPtr UserData
        {
            get
            {
                if (registered == IntPtr.Zero) registered = CallTable.Add(this);
                return registered;
            }
        }

        /// <summary>Lets go of the call once no callback of it can run any more.</summary>
        protected void Unregister()
        {
            if (registered == IntPtr.Zero) return;
            CallTable.Remove(registered);
            registered = IntPtr.Zero;
        }

        /// <summary>New TvCallOptions holding <paramref name="timeout"/>,
        /// <paramref name="token"/>, <paramref name="eventTag"/> and this call's progress
        /// callbacks, or null when there is nothing to set (the call then passes NULL).
        /// <paramref name="trackBytes"/> sets the download progress callback even without a
        /// progress sink, to learn the size. A refused timeout is an
        /// ArgumentOutOfRangeException for <paramref name="timeoutParam"/>; on failure
        /// nothing stays allocated (the caller unregisters).</summary>
        protected CallOptionsHandle CreateOptions(TimeSpan? timeout, string timeoutParam, CancelTokenHandle token, bool trackBytes,
            long? eventTag)
        {
            bool waitProgress = videoProgress != null;
            bool downloadProgress = bytesProgress != null || trackBytes;
            if (!timeout.HasValue && token == null && !waitProgress && !downloadProgress && !eventTag.HasValue) return null;
            var options = Native.tv_call_options_new();
            try
            {
                if (timeout.HasValue)
                    Errors.CheckSetter(Native.tv_call_options_set_timeout_ms(options, Milliseconds(timeout.Value)), timeoutParam, "timeout", true);
                if (token != null)
                    Errors.CheckSetter(Native.tv_call_options_set_cancel_token(options, token), "cancellationToken", "cancel token", false);
                if (waitProgress)
                    Errors.CheckSetter(Native.tv_call_options_set_wait_progress(options, Callbacks.WaitProgress, UserData), "progress", "progress", false);
                if (downloadProgress)
                    Errors.CheckSetter(Native.tv_call_options_set_download_progress(options, Callbacks.DownloadProgress, UserData), "progress", "progress", false);
                // The caller's number, its bits kept: a negative tag comes back as itself.
                if (eventTag.HasValue)
                    Errors.CheckSetter(Native.tv_call_options_set_event_tag(options, unchecked((ulong)eventTag.Value)), timeoutParam, "event tag", false);
                return options;
            }
            catch
            {
                options.Dispose();
                throw;
            }
        }

        /// <summary>A span in whole milliseconds, rounded away from zero so that neither a
        /// positive nor a negative fraction of a millisecond reads as 0 (no bound). The
        /// sign is kept: the library refuses a negative span naming the value given.</summary>
        internal static long Milliseconds(TimeSpan span)
        {
            long ms = span.Ticks / TimeSpan.TicksPerMillisecond;
            long rest = span.Ticks % TimeSpan.TicksPerMillisecond;
            return rest > 0 ? ms + 1 : rest < 0 ? ms - 1 : ms;
        }

        // The callbacks' work: 0 to go on, or 1 to stop the call with the exception thrown,
        // kept for the call (none may reach native code).

        internal int OnWaitProgress(IntPtr video)
        {
            try
            {
                videoProgress.Report(Video.FromNative(video));
                return 0;
            }
            catch (Exception e)
            {
                return Stop(e);
            }
        }

        internal int OnDownloadProgress(ulong receivedSoFar, long total)
        {
            Interlocked.Exchange(ref received, (long)receivedSoFar);
            if (bytesProgress == null) return 0;
            try
            {
                bytesProgress.Report(new DownloadProgress((long)receivedSoFar, total < 0 ? (long?)null : total));
                return 0;
            }
            catch (Exception e)
            {
                return Stop(e);
            }
        }

        internal int OnWrite(IntPtr data, UIntPtr length)
        {
            try
            {
                if (buffer == null) buffer = new byte[64 * 1024];
                long size = (long)length.ToUInt64();
                for (long offset = 0; offset < size; offset += buffer.Length)
                {
                    int count = (int)Math.Min(buffer.Length, size - offset);
                    Marshal.Copy(new IntPtr(data.ToInt64() + offset), buffer, 0, count);
                    destination.Write(buffer, 0, count);
                }
                return 0;
            }
            catch (Exception e)
            {
                return Stop(e);
            }
        }

        /// <summary>Runs when an asynchronous call's request is done.</summary>
        internal virtual void OnCompleted() { }

        private int Stop(Exception e)
        {
            Interlocked.CompareExchange(ref callbackFailure, e, null);
            return 1;
        }
    }

    /// <summary>The native callbacks: static, as Unity's IL2CPP needs, each delegate kept in
    /// a static field so that the one native code holds is never collected, and each
    /// passing its work to the call its user_data names in the CallTable.</summary>
    internal static class Callbacks
    {
        public static readonly RequestCallback Completed = OnCompleted;
        // Given to tv_request_on_complete once per asynchronous call: as a pointer made once,
        // not a delegate marshalled (looked up in the runtime's table) on every call.
        public static readonly IntPtr CompletedPointer = Marshal.GetFunctionPointerForDelegate(Completed);
        public static readonly WaitProgressCallback WaitProgress = OnWaitProgress;
        public static readonly DownloadProgressCallback DownloadProgress = OnDownloadProgress;
        public static readonly WriteCallback Write = OnWrite;
        public static readonly LogCallback Log = OnLog;

        private static NativeCall Of(IntPtr userData)
        {
            return CallTable.Get(userData);
        }

        [MonoPInvokeCallback(typeof(RequestCallback))]
        private static void OnCompleted(IntPtr userData)
        {
            try
            {
                Of(userData).OnCompleted();
            }
            catch (Exception)
            {
                // OnCompleted catches what it can itself; nothing may reach native code.
            }
        }

        [MonoPInvokeCallback(typeof(WaitProgressCallback))]
        private static int OnWaitProgress(IntPtr userData, IntPtr video)
        {
            return Of(userData).OnWaitProgress(video);
        }

        [MonoPInvokeCallback(typeof(DownloadProgressCallback))]
        private static int OnDownloadProgress(IntPtr userData, ulong received, long total)
        {
            return Of(userData).OnDownloadProgress(received, total);
        }

        /// <summary>A client's event: its user_data pins the client's LogSink (not a
        /// NativeCall) from before tv_client_new_with_options until tv_client_free returned.</summary>
        [MonoPInvokeCallback(typeof(LogCallback))]
        private static void OnLog(IntPtr userData, IntPtr logEvent)
        {
            try
            {
                ((LogSink)GCHandle.FromIntPtr(userData).Target).Deliver(logEvent);
            }
            catch (Exception)
            {
                // Deliver drops what the Action throws itself; nothing may reach native code.
            }
        }

        [MonoPInvokeCallback(typeof(WriteCallback))]
        private static int OnWrite(IntPtr userData, IntPtr data, UIntPtr length)
        {
            return Of(userData).OnWrite(data, length);
        }
    }

    /// <summary>What a blocking call needs around it: its options, a native cancel token
    /// fired by its CancellationToken, and itself registered for its callbacks until it
    /// returns. Its callbacks run on the calling thread.</summary>
    internal sealed class BlockingCall : NativeCall, IDisposable
    {
        private static readonly Action<object> CancelToken = token => Native.tv_cancel_token_cancel((CancelTokenHandle)token);

        private readonly CancellationToken cancellationToken;
        private readonly CancelTokenHandle token;
        private readonly CallOptionsHandle options;
        private CancellationTokenRegistration registration;

        /// <summary>Throws OperationCanceledException for a token already cancelled, and
        /// ArgumentOutOfRangeException for a timeout the library refuses; either way nothing
        /// stays registered or allocated.</summary>
        public BlockingCall(TimeSpan? timeout, string timeoutParam, CancellationToken cancellationToken,
            IProgress<Video> videoProgress = null, IProgress<DownloadProgress> bytesProgress = null, Stream destination = null)
            : base(videoProgress, bytesProgress, destination)
        {
            this.cancellationToken = cancellationToken;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (cancellationToken.CanBeCanceled) token = Native.tv_cancel_token_new();
                options = CreateOptions(timeout, timeoutParam, token, false, null); // blocking calls report no events
                if (token != null) registration = cancellationToken.Register(CancelToken, token);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The options to pass (NULL when none were needed).</summary>
        public CallOptionsHandle Options { get { return options ?? CallOptionsHandle.None; } }

        /// <summary>The video of a call that gave one, or its failure thrown.</summary>
        public Video Result(int code, VideoHandle video, ErrorHandle error, string paramName)
        {
            if (code != Native.Ok)
            {
                video.Dispose();
                throw Failure(code, error, paramName);
            }
            error.Dispose();
            return Video.Take(video);
        }

        /// <summary>The exception for a failed call (frees <paramref name="error"/>): what a
        /// callback threw (rethrown here, its stack trace kept), OperationCanceledException
        /// when the CancellationToken stopped it, else the library's error.</summary>
        public Exception Failure(int code, ErrorHandle error, string paramName)
        {
            var failure = Errors.From(code, error, paramName);
            var thrown = CallbackFailure;
            if (thrown != null) ExceptionDispatchInfo.Capture(thrown).Throw();
            if (failure is RequestCancelledException && cancellationToken.IsCancellationRequested)
                return new OperationCanceledException(failure.Message, failure, cancellationToken);
            return failure;
        }

        public void Dispose()
        {
            registration.Dispose(); // waits for a cancel in progress: the token is still alive
            if (token != null) token.Dispose();
            if (options != null) options.Dispose();
            Unregister();
        }
    }

    /// <summary>A non-blocking call: starts the library's request and ends a Task with it,
    /// through the request's completion callback. Per call: this object, its Task, one
    /// entry in the CallTable; the delegates are static. The request is freed by the last
    /// of its completion callback (the library allows it), Begin, and a cancel in the
    /// library.
    ///
    /// A request that ends by itself ends its Task right there, on the library thread, so
    /// continuations that run synchronously (an await without a SynchronizationContext,
    /// ConfigureAwait(false)) run on that thread too: no thread-pool hop, and a call the
    /// continuation starts is taken by that same thread once it returns. At most
    /// WorkerThreads - 1 Tasks of a client end so at once (ClientHandle counts them), so
    /// such continuations never hold every library thread, even while they block on other
    /// calls' Tasks. The others, and Tasks ended by a cancel (a CancellationToken,
    /// Dispose: that thread must not run the caller's code inside the library), end in the
    /// callback too, so that the client's done event comes after, but their await
    /// continuations go to the thread pool (see Finish). A client with
    /// RunContinuationsAsynchronously makes its Tasks with that option instead.</summary>
    internal abstract class AsyncCall<T> : NativeCall
    {
        private static readonly Action<object> CancelRequest = call => ((AsyncCall<T>)call).Cancel();

        private static readonly WaitCallback Rethrow = thrown => ((ExceptionDispatchInfo)thrown).Throw();

        // Made by Begin, as the client says.
        private TaskCompletionSource<T> completion;
        private readonly string paramName;
        private readonly CancellationToken cancellationToken;
        // The library's request, freed once the completion (Finish), Begin and any cancel in
        // the library are done with it: `holds` counts them, as a SafeHandle counts the
        // calls using it, without a finalizer to register per call (none is needed: the
        // library always completes a request, when its client is freed at the latest).
        private IntPtr request;
        private int holds;
        private CancellationTokenRegistration registration;
        // The client, which says whether the Task may end inline.
        private ClientHandle owner;
        // 0: running; 1: a cancel is calling into the library; 2: completed.
        private int cancelState;

        protected AsyncCall(string paramName, CancellationToken cancellationToken,
            IProgress<Video> videoProgress = null, IProgress<DownloadProgress> bytesProgress = null, Stream destination = null)
            : base(videoProgress, bytesProgress, destination)
        {
            this.paramName = paramName;
            this.cancellationToken = cancellationToken;
        }

        /// <summary>Starts the request (the library copies the options it is given).</summary>
        protected abstract int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error);

        /// <summary>The Task's result from the request's video (which it frees; zero: none).</summary>
        protected abstract T Result(IntPtr video);

        /// <summary>The parameter an invalid argument found once the request runs is blamed
        /// on; by default the one a refused start is.</summary>
        protected virtual string ResultParamName { get { return paramName; } }

        /// <summary>Whether the call needs the download progress callback to learn its result.</summary>
        protected virtual bool TracksBytes { get { return false; } }

        /// <summary>Starts the call; its Task ends with the request, which reports to the
        /// client's event queue under <paramref name="eventTag"/> when there is one (its
        /// done event comes once the Task has ended). Throws only before a request exists
        /// (the caller turns that into a faulted Task), leaving nothing registered.</summary>
        public Task<T> Begin(ClientHandle client, TimeSpan? timeout, string timeoutParam, long? eventTag = null)
        {
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
            owner = client;
            completion = new TaskCompletionSource<T>(client.MayEndTasksInline
                ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
            IntPtr started = IntPtr.Zero;
            IntPtr error = IntPtr.Zero;
            int code;
            try
            {
                var options = CreateOptions(timeout, timeoutParam, null, TracksBytes, eventTag);
                try
                {
                    code = Start(client, options ?? CallOptionsHandle.None, out started, out error);
                }
                finally
                {
                    if (options != null) options.Dispose();
                }
            }
            catch
            {
                // Disposing the options may throw after the library answered.
                if (started != IntPtr.Zero) Native.tv_request_free(started);
                if (error != IntPtr.Zero) Native.tv_error_free(error);
                Unregister();
                throw;
            }
            if (code != Native.Ok)
            {
                if (started != IntPtr.Zero) Native.tv_request_free(started);
                Unregister();
                throw Errors.From(code, error, paramName);
            }
            if (error != IntPtr.Zero) Native.tv_error_free(error);
            request = started;
            // The completion's hold, and this method's until it is done with the request:
            // once the callback is set, the request may end and be freed on another thread
            // before tv_request_on_complete has returned here.
            holds = 2;
            int registered;
            try
            {
                // Throws ObjectDisposedException for the token of a disposed source.
                if (cancellationToken.CanBeCanceled) registration = cancellationToken.Register(CancelRequest, this);
                // Runs OnCompleted before returning when the request is done already.
                registered = Native.tv_request_on_complete(request, Callbacks.CompletedPointer, UserData);
            }
            catch (Exception e)
            {
                // No completion callback is set: end the request here, and the Task with e.
                Native.tv_request_cancel(request);
                Finish(default(T), e, false, true); // the Task is not out yet: nothing runs inline
                Release();
                return completion.Task;
            }
            if (registered != Native.Ok)
            {
                // Only a library bug gets here: end the request without its callback.
                Native.tv_request_cancel(request);
                Finish(default(T), Errors.From(registered, null, paramName), false, true);
            }
            Release();
            return completion.Task;
        }

        /// <summary>The CancellationToken fired: cancel the request, unless it completed.</summary>
        private void Cancel()
        {
            if (Interlocked.CompareExchange(ref cancelState, 1, 0) != 0) return;
            // Completed and freed meanwhile: nothing left to cancel.
            if (!TryHold()) return;
            try
            {
                // Its completion callback runs on this thread before this returns, or has
                // run on another by then.
                Native.tv_request_cancel(request);
            }
            finally
            {
                Release();
            }
        }

        /// <summary>Keeps the request from being freed until Release; false once it is.</summary>
        private bool TryHold()
        {
            for (int seen = Volatile.Read(ref holds); seen > 0; seen = Volatile.Read(ref holds))
            {
                if (Interlocked.CompareExchange(ref holds, seen + 1, seen) == seen) return true;
            }
            return false;
        }

        /// <summary>Gives back a hold; the last one frees the request.</summary>
        private void Release()
        {
            if (Interlocked.Decrement(ref holds) == 0) Native.tv_request_free(request);
        }

        /// <summary>Runs inside the completion callback, where the request counts as done,
        /// on the thread that ended it (a library thread, or the one cancelling).</summary>
        internal override void OnCompleted()
        {
            T result = default(T);
            Exception failure = null;
            bool cancelled = false;
            int code = Native.Ok;
            try
            {
                IntPtr video;
                IntPtr error;
                code = Native.tv_request_result(request, out video, out error);
                if (code == Native.Ok)
                {
                    if (error != IntPtr.Zero) Native.tv_error_free(error);
                    result = Result(video);
                }
                else
                {
                    if (video != IntPtr.Zero) Native.tv_video_free(video);
                    var reported = Errors.From(code, error, ResultParamName);
                    failure = CallbackFailure;
                    if (failure == null)
                    {
                        if (reported is RequestCancelledException && cancellationToken.IsCancellationRequested) cancelled = true;
                        else failure = reported;
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            Finish(result, failure, cancelled, code != (int)ResultCode.Cancelled);
        }

        /// <summary>Releases what the call holds, then ends its Task, before returning (so
        /// that the client's done event comes after). Its continuations run here only when
        /// <paramref name="mayInline"/>, no cancel is in progress and the client has room;
        /// otherwise its await continuations go to the thread pool.</summary>
        private void Finish(T result, Exception failure, bool cancelled, bool mayInline)
        {
            Unregister(); // no callback of the request runs any more
            // With no cancel in progress (and none to come: it sees 2), the registration is
            // disposed here. Otherwise the token has fired and holds it no longer; disposing
            // would wait for the cancel, which waits for this callback to return.
            bool cancelling = Interlocked.Exchange(ref cancelState, 2) != 0;
            if (!cancelling) registration.Dispose();
            // Freed now, or once Begin or a cancel in progress on another thread is done with it.
            Release();
            if (!owner.MayEndTasksInline)
            {
                End(result, failure, cancelled); // RunContinuationsAsynchronously: its continuations go to the thread pool
                return;
            }
            if (mayInline && !cancelling && owner.TryEnterInline())
            {
                try
                {
                    End(result, failure, cancelled);
                }
                catch (Exception e)
                {
                    // A continuation that threw (a custom awaiter's, say): thrown on the
                    // thread pool, where it would have run before, not lost in the callback.
                    ThreadPool.UnsafeQueueUserWorkItem(Rethrow, ExceptionDispatchInfo.Capture(e));
                }
                finally
                {
                    owner.ExitInline();
                }
                return;
            }
            // An await continuation runs inline only on a thread whose SynchronizationContext
            // is none or the base class (Task's IsValidLocationForInlining): under this one it
            // is queued to the thread pool. (A ContinueWith with ExecuteSynchronously still
            // runs here, as that option asks; .NET's guidance applies: keep those short.)
            var previous = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(NoInlining.Instance);
            try
            {
                End(result, failure, cancelled);
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(previous);
            }
        }

        private void End(T result, Exception failure, bool cancelled)
        {
            if (failure != null) completion.TrySetException(failure);
            else if (cancelled) completion.TrySetCanceled(cancellationToken);
            else completion.TrySetResult(result);
        }
    }

    /// <summary>Installed while a Task ends whose await continuations must not run on the
    /// ending thread: only its type matters (Task inlines an await continuation only where
    /// the context is none or the base class). Code that captures it posts to the thread
    /// pool, as the base class does.</summary>
    internal sealed class NoInlining : SynchronizationContext
    {
        public static readonly NoInlining Instance = new NoInlining();
    }

    /// <summary>An asynchronous call whose result is a video (get, create, wait).</summary>
    internal abstract class AsyncVideoCall : AsyncCall<Video>
    {
        protected AsyncVideoCall(string paramName, CancellationToken cancellationToken, IProgress<Video> progress = null)
            : base(paramName, cancellationToken, progress) { }

        protected override Video Result(IntPtr video)
        {
            return video == IntPtr.Zero ? null : Video.Take(video);
        }
    }
}
