// The client's event queue (TvEvent in together_video.h): what the asynchronous calls
// made with an event tag report, copied out of the library's event and freed at once.
using System;
using System.Runtime.InteropServices;

namespace TogetherVideo
{
    /// <summary>What a <see cref="ClientEvent"/> reports (TvEventKind in together_video.h;
    /// the numbers never change). A newer library may send kinds this version does not
    /// know: they arrive as their number, with only <see cref="ClientEvent.Tag"/> to go by.
    /// Skip those.</summary>
    public enum ClientEventKind
    {
        /// <summary>A wait saw its job's status change, its first poll included:
        /// <see cref="ClientEvent.JobId"/>, <see cref="ClientEvent.Status"/>,
        /// <see cref="ClientEvent.StatusRaw"/>.</summary>
        StatusChanged = 1,
        /// <summary>A download received more bytes: <see cref="ClientEvent.BytesReceived"/>
        /// and <see cref="ClientEvent.TotalBytes"/>.</summary>
        DownloadProgress = 2,
        /// <summary>The call is over, and its Task has ended already: await it (or read its
        /// Result) for the outcome. <see cref="ClientEvent.Result"/> says how it ended.
        /// Always a call's last event.</summary>
        Done = 3,
    }

    /// <summary>One event of a client's queue: an asynchronous call made with an event tag
    /// (<see cref="WaitOptions.EventTag"/>, <see cref="DownloadOptions.EventTag"/>) saw its
    /// job's status change, received bytes, or ended. Read them with
    /// <see cref="TogetherVideoClient.TryGetEvent(out ClientEvent)"/>,
    /// <see cref="TogetherVideoClient.WaitForEvent(TimeSpan, System.Threading.CancellationToken)"/>
    /// or <see cref="TogetherVideoClient.PumpEvents(Action{ClientEvent}, int)"/>.</summary>
    /// <remarks>
    /// <para>Immutable: a copy of the library's event, which is freed as soon as it is
    /// copied; safe to keep and to pass to another thread. Properties that do not apply to
    /// its <see cref="Kind"/> are null, 0, <see cref="VideoStatus.Unknown"/> or
    /// <see cref="ResultCode.Ok"/>.</para>
    /// <para>A call's events come out in the order they happened, its
    /// <see cref="ClientEventKind.Done"/> event last, and none is lost. The queue stays
    /// small however slowly it is read: while a call's status or progress event still
    /// waits to be read, a newer one updates it in place (the latest values;
    /// <see cref="Coalesced"/> counts the updates it stands for), so only intermediate
    /// states are ever merged.</para>
    /// </remarks>
    public sealed class ClientEvent
    {
        private ClientEvent() { }

        /// <summary>What this event reports.</summary>
        public ClientEventKind Kind { get; private set; }

        /// <summary>The tag the call was started with (<see cref="WaitOptions.EventTag"/>,
        /// <see cref="DownloadOptions.EventTag"/>): which of your calls this is about.</summary>
        public long Tag { get; private set; }

        /// <summary>The waited job's id (<see cref="ClientEventKind.StatusChanged"/>), else null.</summary>
        public string JobId { get; private set; }

        /// <summary>The job's new status (<see cref="ClientEventKind.StatusChanged"/>);
        /// <see cref="VideoStatus.Unknown"/> for a status this version does not know, and for
        /// other kinds.</summary>
        public VideoStatus Status { get; private set; }

        /// <summary>The job's new status as the server sent it
        /// (<see cref="ClientEventKind.StatusChanged"/>), else null.</summary>
        public string StatusRaw { get; private set; }

        /// <summary>The bytes a download has received so far
        /// (<see cref="ClientEventKind.DownloadProgress"/>), else 0.</summary>
        public long BytesReceived { get; private set; }

        /// <summary>The video's size in bytes (<see cref="ClientEventKind.DownloadProgress"/>),
        /// or null when the server did not say, and for other kinds.</summary>
        public long? TotalBytes { get; private set; }

        /// <summary>How the call ended (<see cref="ClientEventKind.Done"/>):
        /// <see cref="ResultCode.Ok"/> for success (also for a wait whose job failed on
        /// Together's side: read the Task's <see cref="Video"/>), else the code of the
        /// failure the Task holds (<see cref="ResultCode.Cancelled"/> for a cancelled token).</summary>
        public ResultCode Result { get; private set; }

        /// <summary>How many of the library's reports this event stands for: 1, or more when
        /// newer ones updated it in place while it waited in the queue (0 from a library
        /// that does not count them).</summary>
        public int Coalesced { get; private set; }

        /// <summary>A short description for logs, e.g. "tag 3: status_changed vid_1 in_progress",
        /// "tag 4: download_progress 1024/262144 bytes", "tag 4: done Ok".</summary>
        /// <returns>The description, on one line.</returns>
        public override string ToString()
        {
            var head = "tag " + Tag + ": ";
            switch (Kind)
            {
                case ClientEventKind.StatusChanged:
                    return head + "status_changed " + JobId + " " + StatusRaw;
                case ClientEventKind.DownloadProgress:
                    return head + "download_progress " + new DownloadProgress(BytesReceived, TotalBytes);
                case ClientEventKind.Done:
                    return head + "done " + Result;
                default:
                    return head + "kind_" + (int)Kind;
            }
        }

        private static readonly int FullSize = Marshal.SizeOf(typeof(TvEvent));
        private static readonly int TotalEnd = Marshal.OffsetOf(typeof(TvEvent), "total").ToInt32() + 8;

        /// <summary>Copies a native event (which the caller frees). A library built before
        /// a field was added sends a shorter struct (its <c>size</c> says so): the fields it
        /// does not cover read as absent, never as the bytes that follow it.</summary>
        internal static ClientEvent FromNative(IntPtr pointer)
        {
            int size = Marshal.ReadInt32(pointer);
            TvEvent native;
            if (size >= FullSize)
            {
                native = (TvEvent)Marshal.PtrToStructure(pointer, typeof(TvEvent));
            }
            else
            {
                var bytes = new byte[FullSize];
                Marshal.Copy(pointer, bytes, 0, Math.Max(size, 4));
                var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
                try
                {
                    native = (TvEvent)Marshal.PtrToStructure(pin.AddrOfPinnedObject(), typeof(TvEvent));
                }
                finally
                {
                    pin.Free();
                }
                if (size < TotalEnd) native.total = -1;
            }
            return new ClientEvent
            {
                Kind = (ClientEventKind)native.kind,
                Tag = unchecked((long)native.tag),
                JobId = Utf8.FromNative(native.job_id),
                Status = (VideoStatus)native.status,
                StatusRaw = Utf8.FromNative(native.status_raw),
                BytesReceived = (long)Math.Min(native.received, long.MaxValue),
                TotalBytes = native.total >= 0 ? native.total : (long?)null,
                Result = (ResultCode)native.result,
                Coalesced = (int)Math.Min(native.coalesced, int.MaxValue),
            };
        }
    }
}
