// Tests that need a process of their own: one where the native library cannot load. The
// test runner starts itself again with an argument naming the child (Program.Main), and
// checks what the child printed.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        private const string LoadFailureChild = "load-failure";

        /// <summary>Runs the child process <paramref name="name"/>: its output is for the
        /// test that started it, its exit status says whether it got that far.</summary>
        private static int Child(string name)
        {
            switch (name)
            {
                case LoadFailureChild: return LoadFailure();
                default:
                    Console.Error.WriteLine("unknown child process: " + name);
                    return 2;
            }
        }

        /// <summary>Runs this test program again as the child <paramref name="name"/> under
        /// the same runtime, with <paramref name="environment"/> changed, and returns its
        /// exit status and output.</summary>
        private static KeyValuePair<int, string> RunChild(string name, IDictionary<string, string> environment)
        {
            var runtime = Process.GetCurrentProcess().MainModule.FileName;
            var program = typeof(Program).Assembly.Location;
            bool mono = Type.GetType("Mono.Runtime") != null;
            var start = new ProcessStartInfo
            {
                FileName = mono ? runtime : program,
                Arguments = mono ? "--debug \"" + program + "\" " + name : name,
                UseShellExecute = false,
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
            catch (DllNotFoundException e)
            {
                Console.WriteLine("version: " + (e.Message.Contains("To fix it") ? "explained" : "not explained"));
            }
            return 0;
        }

        public static void TestALibraryThatCannotLoadSaysWhereItLookedAndHowToFixIt()
        {
            if (LibraryLoader.Current != LibraryLoader.Platform.Linux) return; // the child's search path is LD_LIBRARY_PATH
            var nowhere = Path.Combine(Path.GetTempPath(), "tv-cs-nowhere-" + Guid.NewGuid());
            var junk = Path.Combine(Path.GetTempPath(), "tv-cs-junk-" + Guid.NewGuid());
            Directory.CreateDirectory(nowhere);
            Directory.CreateDirectory(junk);
            try
            {
                // A file by the right name that is not a library: found, but it cannot load.
                File.WriteAllText(Path.Combine(junk, "libtogether_video.so"), "not a shared library\n");
                var run = RunChild(LoadFailureChild, new Dictionary<string, string> { { "LD_LIBRARY_PATH", nowhere + ":" + junk } });
                var output = run.Value;
                Equal(0, run.Key, "the child's exit status; it printed:\n" + output);
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
                foreach (var text in expected) Check(output.Contains(text), "the message says \"" + text + "\"; it is:\n" + output);
            }
            finally
            {
                Directory.Delete(nowhere, true);
                Directory.Delete(junk, true);
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
    }
}
