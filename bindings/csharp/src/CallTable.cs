using System;
using System.Threading;

namespace TogetherVideo
{
    /// <summary>What a native callback's user_data stands for: a small number naming a
    /// call kept here, alive, until it is removed. Every call with callbacks needs one
    /// (every asynchronous call does); a GCHandle costs an internal call each to make, read
    /// and free it, about 110 ns in all under Mono 6.8 against 55 ns here.
    ///
    /// Numbers start at 1 (user_data is never NULL) and are reused once removed. A callback
    /// reads its entry without the lock: the entry was written before the number reached
    /// the library, which hands it to the callback's thread through its own locks, and the
    /// entries array only grows, each new one a copy of the last.</summary>
    internal static class CallTable
    {
        private static readonly object gate = new object();
        private static NativeCall[] entries = new NativeCall[64];
        private static int[] unused = new int[64];
        private static int unusedCount;
        private static int highWater;

        /// <summary>Keeps <paramref name="call"/> until Remove, under the number returned.</summary>
        public static IntPtr Add(NativeCall call)
        {
            lock (gate)
            {
                int index;
                if (unusedCount > 0)
                {
                    index = unused[--unusedCount];
                }
                else
                {
                    if (highWater == entries.Length)
                    {
                        var grown = new NativeCall[entries.Length * 2];
                        Array.Copy(entries, grown, highWater);
                        Array.Resize(ref unused, grown.Length);
                        Volatile.Write(ref entries, grown);
                    }
                    index = highWater++;
                }
                entries[index] = call;
                return new IntPtr(index + 1);
            }
        }

        /// <summary>The call kept under <paramref name="number"/>, which Add returned and
        /// Remove has not yet been given.</summary>
        public static NativeCall Get(IntPtr number)
        {
            return Volatile.Read(ref entries)[number.ToInt32() - 1];
        }

        /// <summary>Lets go of the call under <paramref name="number"/>; the number may be
        /// given out again.</summary>
        public static void Remove(IntPtr number)
        {
            lock (gate)
            {
                int index = number.ToInt32() - 1;
                // Removing twice would give one number to two later calls.
                if (entries[index] == null) throw new InvalidOperationException("a call was removed from the CallTable twice");
                entries[index] = null;
                unused[unusedCount++] = index;
            }
        }
    }
}
