using System;

namespace TogetherVideo
{
    /// <summary>How far a download has come, as reported to an
    /// <see cref="IProgress{T}"/> of downloads.</summary>
    public struct DownloadProgress
    {
        /// <summary>A report of <paramref name="bytesReceived"/> out of
        /// <paramref name="totalBytes"/>.</summary>
        /// <param name="bytesReceived">The bytes received so far.</param>
        /// <param name="totalBytes">The video's size, or null when the server did not say.</param>
        public DownloadProgress(long bytesReceived, long? totalBytes)
        {
            BytesReceived = bytesReceived;
            TotalBytes = totalBytes;
        }

        /// <summary>The bytes received so far.</summary>
        public long BytesReceived { get; }

        /// <summary>The video's size in bytes, or null when the server did not say.</summary>
        public long? TotalBytes { get; }

        /// <summary>"received/total bytes", or "received bytes" when the total is unknown.</summary>
        /// <returns>A short description for logs.</returns>
        public override string ToString()
        {
            return TotalBytes.HasValue ? BytesReceived + "/" + TotalBytes.Value + " bytes" : BytesReceived + " bytes";
        }
    }
}
