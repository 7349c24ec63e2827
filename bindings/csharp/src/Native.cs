// The C ABI of together_video.h as P/Invoke declarations, and the SafeHandles that own
// its handles. Everything here is internal: the public API is TogetherVideoClient, Video
// and friends.
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace TogetherVideo
{
    /// <summary>Marks a static method that native code calls back (needed by Unity's IL2CPP).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type delegateType) { DelegateType = delegateType; }
        public Type DelegateType { get; private set; }
    }

    /// <summary>TvVideo, field for field (bool is one byte in C).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvVideo
    {
        public IntPtr id;
        public IntPtr @object;
        public IntPtr model;
        public int status;
        public IntPtr status_raw;
        public double created_at;
        [MarshalAs(UnmanagedType.I1)] public bool has_completed_at;
        public double completed_at;
        public IntPtr size;
        public IntPtr seconds;
        public IntPtr error_code;
        public IntPtr error_message;
        [MarshalAs(UnmanagedType.I1)] public bool has_outputs;
        public double cost;
        public IntPtr video_url;
        public IntPtr json;
    }

    /// <summary>TvLogEvent, field for field: blittable (bool as a byte), so that copying
    /// one out is a plain copy of its bytes. Valid only during the log callback.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvLogEvent
    {
        public uint size;
        public int level;
        public int kind;
        public IntPtr message;
        public IntPtr method;
        public IntPtr url;
        public uint attempt;
        public ushort status;
        public ulong duration_us;
        public IntPtr request_id;
        public ulong bytes;
        public IntPtr reason;
        public ulong delay_ms;
        public byte delay_from_server;
        public IntPtr job_id;
        public IntPtr job_status;
        public ulong offset;
        public long total;
        public int result;
        public IntPtr detail;
    }

    /// <summary>TvEvent, field for field: blittable, so that copying one out is a plain
    /// copy of its bytes. Owned by the library until tv_event_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvEvent
    {
        public uint size;
        public int kind;
        public ulong tag;
        public IntPtr job_id;
        public int status;
        public IntPtr status_raw;
        public ulong received;
        public long total;
        public int result;
        public uint coalesced;
    }

    /// <summary>TvJournalJob, field for field: one entry of the journal, its strings owned
    /// by the list it came in (freed with it by tv_journal_jobs_free).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvJournalJob
    {
        public uint size;
        public ulong entry;
        public IntPtr id;
        public IntPtr model;
        public double created_at;
        public IntPtr request_hash;
        public IntPtr status_raw;
        public IntPtr destination;
    }

    /// <summary>TvJournalJobs, field for field: <c>count</c> entries, read with
    /// tv_journal_jobs_get.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvJournalJobs
    {
        public UIntPtr count;
    }

    /// <summary>TvClientStats, field for field; <c>size</c> is set to its size before the
    /// call (the library fills what fits and says how much it filled).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TvClientStats
    {
        /// <summary>TV_STATS_ERROR_SLOTS.</summary>
        public const int ErrorSlots = 32;

        public uint size;
        public ulong requests;
        public ulong attempts;
        public ulong retries_rate_limited;
        public ulong retries_server;
        public ulong retries_connection;
        public ulong retries_timeout;
        public ulong responses_1xx;
        public ulong responses_2xx;
        public ulong responses_3xx;
        public ulong responses_4xx;
        public ulong responses_5xx;
        public ulong bytes_sent;
        public ulong bytes_received;
        public ulong connections_opened;
        public ulong connections_reused;
        public ulong requests_in_flight;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = ErrorSlots)] public ulong[] errors;
    }

    /// <summary>Counts the handle wrappers alive, so tests can see that none leak.</summary>
    internal static class HandleCount
    {
        private static long live;
        public static long Live { get { return Interlocked.Read(ref live); } }
        public static void Add() { Interlocked.Increment(ref live); }
        public static void Remove() { Interlocked.Decrement(ref live); }
    }

    /// <summary>A handle the library allocated, released by one tv_*_free function.</summary>
    internal abstract class NativeHandle : SafeHandle
    {
        private int disposed;

        protected NativeHandle() : base(IntPtr.Zero, true) { HandleCount.Add(); }

        /// <summary>Takes over <paramref name="owned"/>, which the library just returned.</summary>
        protected NativeHandle(IntPtr owned) : this() { SetHandle(owned); }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected sealed override bool ReleaseHandle()
        {
            Free(handle);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) HandleCount.Remove();
            base.Dispose(disposing);
        }

        protected abstract void Free(IntPtr pointer);
    }

    internal sealed class ClientHandle : NativeHandle
    {
        private GCHandle logSink;

        private int inlineLimit;
        private int inline;

        /// <summary>How many Tasks may end on the client's library threads at once, their
        /// continuations running there (set once, before the handle is shared): one fewer
        /// than the worker threads, so that one always serves the calls, whatever those
        /// continuations do; 0 ends every Task on the thread pool.</summary>
        public void LimitInlineContinuations(int limit) { inlineLimit = limit; }

        /// <summary>Whether any Task may end with its continuations on a library thread.</summary>
        public bool MayEndTasksInline { get { return inlineLimit > 0; } }

        /// <summary>Claims a place for a Task to end on this thread, or says there is none.</summary>
        public bool TryEnterInline()
        {
            if (Interlocked.Increment(ref inline) <= inlineLimit) return true;
            Interlocked.Decrement(ref inline);
            return false;
        }

        /// <summary>Gives back the place TryEnterInline claimed.</summary>
        public void ExitInline() { Interlocked.Decrement(ref inline); }

        /// <summary>Keeps <paramref name="sink"/>, the log callback's user_data, until the
        /// client is freed. Called once, before the handle is shared.</summary>
        public void KeepLogSink(GCHandle sink) { logSink = sink; }

        protected override void Free(IntPtr pointer)
        {
            Native.tv_client_free(pointer);
            // The library calls the log callback no more once tv_client_free has returned.
            if (logSink.IsAllocated) logSink.Free();
        }
    }

    internal sealed class VideoHandle : NativeHandle
    {
        protected override void Free(IntPtr pointer) { Native.tv_video_free(pointer); }
    }

    internal sealed class ErrorHandle : NativeHandle
    {
        public ErrorHandle() { }

        /// <summary>Owns <paramref name="owned"/> (zero: holds nothing).</summary>
        public ErrorHandle(IntPtr owned) : base(owned) { }

        protected override void Free(IntPtr pointer) { Native.tv_error_free(pointer); }
    }

    internal sealed class ClientOptionsHandle : NativeHandle
    {
        protected override void Free(IntPtr pointer) { Native.tv_client_options_free(pointer); }
    }

    internal sealed class CreateParamsHandle : NativeHandle
    {
        protected override void Free(IntPtr pointer) { Native.tv_create_params_free(pointer); }
    }

    internal sealed class WaitOptionsHandle : NativeHandle
    {
        /// <summary>Passes NULL: the library's default wait options (see CallOptionsHandle.None).</summary>
        public static readonly WaitOptionsHandle None = new WaitOptionsHandle();

        protected override void Free(IntPtr pointer) { Native.tv_wait_options_free(pointer); }
    }

    internal sealed class CallOptionsHandle : NativeHandle
    {
        /// <summary>Passes NULL: a call with nothing to bound, cancel or follow. Its pointer
        /// is zero, so it is never freed, and it may serve any number of calls at once.</summary>
        public static readonly CallOptionsHandle None = new CallOptionsHandle();

        protected override void Free(IntPtr pointer) { Native.tv_call_options_free(pointer); }
    }

    internal sealed class CancelTokenHandle : NativeHandle
    {
        protected override void Free(IntPtr pointer) { Native.tv_cancel_token_free(pointer); }
    }

    internal static class Utf8
    {
        /// <summary>NUL-terminated UTF-8 for a string argument; null stays null. Native code
        /// would read the text only up to a NUL, so text holding one is refused with an
        /// ArgumentException for <paramref name="paramName"/> whose message names
        /// <paramref name="argument"/> (the parameter itself, or a property of it).</summary>
        public static byte[] ToNative(string text, string argument, string paramName)
        {
            if (text == null) return null;
            if (text.IndexOf('\0') >= 0) throw new ArgumentException(argument + " contains a NUL byte", paramName);
            int length = Encoding.UTF8.GetByteCount(text);
            var bytes = new byte[length + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        /// <summary>A required string parameter as native text: ArgumentNullException for
        /// null, ArgumentException for a NUL byte.</summary>
        public static byte[] Required(string text, string paramName)
        {
            if (text == null) throw new ArgumentNullException(paramName);
            return ToNative(text, paramName, paramName);
        }

        /// <summary>A NUL-terminated UTF-8 string owned by the library; IntPtr.Zero gives null.</summary>
        public static string FromNative(IntPtr pointer)
        {
            if (pointer == IntPtr.Zero) return null;
            int length = 0;
            while (Marshal.ReadByte(pointer, length) != 0) length++;
            var bytes = new byte[length];
            Marshal.Copy(pointer, bytes, 0, length);
            return Encoding.UTF8.GetString(bytes);
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void RequestCallback(IntPtr userData);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int WaitProgressCallback(IntPtr userData, IntPtr video);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int DownloadProgressCallback(IntPtr userData, ulong received, long total);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int WriteCallback(IntPtr userData, IntPtr data, UIntPtr length);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void LogCallback(IntPtr userData, IntPtr logEvent);

    internal static class Native
    {
        /// <summary>The name every DllImport gives: Mono and .NET look for
        /// libtogether_video.so, libtogether_video.dylib or together_video.dll (Mono through
        /// TogetherVideo.dll.config's dllmap). iOS links the library into the app, so Unity
        /// builds for it import from the app itself.</summary>
#if (UNITY_IOS || UNITY_TVOS) && !UNITY_EDITOR
        public const string Library = "__Internal";
#else
        public const string Library = "together_video";
#endif
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        public const int Ok = 0;
        public const int RequestPending = 0;

        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_version();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_result_name(int code);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_last_error_message();

        [DllImport(Library, CallingConvention = Cdecl)] public static extern CallOptionsHandle tv_call_options_new();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_call_options_free(IntPtr options);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_call_options_set_timeout_ms(CallOptionsHandle options, long ms);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_call_options_set_cancel_token(CallOptionsHandle options, CancelTokenHandle token);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_call_options_set_wait_progress(CallOptionsHandle options, WaitProgressCallback callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_call_options_set_download_progress(CallOptionsHandle options, DownloadProgressCallback callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_call_options_set_event_tag(CallOptionsHandle options, ulong tag);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern CancelTokenHandle tv_cancel_token_new();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_cancel_token_cancel(CancelTokenHandle token);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_cancel_token_free(IntPtr token);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern ClientOptionsHandle tv_client_options_new();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_client_options_free(IntPtr options);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_api_key(ClientOptionsHandle options, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_base_url(ClientOptionsHandle options, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_timeout_ms(ClientOptionsHandle options, long ms);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_connect_timeout_ms(ClientOptionsHandle options, long ms);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_max_retries(ClientOptionsHandle options, long maxRetries);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_user_agent_suffix(ClientOptionsHandle options, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_ca_file(ClientOptionsHandle options, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_system_roots(ClientOptionsHandle options, int enabled);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_proxy(ClientOptionsHandle options, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_worker_threads(ClientOptionsHandle options, long threads);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_max_concurrent_requests(ClientOptionsHandle options, long maxRequests);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_log_callback(ClientOptionsHandle options, int maxLevel, LogCallback callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_new_with_options(ClientOptionsHandle options, out ClientHandle client, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_client_free(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_stats(ClientHandle client, ref TvClientStats stats);
        // The event is a plain pointer, freed by the caller at once: no SafeHandle (a
        // finalizable object) per call, so a frame loop that finds the queue empty
        // allocates nothing.
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_next_event(ClientHandle client, long timeoutMs, out IntPtr clientEvent);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_event_free(IntPtr clientEvent);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_client_options_set_journal(ClientOptionsHandle options, byte[] path);
        // The list is a plain pointer, copied out and freed by the caller at once.
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_journal_unfinished(ClientHandle client, out IntPtr jobs);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_journal_jobs_free(IntPtr jobs);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_journal_jobs_get(IntPtr jobs, UIntPtr index);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_journal_forget(ClientHandle client, ulong entry);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_resume_job(ClientHandle client, byte[] id, byte[] path, WaitOptionsHandle wait, CallOptionsHandle call, out VideoHandle video, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_resume_job_start(ClientHandle client, byte[] id, byte[] path, WaitOptionsHandle wait, CallOptionsHandle call, out IntPtr request, out IntPtr error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_get_video(ClientHandle client, byte[] id, CallOptionsHandle call, out VideoHandle video, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_get_video_start(ClientHandle client, byte[] id, CallOptionsHandle call, out IntPtr request, out IntPtr error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_video_free(IntPtr video);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_video_from_json(byte[] json, out VideoHandle video, out ErrorHandle error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_error_code(ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_error_message(ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern ushort tv_error_http_status(ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern IntPtr tv_error_request_id(ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_error_free(IntPtr error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern CreateParamsHandle tv_create_params_new();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_create_params_free(IntPtr parameters);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_model(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_prompt(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_negative_prompt(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_width(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_height(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_resolution(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_ratio(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_seconds(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_fps(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_steps(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_seed(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_guidance_scale(CreateParamsHandle p, double value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_output_format(CreateParamsHandle p, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_output_quality(CreateParamsHandle p, long value);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_generate_audio(CreateParamsHandle p, int enabled);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_add_frame_image(CreateParamsHandle p, byte[] url, int position, double frame);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_add_frame_video(CreateParamsHandle p, byte[] url);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_add_reference_image(CreateParamsHandle p, byte[] url);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_add_reference_video(CreateParamsHandle p, byte[] url);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_source_video(CreateParamsHandle p, byte[] url, int asObject);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_add_audio_input(CreateParamsHandle p, byte[] url, int asObject);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_params_set_json_field(CreateParamsHandle p, byte[] name, byte[] json);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_video(ClientHandle client, CreateParamsHandle p, CallOptionsHandle call, out VideoHandle video, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_create_video_start(ClientHandle client, CreateParamsHandle p, CallOptionsHandle call, out IntPtr request, out IntPtr error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern WaitOptionsHandle tv_wait_options_new();
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_wait_options_free(IntPtr options);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_wait_options_set_poll_interval_ms(WaitOptionsHandle options, long ms);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_wait_video(ClientHandle client, byte[] id, WaitOptionsHandle wait, CallOptionsHandle call, out VideoHandle video, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_wait_video_start(ClientHandle client, byte[] id, WaitOptionsHandle wait, CallOptionsHandle call, out IntPtr request, out IntPtr error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_url_to_file(ClientHandle client, byte[] url, byte[] path, CallOptionsHandle call, out ulong bytes, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_url_to_callback(ClientHandle client, byte[] url, WriteCallback write, IntPtr userData, CallOptionsHandle call, out ulong bytes, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_video_to_file(ClientHandle client, byte[] id, byte[] path, CallOptionsHandle call, out ulong bytes, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_video_to_callback(ClientHandle client, byte[] id, WriteCallback write, IntPtr userData, CallOptionsHandle call, out ulong bytes, out ErrorHandle error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_url_to_file_start(ClientHandle client, byte[] url, byte[] path, CallOptionsHandle call, out IntPtr request, out IntPtr error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_url_to_callback_start(ClientHandle client, byte[] url, WriteCallback write, IntPtr userData, CallOptionsHandle call, out IntPtr request, out IntPtr error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_video_to_file_start(ClientHandle client, byte[] id, byte[] path, CallOptionsHandle call, out IntPtr request, out IntPtr error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_download_video_to_callback_start(ClientHandle client, byte[] id, WriteCallback write, IntPtr userData, CallOptionsHandle call, out IntPtr request, out IntPtr error);

        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_request_poll(IntPtr request);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_request_cancel(IntPtr request);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_request_on_complete(IntPtr request, IntPtr callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern int tv_request_result(IntPtr request, out IntPtr video, out IntPtr error);
        [DllImport(Library, CallingConvention = Cdecl)] public static extern void tv_request_free(IntPtr request);
    }
}
