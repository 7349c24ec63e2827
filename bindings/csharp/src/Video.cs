using System;
using System.Runtime.InteropServices;

namespace TogetherVideo
{
    /// <summary>A job's status. Unknown stands for any status this version does not know
    /// (Video.StatusRaw has the server's text).</summary>
    public enum VideoStatus
    {
        Unknown = 0,
        Queued = 1,
        InProgress = 2,
        Completed = 3,
        Failed = 4,
        Cancelled = 5,
    }

    /// <summary>A video job, copied out of the native library. Immutable. Absent strings
    /// are null; absent times, and times outside DateTimeOffset's range, are null.</summary>
    public sealed class Video
    {
        private Video() { }

        public string Id { get; private set; }
        public string Object { get; private set; }
        public string Model { get; private set; }
        public VideoStatus Status { get; private set; }
        /// <summary>The status exactly as the server sent it.</summary>
        public string StatusRaw { get; private set; }
        public DateTimeOffset? CreatedAt { get; private set; }
        public DateTimeOffset? CompletedAt { get; private set; }
        /// <summary>The resolution, e.g. "1366x768".</summary>
        public string Size { get; private set; }
        /// <summary>The clip's length in seconds, as text.</summary>
        public string Seconds { get; private set; }
        public string ErrorCode { get; private set; }
        public string ErrorMessage { get; private set; }
        /// <summary>True once the job has outputs (cost and URL).</summary>
        public bool HasOutputs { get; private set; }
        public double Cost { get; private set; }
        public string VideoUrl { get; private set; }
        /// <summary>The response body as received.</summary>
        public string Json { get; private set; }

        /// <summary>True once the job will not change any more.</summary>
        public bool IsTerminal
        {
            get { return Status == VideoStatus.Completed || Status == VideoStatus.Failed || Status == VideoStatus.Cancelled; }
        }

        public override string ToString() { return Id + " (" + StatusRaw + ")"; }

        /// <summary>Copies a native video; does not free it.</summary>
        internal static Video FromNative(IntPtr pointer)
        {
            var native = (TvVideo)Marshal.PtrToStructure(pointer, typeof(TvVideo));
            return new Video
            {
                Id = Utf8.FromNative(native.id),
                Object = Utf8.FromNative(native.@object),
                Model = Utf8.FromNative(native.model),
                Status = Enum.IsDefined(typeof(VideoStatus), native.status) ? (VideoStatus)native.status : VideoStatus.Unknown,
                StatusRaw = Utf8.FromNative(native.status_raw),
                CreatedAt = native.created_at != 0 ? FromUnix(native.created_at) : null,
                CompletedAt = native.has_completed_at ? FromUnix(native.completed_at) : null,
                Size = Utf8.FromNative(native.size),
                Seconds = Utf8.FromNative(native.seconds),
                ErrorCode = Utf8.FromNative(native.error_code),
                ErrorMessage = Utf8.FromNative(native.error_message),
                HasOutputs = native.has_outputs,
                Cost = native.cost,
                VideoUrl = Utf8.FromNative(native.video_url),
                Json = Utf8.FromNative(native.json),
            };
        }

        /// <summary>Copies a native video and frees it.</summary>
        internal static Video Take(VideoHandle handle)
        {
            using (handle)
            {
                bool added = false;
                try
                {
                    handle.DangerousAddRef(ref added);
                    return FromNative(handle.DangerousGetHandle());
                }
                finally
                {
                    if (added) handle.DangerousRelease();
                }
            }
        }

        private static readonly DateTimeOffset UnixEpoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>Unix seconds as a time, or null for one that DateTimeOffset cannot hold
        /// (before year 1 or after 9999, NaN, infinite): a server's odd value must not fail
        /// the call that read it.</summary>
        private static DateTimeOffset? FromUnix(double seconds)
        {
            double ticks = Math.Round(seconds * TimeSpan.TicksPerSecond);
            // NaN fails this test too; under 4e18 ticks (12 700 years) the cast cannot overflow.
            if (!(Math.Abs(ticks) < 4e18)) return null;
            long fromEpoch = (long)ticks;
            if (fromEpoch < DateTimeOffset.MinValue.UtcTicks - UnixEpoch.UtcTicks
                || fromEpoch > DateTimeOffset.MaxValue.UtcTicks - UnixEpoch.UtcTicks) return null;
            return UnixEpoch.AddTicks(fromEpoch);
        }
    }
}
