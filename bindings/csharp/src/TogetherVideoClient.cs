using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo
{
    /// <summary>A client for Together's video API: create a job, wait for it, download its
    /// video. Thread-safe: share one. Every call has a blocking form and an asynchronous
    /// (<c>*Async</c>) one; the asynchronous ones run on the library's few threads and
    /// never block a thread-pool thread while waiting on the network.</summary>
    /// <remarks>
    /// <para>Failures: a bad argument is an <see cref="ArgumentNullException"/>,
    /// <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/> naming
    /// the parameter (the library checks every value and its message names the value
    /// given); a cancelled <see cref="CancellationToken"/> is an
    /// <see cref="OperationCanceledException"/>; a disposed client an
    /// <see cref="ObjectDisposedException"/>; anything else a
    /// <see cref="TogetherVideoException"/> or one of its subclasses. An
    /// <c>*Async</c> method never throws: it returns a faulted Task (or a cancelled one)
    /// instead, argument errors included.</para>
    /// <para>Every call takes an optional timeout that bounds the whole call, retries,
    /// polls and the request in flight included (<see cref="RequestTimeoutException"/>);
    /// null or zero leaves only the client's per-attempt timeout. A CancellationToken stops
    /// a call at once, even one waiting on a server that stopped answering.</para>
    /// <para>Following many calls at once: an asynchronous wait or download given an event
    /// tag (<see cref="WaitOptions.EventTag"/>, <see cref="DownloadOptions.EventTag"/>)
    /// reports its status changes, its progress and its end to the client's event queue,
    /// which one loop drains for all of them: <see cref="PumpEvents"/> from a game's
    /// <c>Update</c>, <see cref="TryGetEvent"/> without waiting, <see cref="WaitForEvent"/>
    /// on a worker thread.</para>
    /// <para>Threads: an asynchronous call's Task usually ends on the library thread that
    /// finished the call, so an await continues there, with no thread-pool hop (see
    /// <see cref="TogetherVideoClientOptions.RunContinuationsAsynchronously"/> for when,
    /// and how to turn it off); a Task ended by a cancel or by <see cref="Dispose"/> ends
    /// on the cancelling thread, and its awaits continue on the thread pool.</para>
    /// <para>Surviving restarts: a client given a
    /// <see cref="TogetherVideoClientOptions.JournalPath"/> records its jobs on disk; the
    /// next client on that journal lists what is left with <see cref="GetUnfinishedJobs"/>
    /// and finishes each with <see cref="ResumeJob"/> or <see cref="ResumeJobAsync"/>.</para>
    /// </remarks>
    public sealed class TogetherVideoClient : IDisposable
    {
        private readonly ClientHandle handle;
        private readonly LogSink logSink;
        private readonly bool hasJournal;
        private int disposed;

        /// <summary>A client with the defaults: the API key from TOGETHER_API_KEY.</summary>
        /// <exception cref="AuthenticationException">No API key: TOGETHER_API_KEY is not set.</exception>
        /// <exception cref="DllNotFoundException">The native library could not be found; the
        /// message says which file was looked for, where, and how to fix it.</exception>
        /// <exception cref="EntryPointNotFoundException">The library found is not this
        /// version of together-video.</exception>
        /// <exception cref="BadImageFormatException">The library found is for another
        /// platform or architecture.</exception>
        /// <exception cref="TogetherVideoException">The library failed otherwise.</exception>
        public TogetherVideoClient() : this(new TogetherVideoClientOptions()) { }

        /// <summary>A client with <paramref name="options"/>, which it copies.</summary>
        /// <param name="options">The settings; unset properties keep the library's defaults.</param>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused a number or a
        /// span of <paramref name="options"/>; the message names it and the value given.</exception>
        /// <exception cref="ArgumentException">The library refused another setting (a
        /// malformed base URL, an unreadable CA file, text with a NUL byte), or
        /// <see cref="TogetherVideoClientOptions.JournalPath"/> names a journal another
        /// client uses (in this process or another); the message is the library's.</exception>
        /// <exception cref="AuthenticationException">No API key: neither
        /// <see cref="TogetherVideoClientOptions.ApiKey"/> nor TOGETHER_API_KEY is set.</exception>
        /// <exception cref="DllNotFoundException">The native library could not be found; the
        /// message says which file was looked for, where, and how to fix it.</exception>
        /// <exception cref="EntryPointNotFoundException">The library found is not this
        /// version of together-video.</exception>
        /// <exception cref="BadImageFormatException">The library found is for another
        /// platform or architecture.</exception>
        /// <exception cref="TogetherVideoException">The library failed otherwise, such as
        /// <see cref="ResultCode.FileSystem"/> for a journal that cannot be opened or read.</exception>
        public TogetherVideoClient(TogetherVideoClientOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            LibraryLoader.EnsureLoaded();
            var log = options.Log;
            hasJournal = options.JournalPath != null;
            // The log callback's user_data, pinned until tv_client_free has returned: the
            // client's handle frees it then (or this constructor, when there is no client).
            var pin = log != null ? GCHandle.Alloc(new LogSink(log)) : default(GCHandle);
            try
            {
                using (var native = options.ToNative(nameof(options), pin.IsAllocated ? GCHandle.ToIntPtr(pin) : IntPtr.Zero))
                {
                    ClientHandle client;
                    ErrorHandle error;
                    int code = Native.tv_client_new_with_options(native, out client, out error);
                    if (code != Native.Ok)
                    {
                        client.Dispose();
                        throw Errors.From(code, error, nameof(options));
                    }
                    error.Dispose();
                    client.LimitInlineContinuations(options.RunContinuationsAsynchronously
                        ? 0 : (options.WorkerThreads ?? TogetherVideoClientOptions.DefaultWorkerThreads) - 1);
                    if (pin.IsAllocated)
                    {
                        logSink = (LogSink)pin.Target;
                        client.KeepLogSink(pin);
                    }
                    handle = client;
                }
            }
            catch
            {
                if (pin.IsAllocated && handle == null) pin.Free();
                throw;
            }
        }

        /// <summary>The native library's version, e.g. "0.2.0".</summary>
        /// <exception cref="DllNotFoundException">The native library could not be found; the
        /// message says which file was looked for, where, and how to fix it.</exception>
        /// <exception cref="EntryPointNotFoundException">The library found is not together-video's.</exception>
        /// <exception cref="BadImageFormatException">The library found is for another
        /// platform or architecture.</exception>
        public static string Version
        {
            get
            {
                LibraryLoader.EnsureLoaded();
                return Utf8.FromNative(Native.tv_version());
            }
        }

        /// <summary>Cancels the client's asynchronous calls in flight (they fail with
        /// <see cref="RequestCancelledException"/>), waits for the library's threads to end
        /// (continuations running on them included: see
        /// <see cref="TogetherVideoClientOptions.RunContinuationsAsynchronously"/>), and frees the client; a blocking call still running on another thread keeps it
        /// until that call returns. Once this returns, <see cref="TogetherVideoClientOptions.Log"/>
        /// is not running and receives nothing more. Disposing twice is fine. Called from
        /// inside the Log action, it returns at once and frees the client on a thread-pool
        /// thread (the calls made after it still throw <see cref="ObjectDisposedException"/>).
        /// A thread waiting in <see cref="WaitForEvent"/> leaves within about 50 ms with
        /// <see cref="ObjectDisposedException"/>, and the client is freed only once it has;
        /// events still queued are dropped.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            if (LogSink.InsideCallback)
            {
                ThreadPool.QueueUserWorkItem(client => ((TogetherVideoClient)client).Release(), this);
                return;
            }
            Release();
        }

        private void Release()
        {
            WaitForReaders(); // no tv_client_free under a thread taking an event
            handle.Dispose(); // tv_client_free, unless a blocking call holds the handle
            if (logSink != null) logSink.Close();
        }

        private ClientHandle Handle
        {
            get
            {
                if (Volatile.Read(ref disposed) != 0 || handle.IsClosed) throw new ObjectDisposedException(nameof(TogetherVideoClient));
                return handle;
            }
        }

        /// <summary>Reads the client's counters: requests, attempts, retries by reason,
        /// responses by status class, bytes, connections, requests in flight, and calls
        /// ended per result code. Cheap (no lock, no waiting on the network): fine once per
        /// frame, from any thread, and from inside <see cref="TogetherVideoClientOptions.Log"/>.</summary>
        /// <returns>A copy of the counters since the client was created.</returns>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="TogetherVideoException">The library failed (a bug: please report it).</exception>
        public ClientStats GetStats()
        {
            var native = new TvClientStats { errors = new ulong[TvClientStats.ErrorSlots] };
            native.size = (uint)Marshal.SizeOf(typeof(TvClientStats));
            int code = Native.tv_client_stats(Handle, ref native);
            if (code != Native.Ok) throw Errors.From(code, null, null);
            return ClientStats.FromNative(ref native);
        }

        // ---- The event queue --------------------------------------------------------
        // The library cannot be woken from tv_client_next_event, and tv_client_free must not
        // run while a thread is in there. So a thread stays inside for one slice at most
        // (EventSlice), counted as a reader; Dispose waits for the readers to leave before
        // freeing the client, which takes a slice at most. Should it wait too long (a
        // reader's thread starved), the SafeHandle's reference count still defers the free
        // to the last call out of the library: never a free under a reader.

        /// <summary>The longest a thread stays inside tv_client_next_event at once, in ms.</summary>
        private const long EventSlice = 50;

        /// <summary>How long Dispose waits for the readers to leave the library.</summary>
        private const int ReadersLeaveMs = 2000;

        private readonly object readersLock = new object();
        private int readers; // threads inside tv_client_next_event, under readersLock

        /// <summary>Takes the next event of the client's queue without waiting: for a frame
        /// loop (or use <see cref="PumpEvents"/>). Only asynchronous calls made with an event
        /// tag report there (<see cref="WaitOptions.EventTag"/>,
        /// <see cref="DownloadOptions.EventTag"/>); callbacks, progress sinks and Tasks keep
        /// working alongside. Cheap: no lock is held long, and an empty queue costs no
        /// allocation, so once per frame or more is fine.</summary>
        /// <remarks>Thread-safe: any number of threads may read the queue at once
        /// (<see cref="TryGetEvent"/>, <see cref="WaitForEvent"/>,
        /// <see cref="PumpEvents"/>), and each event goes to one of them.</remarks>
        /// <param name="clientEvent">The event taken, or null when the queue was empty.</param>
        /// <returns>True when an event was taken.</returns>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="TogetherVideoException">The library failed (a bug: please report it).</exception>
        public bool TryGetEvent(out ClientEvent clientEvent)
        {
            clientEvent = NextEvent(0, true);
            return clientEvent != null;
        }

        /// <summary>Takes the next event of the client's queue, waiting up to
        /// <paramref name="timeout"/> for one: for a worker thread that handles the events of
        /// many calls. Only asynchronous calls made with an event tag report there
        /// (<see cref="WaitOptions.EventTag"/>, <see cref="DownloadOptions.EventTag"/>).</summary>
        /// <remarks>Thread-safe: any number of threads may wait at once, and each event goes
        /// to one of them. <see cref="Dispose"/> on another thread ends the wait within about
        /// 50 ms with <see cref="ObjectDisposedException"/> (the client is freed only once
        /// no thread waits any more), and so does <paramref name="cancellationToken"/> with
        /// <see cref="OperationCanceledException"/>. Events still queued when the client is
        /// disposed are dropped.</remarks>
        /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> does not wait,
        /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
        /// <param name="cancellationToken">Stops the wait.</param>
        /// <returns>The event taken, or null when none came within <paramref name="timeout"/>.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative
        /// and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed, before or during the wait.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="TogetherVideoException">The library failed (a bug: please report it).</exception>
        public ClientEvent WaitForEvent(TimeSpan timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            bool forever = timeout == Timeout.InfiniteTimeSpan;
            if (timeout < TimeSpan.Zero && !forever)
                throw new ArgumentOutOfRangeException(nameof(timeout), "the timeout must be zero or more, or Timeout.InfiniteTimeSpan, not " + timeout);
            cancellationToken.ThrowIfCancellationRequested();
            long total = forever ? long.MaxValue : NativeCall.Milliseconds(timeout);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                var next = NextEvent(Math.Max(0, Math.Min(EventSlice, total - watch.ElapsedMilliseconds)), true);
                if (next != null) return next;
                cancellationToken.ThrowIfCancellationRequested();
                if (watch.ElapsedMilliseconds >= total) return null;
            }
        }

        /// <summary>Hands the events waiting in the client's queue, oldest first, to
        /// <paramref name="handler"/> on this thread, without waiting for more: the
        /// main-thread pump of a game loop. Call it from Unity's <c>Update</c> (or a UI
        /// timer) and the handler runs where the engine's objects may be touched:
        /// <code>
        /// private void Update() { client.PumpEvents(OnClientEvent); }
        /// </code>
        /// Only asynchronous calls made with an event tag report there
        /// (<see cref="WaitOptions.EventTag"/>, <see cref="DownloadOptions.EventTag"/>).</summary>
        /// <remarks>
        /// <para>Each event is copied out of the library and freed before the handler sees
        /// it, and no lock is held while the handler runs: it may start calls, read the
        /// queue itself, or <see cref="Dispose"/> the client (the pump then stops).</para>
        /// <para>Events that arrive while it runs are handed on too; pass
        /// <paramref name="maxEvents"/> to bound a frame's work. An exception the handler
        /// throws comes out of this call; the event it was given counts as handled, and the
        /// others stay queued for the next call.</para>
        /// <para>Thread-safe: several threads may pump, or read the queue otherwise, at
        /// once; each event goes to one of them.</para>
        /// </remarks>
        /// <param name="handler">Told each event, on this thread.</param>
        /// <param name="maxEvents">The most events to hand on in this call; 0 or more.</param>
        /// <returns>How many events the handler was given.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is negative.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="TogetherVideoException">The library failed (a bug: please report it).</exception>
        /// <exception cref="Exception">Whatever <paramref name="handler"/> threw.</exception>
        public int PumpEvents(Action<ClientEvent> handler, int maxEvents = int.MaxValue)
        {
            if (handler == null) throw new ArgumentNullException(nameof(handler));
            if (maxEvents < 0) throw new ArgumentOutOfRangeException(nameof(maxEvents), "maxEvents must be 0 or more, not " + maxEvents);
            if (Volatile.Read(ref disposed) != 0) throw new ObjectDisposedException(nameof(TogetherVideoClient));
            int handled = 0;
            while (handled < maxEvents)
            {
                var next = NextEvent(0, false); // null once disposed, by the handler or another thread
                if (next == null) break;
                handled++;
                handler(next);
            }
            return handled;
        }

        /// <summary>The next event, waiting up to <paramref name="timeoutMs"/> (0 to
        /// <see cref="EventSlice"/>), or null when none came. On a disposed client: throws
        /// ObjectDisposedException, or returns null when <paramref name="throwIfDisposed"/>
        /// is false.</summary>
        private ClientEvent NextEvent(long timeoutMs, bool throwIfDisposed)
        {
            lock (readersLock)
            {
                if (Volatile.Read(ref disposed) != 0 || handle.IsClosed)
                {
                    if (throwIfDisposed) throw new ObjectDisposedException(nameof(TogetherVideoClient));
                    return null;
                }
                readers++;
            }
            IntPtr native = IntPtr.Zero;
            int code;
            try
            {
                code = Native.tv_client_next_event(handle, timeoutMs, out native);
            }
            catch (ObjectDisposedException)
            {
                // Dispose gave up waiting for the readers and closed the handle meanwhile.
                if (throwIfDisposed) throw new ObjectDisposedException(nameof(TogetherVideoClient));
                return null;
            }
            finally
            {
                lock (readersLock)
                {
                    if (--readers == 0) Monitor.PulseAll(readersLock);
                }
            }
            if (code != Native.Ok) throw Errors.From(code, null, null);
            if (native == IntPtr.Zero) return null;
            try
            {
                return ClientEvent.FromNative(native);
            }
            finally
            {
                Native.tv_event_free(native); // its own allocation: fine after the client is freed
            }
        }

        /// <summary>Waits until no thread is inside tv_client_next_event (Dispose has set
        /// <see cref="disposed"/>, so none enters any more), for a slice or so; gives up after
        /// <see cref="ReadersLeaveMs"/>.</summary>
        private void WaitForReaders()
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            lock (readersLock)
            {
                while (readers > 0)
                {
                    long left = ReadersLeaveMs - watch.ElapsedMilliseconds;
                    if (left <= 0) return;
                    Monitor.Wait(readersLock, (int)left);
                }
            }
        }

        /// <summary>The Task of an asynchronous call that failed before it started.</summary>
        private static Task<T> Faulted<T>(Exception failure, CancellationToken cancellationToken)
        {
            if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
                return Task.FromCanceled<T>(cancellationToken);
            return Task.FromException<T>(failure);
        }

        // ---- Get --------------------------------------------------------------------

        /// <summary>Fetches a job (GET /videos/{id}), blocking the calling thread. A job that
        /// failed on Together's side is a result, not an exception: read its
        /// <see cref="Video.Status"/> and <see cref="Video.ErrorMessage"/>.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>The job as the server sent it.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>
        /// (empty, "..", a NUL byte).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The client's timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Video GetVideo(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            return GetVideo(id, null, cancellationToken);
        }

        /// <summary>Fetches a job (GET /videos/{id}) within <paramref name="timeout"/>,
        /// blocking the calling thread. A job that failed on Together's side is a result.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="timeout">Bounds the whole call, retries included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>The job as the server sent it.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused
        /// <paramref name="timeout"/> (it is negative).</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>
        /// (empty, "..", a NUL byte).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Video GetVideo(string id, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            var text = Utf8.Required(id, nameof(id));
            var client = Handle;
            using (var call = new BlockingCall(timeout, nameof(timeout), cancellationToken))
            {
                VideoHandle video;
                ErrorHandle error;
                int code = Native.tv_get_video(client, text, call.Options, out video, out error);
                return call.Result(code, video, error, nameof(id));
            }
        }

        /// <summary>Fetches a job without blocking.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="cancellationToken">Cancels the call: the task is then cancelled.</param>
        /// <returns>A task that ends with the job as the server sent it. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the call.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The client's timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Task<Video> GetVideoAsync(string id, CancellationToken cancellationToken = default(CancellationToken))
        {
            return GetVideoAsync(id, null, cancellationToken);
        }

        /// <summary>Fetches a job within <paramref name="timeout"/> without blocking.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="timeout">Bounds the whole call, retries included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the call: the task is then cancelled.</param>
        /// <returns>A task that ends with the job as the server sent it. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the call.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Task<Video> GetVideoAsync(string id, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return new GetCall(Utf8.Required(id, nameof(id)), cancellationToken).Begin(Handle, timeout, nameof(timeout));
            }
            catch (Exception e)
            {
                return Faulted<Video>(e, cancellationToken);
            }
        }

        private sealed class GetCall : AsyncVideoCall
        {
            private readonly byte[] id;

            public GetCall(byte[] id, CancellationToken cancellationToken) : base("id", cancellationToken) { this.id = id; }

            protected override int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error)
            {
                return Native.tv_get_video_start(client, id, options, out started, out error);
            }
        }

        // ---- Create -----------------------------------------------------------------

        /// <summary>Creates a job (POST /videos), blocking. Never retried once the request
        /// may have reached the server: a second POST could start a second, billed job.</summary>
        /// <param name="request">What to create.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>The job as created, usually <see cref="VideoStatus.Queued"/>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused a number of
        /// <paramref name="request"/> (steps 5, say); the message names the field and value.</exception>
        /// <exception cref="ArgumentException">The library refused another field of
        /// <paramref name="request"/> (no model, an empty prompt, invalid JSON, a NUL byte).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The client's timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (the server refused the
        /// request: <see cref="ResultCode.BadRequest"/>, <see cref="ResultCode.Unprocessable"/>).</exception>
        public Video CreateVideo(CreateVideoRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return CreateVideo(request, null, cancellationToken);
        }

        /// <summary>Creates a job (POST /videos) within <paramref name="timeout"/>, blocking.
        /// Never retried once the request may have reached the server.</summary>
        /// <param name="request">What to create.</param>
        /// <param name="timeout">Bounds the whole call; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>The job as created, usually <see cref="VideoStatus.Queued"/>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused
        /// <paramref name="timeout"/> or a number of <paramref name="request"/>.</exception>
        /// <exception cref="ArgumentException">The library refused another field of
        /// <paramref name="request"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Video CreateVideo(CreateVideoRequest request, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            using (var parameters = request.ToNative(nameof(request)))
            {
                var client = Handle;
                using (var call = new BlockingCall(timeout, nameof(timeout), cancellationToken))
                {
                    VideoHandle video;
                    ErrorHandle error;
                    int code = Native.tv_create_video(client, parameters, call.Options, out video, out error);
                    return call.Result(code, video, error, nameof(request));
                }
            }
        }

        /// <summary>Creates a job without blocking. Never retried once the request may have
        /// reached the server.</summary>
        /// <param name="request">What to create.</param>
        /// <param name="cancellationToken">Cancels the call: the task is then cancelled.</param>
        /// <returns>A task that ends with the job as created. This method never throws: the
        /// task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused a number of <paramref name="request"/>.</exception>
        /// <exception cref="ArgumentException">The library refused another field of <paramref name="request"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the call.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The client's timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Task<Video> CreateVideoAsync(CreateVideoRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return CreateVideoAsync(request, null, cancellationToken);
        }

        /// <summary>Creates a job within <paramref name="timeout"/> without blocking.</summary>
        /// <param name="request">What to create.</param>
        /// <param name="timeout">Bounds the whole call; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the call: the task is then cancelled.</param>
        /// <returns>A task that ends with the job as created. This method never throws: the
        /// task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused
        /// <paramref name="timeout"/> or a number of <paramref name="request"/>.</exception>
        /// <exception cref="ArgumentException">The library refused another field of <paramref name="request"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the call.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure; <see cref="TogetherVideoException.Code"/> says which.</exception>
        public Task<Video> CreateVideoAsync(CreateVideoRequest request, TimeSpan? timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                if (request == null) throw new ArgumentNullException(nameof(request));
                using (var parameters = request.ToNative(nameof(request))) // the request copies them
                {
                    return new CreateCall(parameters, cancellationToken).Begin(Handle, timeout, nameof(timeout));
                }
            }
            catch (Exception e)
            {
                return Faulted<Video>(e, cancellationToken);
            }
        }

        private sealed class CreateCall : AsyncVideoCall
        {
            private readonly CreateParamsHandle parameters;

            public CreateCall(CreateParamsHandle parameters, CancellationToken cancellationToken)
                : base("request", cancellationToken) { this.parameters = parameters; }

            protected override int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error)
            {
                return Native.tv_create_video_start(client, parameters, options, out started, out error);
            }
        }

        // ---- Wait -------------------------------------------------------------------

        /// <summary>Polls the job until it is completed, failed or cancelled and returns that
        /// state, blocking the calling thread. A failed job is a result, not an exception; a
        /// status this version does not know is returned at once.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="cancellationToken">Cancels the wait.</param>
        /// <returns>The job's final state.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 on a poll once its retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A poll timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure of a poll.</exception>
        public Video WaitForVideo(string id, CancellationToken cancellationToken)
        {
            return WaitForVideo(id, null, cancellationToken);
        }

        /// <summary>Polls the job until it is completed, failed or cancelled and returns that
        /// state, blocking the calling thread. A failed job is a result, not an exception; a
        /// status this version does not know is returned at once.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="options">The poll interval, an overall timeout and a progress sink
        /// (told each polled state on this thread; the event tag is ignored: a blocking wait
        /// reports no events); null: the defaults, no timeout.</param>
        /// <param name="cancellationToken">Cancels the wait.</param>
        /// <returns>The job's final state.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the poll interval
        /// or the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 on a poll once its retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The wait's timeout passed, or a poll timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure of a poll.</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the wait stops with it.</exception>
        public Video WaitForVideo(string id, WaitOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            var text = Utf8.Required(id, nameof(id));
            using (var wait = NativeWaitOptions(options))
            {
                var client = Handle;
                using (var call = new BlockingCall(options != null ? options.Timeout : null, nameof(options), cancellationToken,
                    options != null ? options.Progress : null))
                {
                    VideoHandle video;
                    ErrorHandle error;
                    int code = Native.tv_wait_video(client, text, wait ?? WaitOptionsHandle.None, call.Options, out video, out error);
                    return call.Result(code, video, error, nameof(id));
                }
            }
        }

        /// <summary>Waits for the job without blocking: polls run on the library's threads,
        /// and no thread is held between them.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="cancellationToken">Cancels the wait: the task is then cancelled.</param>
        /// <returns>A task that ends with the job's final state. This method never throws:
        /// the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the wait.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 on a poll once its retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">A poll timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure of a poll.</exception>
        public Task<Video> WaitForVideoAsync(string id, CancellationToken cancellationToken)
        {
            return WaitForVideoAsync(id, null, cancellationToken);
        }

        /// <summary>Waits for the job without blocking: polls run on the library's threads,
        /// and no thread is held between them, so a thousand waits need no more threads
        /// than one.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="options">The poll interval, an overall timeout, a progress sink (told
        /// each polled state from a library thread) and an event tag (the wait then reports
        /// its status changes and its end to the client's event queue); null: the defaults,
        /// no timeout.</param>
        /// <param name="cancellationToken">Cancels the wait: the task is then cancelled.</param>
        /// <returns>A task that ends with the job's final state. This method never throws:
        /// the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the poll interval
        /// or the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the wait.</exception>
        /// <exception cref="NotFoundException">No such job.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 on a poll once its retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The wait's timeout passed, or a poll timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure of a poll.</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the wait stops with it.</exception>
        public Task<Video> WaitForVideoAsync(string id, WaitOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                var text = Utf8.Required(id, nameof(id));
                using (var wait = NativeWaitOptions(options)) // the request copies them
                {
                    return new WaitCall(text, wait, cancellationToken, options != null ? options.Progress : null)
                        .Begin(Handle, options != null ? options.Timeout : null, nameof(options), options != null ? options.EventTag : null);
                }
            }
            catch (Exception e)
            {
                return Faulted<Video>(e, cancellationToken);
            }
        }

        /// <summary>The native wait options for <paramref name="options"/>, or null for the
        /// library's defaults; the library checks the poll interval.</summary>
        private static WaitOptionsHandle NativeWaitOptions(WaitOptions options)
        {
            if (options == null || !options.PollInterval.HasValue) return null;
            var native = Native.tv_wait_options_new();
            try
            {
                Errors.CheckSetter(Native.tv_wait_options_set_poll_interval_ms(native, NativeCall.Milliseconds(options.PollInterval.Value)),
                    nameof(options), "poll interval", true);
                return native;
            }
            catch
            {
                native.Dispose();
                throw;
            }
        }

        private sealed class WaitCall : AsyncVideoCall
        {
            private readonly byte[] id;
            private readonly WaitOptionsHandle wait;

            public WaitCall(byte[] id, WaitOptionsHandle wait, CancellationToken cancellationToken, IProgress<Video> progress)
                : base("id", cancellationToken, progress)
            {
                this.id = id;
                this.wait = wait;
            }

            protected override int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error)
            {
                return Native.tv_wait_video_start(client, id, wait ?? WaitOptionsHandle.None, options, out started, out error);
            }
        }

        // ---- The job journal ----------------------------------------------------------
        // Together's API cannot list a key's jobs: a job id the program loses is a paid video
        // it cannot fetch. With TogetherVideoClientOptions.JournalPath set, the library
        // records each job on disk before handing out its id, and a later client on that
        // journal lists and finishes what is left.

        /// <summary>The journal's jobs that still need the application: jobs not finished,
        /// jobs completed but not downloaded, and creates whose answer never came (their
        /// <see cref="JournalEntry.Id"/> is null), oldest first. Call it once a new client
        /// is open on the journal of a program that crashed or was stopped, then finish each
        /// job with <see cref="ResumeJob"/> (or <see cref="ResumeJobAsync"/>) and drop what
        /// you dealt with otherwise with <see cref="ForgetJob"/>.</summary>
        /// <remarks>No network call: the list is read from the journal in memory and copied
        /// (the library's list is freed before this returns). Thread-safe.</remarks>
        /// <returns>A copy of the entries, which later calls do not change; empty when
        /// nothing is left.</returns>
        /// <exception cref="InvalidOperationException">The client has no journal:
        /// <see cref="TogetherVideoClientOptions.JournalPath"/> was not set.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="TogetherVideoException">The library failed (a bug: please report it).</exception>
        public IReadOnlyList<JournalEntry> GetUnfinishedJobs()
        {
            var client = Handle;
            RequireJournal();
            IntPtr list;
            int code = Native.tv_journal_unfinished(client, out list);
            if (code != Native.Ok) throw Errors.FromLastError(code, null);
            try
            {
                return new ReadOnlyCollection<JournalEntry>(JournalEntry.FromNative(list));
            }
            finally
            {
                Native.tv_journal_jobs_free(list);
            }
        }

        /// <summary>Drops an entry from the journal: you are done with it, say an unanswered
        /// create (<see cref="JournalEntry.Id"/> null) that you have looked into, or a job you
        /// do not want after all. <see cref="GetUnfinishedJobs"/> no longer lists it. Jobs
        /// that <see cref="ResumeJob"/> finished leave the list by themselves.</summary>
        /// <remarks>An entry that is not in the journal (forgotten already, or never there)
        /// is fine: nothing happens. Thread-safe. The journal's file has the change when this
        /// returns, which survives the process; it is not forced to the disk, so after a
        /// power loss the entry may be listed again.</remarks>
        /// <param name="entry">The entry's <see cref="JournalEntry.Entry"/>.</param>
        /// <exception cref="InvalidOperationException">The client has no journal:
        /// <see cref="TogetherVideoClientOptions.JournalPath"/> was not set.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="TogetherVideoException">The journal could not be written
        /// (<see cref="ResultCode.FileSystem"/>).</exception>
        public void ForgetJob(long entry)
        {
            var client = Handle;
            RequireJournal();
            int code = Native.tv_journal_forget(client, unchecked((ulong)entry));
            if (code != Native.Ok) throw Errors.FromLastError(code, nameof(entry));
        }

        private void RequireJournal()
        {
            if (!hasJournal)
                throw new InvalidOperationException("this client has no journal: set TogetherVideoClientOptions.JournalPath when creating it");
        }

        /// <summary>Finishes a job after a restart, blocking: waits for it as
        /// <see cref="WaitForVideo(string, WaitOptions, CancellationToken)"/> does and, once it
        /// is completed, downloads its video to <paramref name="path"/>, or (null) to where the
        /// journal says its download was going. A job that failed or was cancelled on
        /// Together's side is returned, not downloaded. Once the video is down (or the job
        /// ended without one), the journal drops the job.</summary>
        /// <remarks>Usually given the <see cref="JournalEntry.Id"/> of an entry from
        /// <see cref="GetUnfinishedJobs"/>, but any job id works, and so does a client
        /// without a journal when <paramref name="path"/> is given.</remarks>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the video goes (written beside it and renamed into place
        /// when complete); null: the <see cref="JournalEntry.Destination"/> the journal
        /// recorded for the job.</param>
        /// <param name="options">The poll interval and an overall timeout (the download
        /// included); null: the defaults, no timeout. Its progress sink is not told (the
        /// library reports no states for a resume) and its event tag is ignored: a blocking
        /// call reports no events.</param>
        /// <param name="cancellationToken">Cancels the wait or the download (nothing is left
        /// under the path).</param>
        /// <returns>The job's final state.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the poll interval
        /// or the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">For <paramref name="path"/>: it is null and the
        /// journal has no destination for the job (no download of it started, or the client
        /// has no journal). For <paramref name="id"/>: the library refused it. Or a string
        /// holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The timeout of <paramref name="options"/>
        /// passed, or a request timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>
        /// when the path cannot be written, <see cref="ResultCode.Decode"/>).</exception>
        public Video ResumeJob(string id, string path = null, WaitOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            var text = Utf8.Required(id, nameof(id));
            var destination = Utf8.ToNative(path, nameof(path), nameof(path));
            using (var wait = NativeWaitOptions(options))
            {
                var client = Handle;
                using (var call = new BlockingCall(options != null ? options.Timeout : null, nameof(options), cancellationToken))
                {
                    VideoHandle video;
                    ErrorHandle error;
                    int code = Native.tv_resume_job(client, text, destination, wait ?? WaitOptionsHandle.None, call.Options, out video, out error);
                    // Without a path, the library refuses what it lacks: a destination.
                    return call.Result(code, video, error, path == null ? nameof(path) : nameof(id));
                }
            }
        }

        /// <summary>Finishes a job after a restart without blocking: waits for it and, once it
        /// is completed, downloads its video to <paramref name="path"/>, or (null) to where the
        /// journal says its download was going. A job that failed or was cancelled on
        /// Together's side is the result, not downloaded. Once the video is down (or the job
        /// ended without one), the journal drops the job.</summary>
        /// <remarks>The resume holds one of the library's worker threads while it waits: to
        /// resume many jobs at once, give the client more
        /// (<see cref="TogetherVideoClientOptions.WorkerThreads"/>). Any job id works, and so
        /// does a client without a journal when <paramref name="path"/> is given.</remarks>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the video goes (written beside it and renamed into place
        /// when complete); null: the <see cref="JournalEntry.Destination"/> the journal
        /// recorded for the job.</param>
        /// <param name="options">The poll interval, an overall timeout (the download included)
        /// and an event tag (the resume then reports its end, <see cref="ClientEventKind.Done"/>,
        /// to the client's event queue); null: the defaults, no timeout. Its progress sink is
        /// not told: the library reports no states for a resume.</param>
        /// <param name="cancellationToken">Cancels the resume: the task is then cancelled.</param>
        /// <returns>A task that ends with the job's final state. This method never throws:
        /// the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the poll interval
        /// or the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">For <paramref name="path"/>: it is null and the
        /// journal has no destination for the job (no download of it started, or the client
        /// has no journal). For <paramref name="id"/>: the library refused it. Or a string
        /// holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the resume.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RateLimitException">HTTP 429 once the retries were spent.</exception>
        /// <exception cref="RequestTimeoutException">The timeout of <paramref name="options"/>
        /// passed, or a request timed out.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>
        /// when the path cannot be written, <see cref="ResultCode.Decode"/>).</exception>
        public Task<Video> ResumeJobAsync(string id, string path = null, WaitOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                var text = Utf8.Required(id, nameof(id));
                var destination = Utf8.ToNative(path, nameof(path), nameof(path));
                using (var wait = NativeWaitOptions(options)) // the request copies them
                {
                    return new ResumeCall(text, destination, wait, cancellationToken)
                        .Begin(Handle, options != null ? options.Timeout : null, nameof(options), options != null ? options.EventTag : null);
                }
            }
            catch (Exception e)
            {
                return Faulted<Video>(e, cancellationToken);
            }
        }

        private sealed class ResumeCall : AsyncVideoCall
        {
            private readonly byte[] id;
            private readonly byte[] path;
            private readonly WaitOptionsHandle wait;

            // A refused start is a refused id (the library checks nothing else then).
            public ResumeCall(byte[] id, byte[] path, WaitOptionsHandle wait, CancellationToken cancellationToken)
                : base("id", cancellationToken)
            {
                this.id = id;
                this.path = path;
                this.wait = wait;
            }

            // Once running, without a path, what the library refuses is the missing destination.
            protected override string ResultParamName { get { return path == null ? "path" : "id"; } }

            protected override int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error)
            {
                return Native.tv_resume_job_start(client, id, path, wait ?? WaitOptionsHandle.None, options, out started, out error);
            }
        }

        // ---- Downloads --------------------------------------------------------------
        // Each reads a video by its URL (a completed job's VideoUrl) or by its job's id
        // (the library gets the job, which must be completed, then its URL), into a file or
        // a Stream. A file is written beside its path and renamed into place only when
        // complete, so a failed or cancelled download leaves nothing under the path. The API
        // key is never sent to the video's host. A Stream is written one call at a time,
        // each byte once, in order. The timeout bounds the whole download; without one only
        // a read stalling for the client's timeout ends it.

        /// <summary>Downloads the video at <paramref name="url"/> to a file, blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/> (not
        /// http or https), or a string holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure: <see cref="ResultCode.FileSystem"/>
        /// when <paramref name="path"/> cannot be written, <see cref="ResultCode.Decode"/> for a web page.</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public long DownloadUrl(string url, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream, blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/> for a web page).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public long DownloadUrl(string url, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video at <paramref name="url"/> to a file without blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>, or a string holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadUrlAsync(string url, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Url(url), Destination.File(path), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream without blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadUrlAsync(string url, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Url(url), Destination.To(destination), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file, blocking:
        /// the library gets the job, which must be completed, then its video.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download, the GET of the job included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed (the message says its status).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public long DownloadVideo(string id, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream,
        /// blocking: the library gets the job, which must be completed, then its video.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download, the GET of the job included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public long DownloadVideo(string id, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file without blocking.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download, the GET of the job included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadVideoAsync(string id, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Job(id), Destination.File(path), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream without blocking.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download, the GET of the job included; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadVideoAsync(string id, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Job(id), Destination.To(destination), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads a video read earlier to a file, blocking: by its
        /// <see cref="Video.VideoUrl"/>, or, when it has none (it was not completed when
        /// read), by its id, so that the library gets the job again and says why there is
        /// nothing to download.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public long Download(Video video, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.File(path), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier into a stream, blocking: by its
        /// <see cref="Video.VideoUrl"/>, or by its id when it has none.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, on this thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public long Download(Video video, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.To(destination), progress, timeout, cancellationToken);
        }

        /// <summary>Downloads a video read earlier to a file without blocking: by its
        /// <see cref="Video.VideoUrl"/>, or by its id when it has none.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadAsync(Video video, string path, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Of(video), Destination.File(path), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads a video read earlier into a stream without blocking: by its
        /// <see cref="Video.VideoUrl"/>, or by its id when it has none.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="progress">Told the bytes received so far, from a library thread.</param>
        /// <param name="timeout">Bounds the whole download; null or zero: no bound.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused <paramref name="timeout"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or
        /// <paramref name="progress"/> threw: the download stops with it.</exception>
        public Task<long> DownloadAsync(Video video, Stream destination, IProgress<DownloadProgress> progress = null, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Of(video), Destination.To(destination), progress, timeout, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        // ---- Downloads with DownloadOptions -------------------------------------------
        // The same downloads, with their progress sink, timeout and event tag in one
        // DownloadOptions (null: the defaults). An asynchronous download with an EventTag
        // reports its progress and its end to the client's event queue (TryGetEvent,
        // WaitForEvent, PumpEvents); a blocking one ignores the tag.

        /// <summary>Downloads the video at <paramref name="url"/> to a file, blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout;
        /// the event tag is ignored: a blocking download reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/> (not
        /// http or https), or a string holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure: <see cref="ResultCode.FileSystem"/>
        /// when <paramref name="path"/> cannot be written, <see cref="ResultCode.Decode"/> for a web page.</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public long DownloadUrl(string url, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.File(path), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream, blocking.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout;
        /// the event tag is ignored: a blocking download reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/> for a web page).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public long DownloadUrl(string url, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Url(url), Destination.To(destination), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads the video at <paramref name="url"/> to a file without
        /// blocking, reporting to the client's event queue when <paramref name="options"/>
        /// has an <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>, or a string holds a NUL byte.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public Task<long> DownloadUrlAsync(string url, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Url(url), Destination.File(path), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video at <paramref name="url"/> into a stream without
        /// blocking, reporting to the client's event queue when <paramref name="options"/>
        /// has an <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="url">The video's URL, such as a completed job's <see cref="Video.VideoUrl"/>.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="url"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="url"/>.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public Task<long> DownloadUrlAsync(string url, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Url(url), Destination.To(destination), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file, blocking:
        /// the library gets the job, which must be completed, then its video.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout
        /// (the GET of the job included); the event tag is ignored: a blocking download
        /// reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed (the message says its status).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public long DownloadVideo(string id, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.File(path), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream,
        /// blocking: the library gets the job, which must be completed, then its video.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout
        /// (the GET of the job included); the event tag is ignored: a blocking download
        /// reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public long DownloadVideo(string id, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Job(id), Destination.To(destination), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> to a file without
        /// blocking, reporting to the client's event queue when <paramref name="options"/>
        /// has an <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// (the GET of the job included) and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public Task<long> DownloadVideoAsync(string id, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Job(id), Destination.File(path), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads the video of the job <paramref name="id"/> into a stream without
        /// blocking, reporting to the client's event queue when <paramref name="options"/>
        /// has an <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="id">The job's id.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// (the GET of the job included) and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException">The library refused <paramref name="id"/>: not a
        /// valid id, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">No such job, or no video at its URL.</exception>
        /// <exception cref="AuthenticationException">The API key was refused.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public Task<long> DownloadVideoAsync(string id, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Job(id), Destination.To(destination), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads a video read earlier to a file, blocking: by its
        /// <see cref="Video.VideoUrl"/>, or by its id when it has none.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout;
        /// the event tag is ignored: a blocking download reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download (nothing is left under <paramref name="path"/>).</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public long Download(Video video, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.File(path), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads a video read earlier into a stream, blocking: by its
        /// <see cref="Video.VideoUrl"/>, or by its id when it has none.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="destination">Written on this thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told on this thread) and the timeout;
        /// the event tag is ignored: a blocking download reports no events. Null: neither.</param>
        /// <param name="cancellationToken">Cancels the download.</param>
        /// <returns>The video's size in bytes.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public long Download(Video video, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Download(Source.Of(video), Destination.To(destination), ProgressOf(options), TimeoutOf(options), cancellationToken, nameof(options));
        }

        /// <summary>Downloads a video read earlier to a file without blocking, by its
        /// <see cref="Video.VideoUrl"/> or by its id when it has none, reporting to the
        /// client's event queue when <paramref name="options"/> has an
        /// <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="path">Where the file goes; written beside it and renamed into place when complete.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="path"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.FileSystem"/>,
        /// <see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever the progress sink threw: the download stops with it.</exception>
        public Task<long> DownloadAsync(Video video, string path, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Of(video), Destination.File(path), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        /// <summary>Downloads a video read earlier into a stream without blocking, by its
        /// <see cref="Video.VideoUrl"/> or by its id when it has none, reporting to the
        /// client's event queue when <paramref name="options"/> has an
        /// <see cref="DownloadOptions.EventTag"/>.</summary>
        /// <param name="video">A job read earlier.</param>
        /// <param name="destination">Written from a library thread, each byte once, in order.</param>
        /// <param name="options">The progress sink (told from a library thread), the timeout
        /// and the event tag; null: none of them.</param>
        /// <param name="cancellationToken">Cancels the download: the task is then cancelled.</param>
        /// <returns>A task that ends with the video's size in bytes, before the download's
        /// <see cref="ClientEventKind.Done"/> event is in the queue. This method never
        /// throws: the task faults with the exceptions listed.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="video"/> or <paramref name="destination"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The library refused the timeout of <paramref name="options"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="video"/> has neither URL nor
        /// id, the library refused them, or the job is not completed.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed before the call.</exception>
        /// <exception cref="RequestCancelledException">The client was disposed during the download.</exception>
        /// <exception cref="NotFoundException">HTTP 404: no video there.</exception>
        /// <exception cref="RequestTimeoutException">A timeout passed.</exception>
        /// <exception cref="TogetherVideoException">Any other failure (<see cref="ResultCode.Decode"/>).</exception>
        /// <exception cref="Exception">Whatever <paramref name="destination"/> or the progress
        /// sink threw: the download stops with it.</exception>
        public Task<long> DownloadAsync(Video video, Stream destination, DownloadOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            try
            {
                return DownloadAsync(Source.Of(video), Destination.To(destination), options, cancellationToken);
            }
            catch (Exception e)
            {
                return Faulted<long>(e, cancellationToken);
            }
        }

        private static IProgress<DownloadProgress> ProgressOf(DownloadOptions options)
        {
            return options != null ? options.Progress : null;
        }

        private static TimeSpan? TimeoutOf(DownloadOptions options)
        {
            return options != null ? options.Timeout : null;
        }

        /// <summary>What a download reads: a URL or a job id, as native text, and the
        /// parameter that gave it (named by an ArgumentException when the library refuses it).</summary>
        private struct Source
        {
            public bool IsJob;
            public byte[] Text;
            public string ParamName;

            public static Source Url(string url)
            {
                return new Source { Text = Utf8.Required(url, nameof(url)), ParamName = nameof(url) };
            }

            public static Source Job(string id)
            {
                return new Source { IsJob = true, Text = Utf8.Required(id, nameof(id)), ParamName = nameof(id) };
            }

            public static Source Of(Video video)
            {
                if (video == null) throw new ArgumentNullException(nameof(video));
                if (!string.IsNullOrEmpty(video.VideoUrl))
                    return new Source { Text = Utf8.ToNative(video.VideoUrl, "VideoUrl", nameof(video)), ParamName = nameof(video) };
                if (video.Id == null) throw new ArgumentException("the video has neither a VideoUrl nor an Id", nameof(video));
                return new Source { IsJob = true, Text = Utf8.ToNative(video.Id, "Id", nameof(video)), ParamName = nameof(video) };
            }
        }

        /// <summary>Where a download goes: a file path as native text, or a stream.</summary>
        private struct Destination
        {
            public byte[] Path;
            public Stream Stream;

            public static Destination File(string path)
            {
                return new Destination { Path = Utf8.Required(path, nameof(path)) };
            }

            public static Destination To(Stream destination)
            {
                if (destination == null) throw new ArgumentNullException(nameof(destination));
                return new Destination { Stream = destination };
            }
        }

        // A blocking download; a timeout the library refuses is an ArgumentOutOfRangeException
        // for timeoutParam. (No XML comment: the documentation tests count the public
        // Download overloads by name.)
        private long Download(Source source, Destination destination, IProgress<DownloadProgress> progress, TimeSpan? timeout,
            CancellationToken cancellationToken, string timeoutParam = "timeout")
        {
            var client = Handle;
            using (var call = new BlockingCall(timeout, timeoutParam, cancellationToken, null, progress, destination.Stream))
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
                    code = source.IsJob
                        ? Native.tv_download_video_to_callback(client, source.Text, Callbacks.Write, call.UserData, call.Options, out bytes, out error)
                        : Native.tv_download_url_to_callback(client, source.Text, Callbacks.Write, call.UserData, call.Options, out bytes, out error);
                }
                if (code != Native.Ok) throw call.Failure(code, error, source.ParamName);
                error.Dispose();
                return (long)bytes;
            }
        }

        private Task<long> DownloadAsync(Source source, Destination destination, IProgress<DownloadProgress> progress, TimeSpan? timeout,
            CancellationToken cancellationToken)
        {
            return new DownloadCall(source, destination, cancellationToken, progress).Begin(Handle, timeout, nameof(timeout));
        }

        private Task<long> DownloadAsync(Source source, Destination destination, DownloadOptions options, CancellationToken cancellationToken)
        {
            return new DownloadCall(source, destination, cancellationToken, ProgressOf(options))
                .Begin(Handle, TimeoutOf(options), nameof(options), options != null ? options.EventTag : null);
        }

        private sealed class DownloadCall : AsyncCall<long>
        {
            private readonly Source source;
            private readonly Destination destination;

            public DownloadCall(Source source, Destination destination, CancellationToken cancellationToken, IProgress<DownloadProgress> progress)
                : base(source.ParamName, cancellationToken, null, progress, destination.Stream)
            {
                this.source = source;
                this.destination = destination;
            }

            // The request's result has no size: the last progress report gives it.
            protected override bool TracksBytes { get { return true; } }

            protected override int Start(ClientHandle client, CallOptionsHandle options, out IntPtr started, out IntPtr error)
            {
                if (destination.Stream == null)
                {
                    return source.IsJob
                        ? Native.tv_download_video_to_file_start(client, source.Text, destination.Path, options, out started, out error)
                        : Native.tv_download_url_to_file_start(client, source.Text, destination.Path, options, out started, out error);
                }
                return source.IsJob
                    ? Native.tv_download_video_to_callback_start(client, source.Text, Callbacks.Write, UserData, options, out started, out error)
                    : Native.tv_download_url_to_callback_start(client, source.Text, Callbacks.Write, UserData, options, out started, out error);
            }

            protected override long Result(IntPtr video)
            {
                if (video != IntPtr.Zero) Native.tv_video_free(video);
                return Received;
            }
        }
    }
}
