// Tests that need a process of their own: one where the native library cannot load, and
// one whose thread count no other test has touched. The test runner starts itself again
// with an argument naming the child (Program.Main), and checks what the child printed.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        private const string LoadFailureChild = "load-failure";
        private const string ThreadsChild = "threads";

        /// <summary>Runs the child process <paramref name="name"/>: its output is for the
        /// test that started it, its exit status says whether it got that far.</summary>
        private static int Child(string name)
        {
            switch (name)
            {
                case LoadFailureChild: return LoadFailure();
                case ThreadsChild: return ThousandWaits();
                default:
                    Console.Error.WriteLine("unknown child process: " + name);
                    return 2;
            }
        }

        /// <summary>Runs this test program again as the child <paramref name="name"/> under
        /// the same runtime, with <paramref name="environment"/> changed, and returns its
        /// exit status and output; from <paramref name="program"/>, a copy of it, when given.</summary>
        private static KeyValuePair<int, string> RunChild(string name, IDictionary<string, string> environment, string program = null)
        {
            var runtime = Process.GetCurrentProcess().MainModule.FileName;
            program = program ?? typeof(Program).Assembly.Location;
            // Mono, or CoreCLR's host (which finds the program's runtimeconfig.json beside it).
            string arguments = Type.GetType("Mono.Runtime") != null ? "--debug \"" + program + "\" " + name
                : Path.GetFileNameWithoutExtension(runtime) == "dotnet" ? "exec \"" + program + "\" " + name
                : null;
            var start = new ProcessStartInfo
            {
                FileName = arguments != null ? runtime : program,
                Arguments = arguments ?? name,
                UseShellExecute = false,
                // Its own directory: Windows also looks for a DLL in the working directory.
                WorkingDirectory = Path.GetDirectoryName(program),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var variable in environment) start.EnvironmentVariables[variable.Key] = variable.Value;
            using (var child = Process.Start(start))
            {
                var error = child.StandardError.ReadToEndAsync();
                var output = child.StandardOutput.ReadToEnd();
                if (!child.WaitForExit(120000))
                {
                    child.Kill();
                    throw new Exception("the child process " + name + " did not end within 2 minutes");
                }
                return new KeyValuePair<int, string>(child.ExitCode, output + error.Result);
            }
        }

        /// <summary>Checks that a child exited with 0 having printed each of <paramref name="expected"/>.</summary>
        private static void CheckChildSaid(KeyValuePair<int, string> run, IEnumerable<string> expected)
        {
            Equal(0, run.Key, "the child's exit status; it printed:\n" + run.Value);
            foreach (var text in expected) Check(run.Value.Contains(text), "the message says \"" + text + "\"; it is:\n" + run.Value);
        }

        // ---- The native library cannot be loaded ------------------------------------

        /// <summary>In a process where the library cannot load: prints the exception the
        /// first call gets, type first, then its message.</summary>
        private static int LoadFailure()
        {
            try
            {
                new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "k" }).Dispose();
                Console.WriteLine("the library loaded");
                return 1;
            }
            catch (Exception e)
            {
                Console.WriteLine("type: " + e.GetType().FullName);
                Console.WriteLine("inner: " + (e.InnerException == null ? "none" : e.InnerException.GetType().FullName));
                Console.WriteLine(e.Message);
            }
            // The version, the other way in, says the same.
            try
            {
                Console.WriteLine("version: " + TogetherVideoClient.Version);
                return 1;
            }
            catch (Exception e) when (e is DllNotFoundException || e is BadImageFormatException)
            {
                Console.WriteLine("version: " + (e.Message.Contains("To fix it") ? "explained" : "not explained"));
            }
            return 0;
        }

        public static void TestALibraryThatCannotLoadSaysWhereItLookedAndHowToFixIt()
        {
            if (LibraryLoader.Current == LibraryLoader.Platform.Windows)
            {
                LoadFailureOnWindows();
                return;
            }
            if (LibraryLoader.Current != LibraryLoader.Platform.Linux)
                throw new SkipTest("Linux and Windows only (TestTheLoadFailureHelpFitsEachPlatform covers the others' help)");
            var nowhere = Path.Combine(Path.GetTempPath(), "tv-cs-nowhere-" + Guid.NewGuid());
            var junk = Path.Combine(Path.GetTempPath(), "tv-cs-junk-" + Guid.NewGuid());
            Directory.CreateDirectory(nowhere);
            Directory.CreateDirectory(junk);
            try
            {
                // A file by the right name that is not a library: found, but it cannot load.
                File.WriteAllText(Path.Combine(junk, "libtogether_video.so"), "not a shared library\n");
                var run = RunChild(LoadFailureChild, new Dictionary<string, string> { { "LD_LIBRARY_PATH", nowhere + ":" + junk } });
                var baseDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location);
                var expected = new[]
                {
                    "type: System.DllNotFoundException",
                    "inner: System.DllNotFoundException",
                    "The together-video native library could not be loaded.",
                    "Looked for libtogether_video.so (the P/Invoke name \"together_video\"",
                    "TogetherVideo.dll.config",
                    "the app's base directory and the assembly's directory: " + baseDirectory + " (not there)",
                    "runtimes/linux-x64/native (not there)",
                    "LD_LIBRARY_PATH: " + nowhere + " (not there)",
                    "LD_LIBRARY_PATH: " + junk + " (libtogether_video.so is there)",
                    "the system's library directories",
                    "The runtime said: ",
                    "A file by that name is in a directory above, yet it did not load",
                    "To fix it, one of:",
                    "copy libtogether_video.so beside your executable",
                    "runtimes/linux-x64/native/",
                    "add its directory to LD_LIBRARY_PATH",
                    "Mono: keep TogetherVideo.dll.config beside TogetherVideo.dll",
                    "Unity: put libtogether_video.so under Assets/Plugins/",
                    "version: explained",
                };
                CheckChildSaid(run, expected);
            }
            finally
            {
                Directory.Delete(nowhere, true);
                Directory.Delete(junk, true);
            }
        }

        /// <summary>The same on Windows, where the program's own directory comes first: the
        /// child runs from a copy of the program in a directory without together_video.dll,
        /// with PATH naming an empty directory and one holding a file by that name that is
        /// not a library.</summary>
        private static void LoadFailureOnWindows()
        {
            var root = Path.Combine(Path.GetTempPath(), "tv-cs-load-" + Guid.NewGuid());
            var app = Path.Combine(root, "app");
            var nowhere = Path.Combine(root, "nowhere");
            var junk = Path.Combine(root, "junk");
            foreach (var directory in new[] { app, nowhere, junk }) Directory.CreateDirectory(directory);
            try
            {
                // The program, the binding and the program's runtimeconfig.json: no native library.
                var self = typeof(Program).Assembly.Location;
                foreach (var file in new[] { self, typeof(TogetherVideoClient).Assembly.Location, Path.ChangeExtension(self, ".runtimeconfig.json") })
                    File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
                File.WriteAllText(Path.Combine(junk, "together_video.dll"), "not a library\n");
                var program = Path.Combine(app, Path.GetFileName(self));
                var run = RunChild(LoadFailureChild, new Dictionary<string, string> { { "PATH", nowhere + ";" + junk } }, program);
                var expected = new[]
                {
                    // LoadLibrary's ERROR_BAD_EXE_FORMAT for the file that is not a library.
                    "type: System.BadImageFormatException",
                    "inner: System.BadImageFormatException",
                    "The together-video native library was found but cannot be loaded into this 64-bit win-x64 process",
                    "Looked for together_video.dll (the P/Invoke name \"together_video\") for win-x64 in:",
                    "the app's base directory and the assembly's directory: " + app + " (not there)",
                    "runtimes\\win-x64\\native (not there)",
                    "PATH: " + nowhere + " (not there)",
                    "PATH: " + junk + " (together_video.dll is there)",
                    "the system directories (System32, then the Windows directory)",
                    "The runtime said: ",
                    "To fix it, one of:",
                    "copy together_video.dll beside your .exe",
                    "or add its directory to PATH",
                    "Unity: put together_video.dll under Assets/Plugins/x86_64/",
                    "and use the build for win-x64",
                    "version: explained",
                };
                CheckChildSaid(run, expected);
            }
            finally
            {
                Directory.Delete(root, true);
            }
        }

        public static void TestTheLoadFailureHelpFitsEachPlatform()
        {
            var missing = new DllNotFoundException("together_video");
            var windows = LibraryLoader.Describe(missing, LibraryLoader.Platform.Windows);
            foreach (var text in new[] { "together_video.dll", "PATH", "beside your .exe", "runtimes/win-", "Assets/Plugins/x86_64/" })
                Check(windows.Contains(text), "Windows: \"" + text + "\" in:\n" + windows);
            Check(!windows.Contains("LD_LIBRARY_PATH") && !windows.Contains("libtogether_video"), "Windows names no Unix file or variable:\n" + windows);
            var mac = LibraryLoader.Describe(missing, LibraryLoader.Platform.MacOS);
            foreach (var text in new[] { "libtogether_video.dylib", "DYLD_LIBRARY_PATH", "runtimes/osx-", "dllmap", "Assets/Plugins/macOS/" })
                Check(mac.Contains(text), "macOS: \"" + text + "\" in:\n" + mac);
            var ios = LibraryLoader.Describe(missing, LibraryLoader.Platform.IOS);
            foreach (var text in new[] { "__Internal", "libtogether_video.a", "Assets/Plugins/iOS/" })
                Check(ios.Contains(text), "iOS: \"" + text + "\" in:\n" + ios);
            var android = LibraryLoader.Describe(missing, LibraryLoader.Platform.Android);
            Check(android.Contains("Assets/Plugins/Android/libs/"), "Android:\n" + android);
            var old = LibraryLoader.Describe(new EntryPointNotFoundException("tv_version"), LibraryLoader.Platform.Linux);
            Check(old.Contains("lacks a function") && old.Contains("0.2 or newer"), "a library without the function:\n" + old);
            var arch = LibraryLoader.Describe(new BadImageFormatException("wrong"), LibraryLoader.Platform.Windows);
            Check(arch.Contains("another platform or architecture"), "a library for another architecture:\n" + arch);
        }

        // ---- A thousand waits on one client -----------------------------------------

        /// <summary>The threads of this process, each id with its name (Linux: from /proc;
        /// Windows: the thread's description, "?" for none), or null where they cannot be
        /// listed.</summary>
        private static Dictionary<int, string> OsThreads()
        {
            if (LibraryLoader.Current == LibraryLoader.Platform.Windows) return WindowsThreads();
            const string tasks = "/proc/self/task";
            if (!Directory.Exists(tasks)) return null;
            var names = new Dictionary<int, string>();
            foreach (var task in Directory.GetDirectories(tasks))
            {
                try
                {
                    names[int.Parse(Path.GetFileName(task))] = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                }
                catch (IOException)
                {
                    // The thread ended while we looked.
                }
            }
            return names;
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern IntPtr OpenThread(int access, bool inherit, int threadId);

        [DllImport("kernel32.dll")]
        private static extern int GetThreadDescription(IntPtr thread, out IntPtr description);

        [DllImport("kernel32.dll")]
        private static extern bool CloseHandle(IntPtr handle);

        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr memory);

        /// <summary>Windows: the process's threads, named by the descriptions threads give
        /// themselves (Rust's std gives the library's theirs with SetThreadDescription).</summary>
        private static Dictionary<int, string> WindowsThreads()
        {
            const int queryLimitedInformation = 0x0800;
            var names = new Dictionary<int, string>();
            using (var process = Process.GetCurrentProcess())
            {
                foreach (ProcessThread thread in process.Threads)
                {
                    string name = "?";
                    var handle = OpenThread(queryLimitedInformation, false, thread.Id);
                    if (handle != IntPtr.Zero)
                    {
                        IntPtr description;
                        if (GetThreadDescription(handle, out description) >= 0 && description != IntPtr.Zero)
                        {
                            var text = Marshal.PtrToStringUni(description);
                            if (!string.IsNullOrEmpty(text)) name = text;
                            LocalFree(description);
                        }
                        CloseHandle(handle);
                    }
                    names[thread.Id] = name;
                }
            }
            return names;
        }

        /// <summary>The library's threads are named together-video-N (15 characters shown).</summary>
        private static bool IsLibraryThread(string name)
        {
            return name.StartsWith("together-video", StringComparison.Ordinal);
        }

        /// <summary>In a fresh process: 1000 concurrent WaitForVideoAsync calls on one
        /// client with 4 library threads, sampling the process's threads while they run.</summary>
        private static int ThousandWaits()
        {
            const int workers = 4;
            const int waits = 1000;
            var start = OsThreads();
            if (start == null)
            {
                Console.WriteLine("skipped: no /proc/self/task");
                return 0;
            }
            var url = Environment.GetEnvironmentVariable("TV_MOCK_URL");
            var options = new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = url, Proxy = "", WorkerThreads = workers };
            using (var client = new TogetherVideoClient(options))
            {
                // Blocking calls run on this thread: the jobs exist before any wait starts.
                var ids = Enumerable.Range(0, waits).Select(i => client.CreateVideo(new CreateVideoRequest("m")).Id).ToArray();
                var before = OsThreads();
                var wait = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromMinutes(1) };
                var tasks = ids.Select(id => client.WaitForVideoAsync(id, wait)).ToArray();
                // Polled, not awaited: no continuation is queued to the thread pool, whose
                // size the runtime picks by heuristics of its own. What remains to count is
                // the library's threads and the binding's (it has none).
                var samples = new List<Dictionary<int, string>> { before };
                var deadline = Stopwatch.StartNew();
                while (!tasks.All(t => t.IsCompleted) && deadline.Elapsed < TimeSpan.FromMinutes(2))
                {
                    samples.Add(OsThreads());
                    Thread.Sleep(2);
                }
                samples.Add(OsThreads());
                // A new thread has its creator's name (Linux) or none (Windows) until it names
                // itself, so each thread is classed by the last name it was seen with: a
                // library thread caught just after it started is the library's, not another.
                var lastName = new Dictionary<int, string>();
                foreach (var thread in samples.SelectMany(sample => sample)) lastName[thread.Key] = thread.Value;
                Func<Dictionary<int, string>, List<string>> named = sample => sample.Keys.Select(id => lastName[id]).ToList();
                // The most threads seen at once, and apart the most library threads and the
                // most others (one sample need not hold both).
                var atPeak = named(samples.OrderByDescending(sample => sample.Count).First());
                var mostOthers = samples.Select(sample => named(sample).Where(n => !IsLibraryThread(n)).ToList())
                    .OrderByDescending(others => others.Count).First();
                int mostLibrary = samples.Max(sample => named(sample).Count(IsLibraryThread));
                int completed = tasks.Count(t => t.Status == TaskStatus.RanToCompletion && t.Result.Status == VideoStatus.Completed);
                Console.WriteLine("completed: {0} of {1}", completed, waits);
                Console.WriteLine("threads at start: {0} [{1}]", start.Count, string.Join(", ", start.Values));
                Console.WriteLine("threads before the waits: {0} [{1}]", before.Count, string.Join(", ", before.Values));
                Console.WriteLine("threads at the peak: {0} [{1}]", atPeak.Count, string.Join(", ", atPeak));
                Console.WriteLine("library threads at the most: {0} (WorkerThreads = {1})", mostLibrary, workers);
                Console.WriteLine("other threads at the most: {0} [{1}]", mostOthers.Count, string.Join(", ", mostOthers));
            }
            return 0;
        }

        /// <summary>Reads "<paramref name="label"/>: N" from a child's output.</summary>
        private static int Number(string output, string label)
        {
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(label + ": ", StringComparison.Ordinal));
            if (line == null) throw new Exception("no \"" + label + "\" in the child's output:\n" + output);
            var text = line.Substring(label.Length + 2);
            int end = text.IndexOf(' ');
            return int.Parse(end < 0 ? text.Trim() : text.Substring(0, end));
        }

        // A wait holds no thread: each poll is a job on the client's few library threads,
        // scheduled between polls, and its Task ends from the completion callback. So 1000
        // concurrent WaitForVideoAsync calls on a client with WorkerThreads = 4 may add at
        // most those 4 threads to the runtime's own: besides the library's, the child may
        // have during the waits the threads it had just before them + 2 the runtime may
        // start late (under Mono, its thread-pool monitor and timer thread); under Mono on
        // Linux also at most 4 + 2 more than at its start. The child polls the
        // Tasks instead of awaiting them, so that no continuation asks the thread pool for
        // threads: how many it starts for continuations is the runtime's choice, not the
        // binding's. A binding that held a thread per wait would need 1000 more. The count
        // is the whole process's, so it runs in a process of its own.
        public static void TestAThousandConcurrentWaitsHoldNoThreadEach()
        {
            if (LibraryLoader.Current != LibraryLoader.Platform.Linux && LibraryLoader.Current != LibraryLoader.Platform.Windows)
                throw new SkipTest("Linux and Windows only: threads are listed by name from /proc or by their descriptions");
            // CoreCLR's tiered JIT and background GC each start a thread of their own when
            // the runtime decides, during the waits or not: off in the child, so that what
            // the count sees is the binding's. (Mono reads neither setting.)
            var run = RunChild(ThreadsChild, new Dictionary<string, string>
            {
                { "COMPlus_TieredCompilation", "0" },
                { "COMPlus_gcConcurrent", "0" },
            });
            var output = run.Value;
            Console.Write(string.Join("", output.Split('\n').Where(l => l.Length > 0).Select(l => "     " + l + "\n")));
            Equal(0, run.Key, "the child's exit status; it printed:\n" + output);
            Equal(1000, Number(output, "completed"), "waits completed");
            int start = Number(output, "threads at start");
            int before = Number(output, "threads before the waits");
            int peak = Number(output, "threads at the peak");
            int library = Number(output, "library threads at the most");
            int others = Number(output, "other threads at the most");
            Check(library >= 1 && library <= 4, "library threads: at most WorkerThreads (4), got " + library);
            Check(others <= before + 2, string.Format(
                "threads other than the library's during the waits: at most {0} ({1} before the waits + 2), got {2}", before + 2, before, others));
            // Under Mono on Linux nothing starts a thread before the waits, so the bound holds
            // from the start too (CoreCLR on Windows starts its thread pool's during the
            // blocking creates, the runtime's own: printed above).
            if (LibraryLoader.Current == LibraryLoader.Platform.Linux && Type.GetType("Mono.Runtime") != null)
                Check(peak <= start + 4 + 2, string.Format("threads at the peak: at most {0} ({1} at start + 4 library + 2), got {2}", start + 6, start, peak));
        }
    }
}
