using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace TogetherVideo
{
    /// <summary>Makes the first call into the native library, and turns a failure to load
    /// it into an exception that says which file was looked for, where, and how to put it
    /// there. The runtime's own message ("together_video assembly:&lt;unknown assembly&gt;")
    /// says none of that.</summary>
    internal static class LibraryLoader
    {
        private static volatile bool loaded;

        /// <summary>Whether the library is linked into the app (iOS) rather than loaded.</summary>
        private static readonly bool LinkedIntoApp = Native.Library == "__Internal";

        /// <summary>Returns once the library answers; throws DllNotFoundException,
        /// EntryPointNotFoundException or BadImageFormatException (the runtime's own, as
        /// InnerException) with the help of Describe otherwise. A failure is
        /// not remembered: a later call tries again.</summary>
        public static void EnsureLoaded()
        {
            if (loaded) return;
            try
            {
                Native.tv_version();
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(Describe(e), e);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new EntryPointNotFoundException(Describe(e), e);
            }
            catch (BadImageFormatException e)
            {
                throw new BadImageFormatException(Describe(e), e);
            }
            loaded = true;
        }

        /// <summary>The platform as far as loading goes.</summary>
        internal enum Platform { Linux, MacOS, Windows, Android, IOS }

        internal static Platform Current
        {
            get
            {
                if (LinkedIntoApp) return Platform.IOS;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Platform.Windows;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return Platform.MacOS;
                if (Environment.GetEnvironmentVariable("ANDROID_ROOT") != null) return Platform.Android;
                return Platform.Linux;
            }
        }

        /// <summary>The file the runtime looks for on <paramref name="platform"/>.</summary>
        internal static string FileName(Platform platform)
        {
            switch (platform)
            {
                case Platform.Windows: return "together_video.dll";
                case Platform.MacOS: return "libtogether_video.dylib";
                case Platform.IOS: return "__Internal";
                default: return "libtogether_video.so";
            }
        }

        /// <summary>NuGet's runtime identifier for this process, e.g. linux-x64.</summary>
        internal static string RuntimeIdentifier(Platform platform)
        {
            string os;
            switch (platform)
            {
                case Platform.Windows: os = "win"; break;
                case Platform.MacOS: os = "osx"; break;
                case Platform.Android: os = "android"; break;
                case Platform.IOS: os = "ios"; break;
                default: os = "linux"; break;
            }
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X86: return os + "-x86";
                case Architecture.Arm: return os + "-arm";
                case Architecture.Arm64: return os + "-arm64";
                default: return os + "-x64";
            }
        }

        /// <summary>The message for a library that would not load: the file, the
        /// directories searched (saying where the file is present), what the runtime said,
        /// and the fixes for this platform.</summary>
        internal static string Describe(Exception failure)
        {
            return Describe(failure, Current);
        }

        internal static string Describe(Exception failure, Platform platform)
        {
            var file = FileName(platform);
            var rid = RuntimeIdentifier(platform);
            var text = new StringBuilder();
            if (platform == Platform.IOS)
            {
                text.Append("The together-video native library is not linked into this app: the binding imports its functions from the app itself (\"__Internal\"), as iOS requires.");
                text.Append("\nThe runtime said: ").Append(failure.Message);
                text.Append("\nTo fix it: build libtogether_video.a for iOS (docs/platforms.md) and put it, or its .xcframework, under Assets/Plugins/iOS/ with iOS enabled in its import settings, so that Xcode links it.");
                return text.ToString();
            }

            bool missingFunction = failure is EntryPointNotFoundException;
            bool wrongFormat = failure is BadImageFormatException;
            text.Append(missingFunction
                ? "The together-video native library was loaded, but it lacks a function this binding calls: it is an older version, or another file under the same name."
                : wrongFormat
                    ? "The together-video native library was found but cannot be loaded into this " + (Environment.Is64BitProcess ? "64" : "32") + "-bit " + rid + " process: it was built for another platform or architecture."
                    : "The together-video native library could not be loaded.");
            text.Append("\nLooked for ").Append(file).Append(" (the P/Invoke name \"").Append(Native.Library).Append("\"");
            var config = ConfigFile();
            if (Type.GetType("Mono.Runtime") != null && config != null)
            {
                text.Append(File.Exists(config)
                    ? ", mapped to that file name by Mono's dllmap in " + config
                    : "; Mono found no TogetherVideo.dll.config to map it beside " + Path.GetDirectoryName(config));
            }
            text.Append(") for ").Append(rid).Append(" in:");

            var searched = new Searched(file);
            searched.Add("the app's base directory", AppDomain.CurrentDomain.BaseDirectory);
            searched.Add("the assembly's directory", AssemblyDirectory());
            foreach (var root in new[] { AppDomain.CurrentDomain.BaseDirectory, AssemblyDirectory() })
                if (!string.IsNullOrEmpty(root))
                    searched.Add("the NuGet package's native directory", Path.Combine(Path.Combine(Path.Combine(root, "runtimes"), rid), "native"));
            var variable = platform == Platform.Windows ? "PATH" : platform == Platform.MacOS ? "DYLD_LIBRARY_PATH" : "LD_LIBRARY_PATH";
            var searchPath = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(searchPath))
                foreach (var entry in searchPath.Split(Path.PathSeparator))
                    searched.Add(variable, entry);
            searched.AppendTo(text);
            if (string.IsNullOrEmpty(searchPath)) text.Append("\n  - ").Append(variable).Append(" (not set)");
            switch (platform)
            {
                case Platform.Windows:
                    text.Append("\n  - the system directories (System32, then the Windows directory)");
                    break;
                case Platform.MacOS:
                    text.Append("\n  - DYLD_FALLBACK_LIBRARY_PATH, /usr/local/lib and /usr/lib");
                    break;
                case Platform.Android:
                    text.Append("\n  - the app's native library directory (lib/<abi> in the APK)");
                    break;
                default:
                    text.Append("\n  - the system's library directories (/etc/ld.so.cache, /lib, /usr/lib)");
                    break;
            }
            text.Append("\nThe runtime said: ").Append(failure.Message);
            if (searched.AnyPresent && !missingFunction && !wrongFormat)
                text.Append("\nA file by that name is in a directory above, yet it did not load: it may be for another architecture ("
                    + rid + " is needed), damaged, or need a library that is missing ("
                    + (platform == Platform.Windows ? "Dependencies.exe" : platform == Platform.MacOS ? "otool -L" : "ldd") + " lists them).");

            text.Append("\nTo fix it, one of:");
            switch (platform)
            {
                case Platform.Windows:
                    text.Append("\n  - copy together_video.dll beside your .exe (the NuGet package keeps it in runtimes/").Append(rid).Append("/native/, which dotnet build and publish copy)");
                    text.Append("\n  - or add its directory to PATH");
                    text.Append("\n  - Unity: put together_video.dll under Assets/Plugins/x86_64/ with Windows enabled in its import settings");
                    break;
                case Platform.MacOS:
                    text.Append("\n  - copy libtogether_video.dylib beside your executable (the NuGet package keeps it in runtimes/").Append(rid).Append("/native/, which dotnet build and publish copy)");
                    text.Append("\n  - or add its directory to DYLD_LIBRARY_PATH (System Integrity Protection drops it for programs under /usr/bin: run your own copy of mono or dotnet)");
                    text.Append("\n  - Mono: keep TogetherVideo.dll.config beside TogetherVideo.dll; its dllmap maps together_video to libtogether_video.dylib on osx");
                    text.Append("\n  - Unity: put libtogether_video.dylib (or a .bundle) under Assets/Plugins/macOS/ with macOS enabled in its import settings");
                    break;
                case Platform.Android:
                    text.Append("\n  - ship libtogether_video.so for each ABI in the APK (Unity: Assets/Plugins/Android/libs/<abi>/libtogether_video.so; Gradle: jniLibs/<abi>/)");
                    break;
                default:
                    text.Append("\n  - copy libtogether_video.so beside your executable (the NuGet package keeps it in runtimes/").Append(rid).Append("/native/, which dotnet build and publish copy)");
                    text.Append("\n  - or add its directory to LD_LIBRARY_PATH (LD_LIBRARY_PATH=/path/to/lib mono app.exe), or install it (make install puts it in /usr/local/lib; then run ldconfig)");
                    text.Append("\n  - Mono: keep TogetherVideo.dll.config beside TogetherVideo.dll; its dllmap maps together_video to libtogether_video.so on linux");
                    text.Append("\n  - Unity: put libtogether_video.so under Assets/Plugins/x86_64/ with Linux enabled in its import settings");
                    break;
            }
            if (missingFunction) text.Append("\n  - and make sure the file found is together-video ").Append(ExpectedVersion).Append(" or newer: remove older copies from the directories above");
            if (wrongFormat) text.Append("\n  - and use the build for ").Append(rid).Append(" (docs/platforms.md)");
            return text.ToString();
        }

        /// <summary>The library version this binding was written against.</summary>
        internal const string ExpectedVersion = "0.2";

        /// <summary>The directories searched, each once (labels merged), and whether the
        /// file is in each.</summary>
        private sealed class Searched
        {
            private readonly string file;
            private readonly List<string> directories = new List<string>();
            private readonly Dictionary<string, List<string>> labels = new Dictionary<string, List<string>>(StringComparer.Ordinal);

            public Searched(string file) { this.file = file; }

            public bool AnyPresent { get; private set; }

            public void Add(string label, string directory)
            {
                if (string.IsNullOrEmpty(directory)) return;
                string full;
                try
                {
                    full = Path.GetFullPath(directory);
                }
                catch (Exception)
                {
                    full = directory; // a malformed entry of a search path: shown as it is
                }
                if (full.Length > 1) full = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                List<string> those;
                if (!labels.TryGetValue(full, out those))
                {
                    labels[full] = those = new List<string>();
                    directories.Add(full);
                }
                if (!those.Contains(label)) those.Add(label);
            }

            public void AppendTo(StringBuilder text)
            {
                foreach (var directory in directories)
                {
                    bool present;
                    try
                    {
                        present = File.Exists(Path.Combine(directory, file));
                    }
                    catch (Exception)
                    {
                        present = false;
                    }
                    AnyPresent |= present;
                    text.Append("\n  - ").Append(string.Join(" and ", labels[directory])).Append(": ").Append(directory)
                        .Append(present ? " (" + file + " is there)" : " (not there)");
                }
            }
        }

        private static string AssemblyDirectory()
        {
            try
            {
                var location = typeof(LibraryLoader).Assembly.Location;
                return string.IsNullOrEmpty(location) ? null : Path.GetDirectoryName(location);
            }
            catch (Exception)
            {
                return null; // loaded from bytes, or a single-file app: no directory
            }
        }

        /// <summary>TogetherVideo.dll.config beside the assembly: Mono's dllmap file.</summary>
        private static string ConfigFile()
        {
            var directory = AssemblyDirectory();
            return directory == null ? null : Path.Combine(directory, "TogetherVideo.dll.config");
        }
    }
}
