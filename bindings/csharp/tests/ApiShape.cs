// The shape of the public API, checked by reflection over every call rather than one by
// one: each call has a blocking and an asynchronous form, an asynchronous call reports
// every failure through its Task, and every call documents what it throws; and every
// method compiles on the runtime running the tests.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        /// <summary>The methods of the client that read its event queue: no network call,
        /// so neither a blocking nor an async twin.</summary>
        private static readonly string[] EventQueueMethods = { "TryGetEvent", "WaitForEvent", "PumpEvents" };

        /// <summary>The methods of the client that read or edit its journal in memory and on
        /// disk: no network call, so neither a blocking nor an async twin (ResumeJob, which
        /// waits and downloads, is a call like the others).</summary>
        private static readonly string[] JournalMethods = { "GetUnfinishedJobs", "ForgetJob" };

        /// <summary>The client's calls: its public instance methods but Dispose, GetStats
        /// (a read of counters, not a network call), the event queue's, the journal's and
        /// object's.</summary>
        private static MethodInfo[] Calls()
        {
            return typeof(TogetherVideoClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.Name != "Dispose" && m.Name != "GetStats" && !EventQueueMethods.Contains(m.Name) && !JournalMethods.Contains(m.Name))
                .ToArray();
        }

        private static string Signature(MethodInfo method)
        {
            return method.Name + "(" + string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name)) + ")";
        }

        public static void TestEveryCallHasABlockingAndAnAsyncForm()
        {
            var calls = Calls();
            var names = new HashSet<string>(calls.Select(m => m.Name));
            foreach (var expected in new[] { "GetVideo", "CreateVideo", "WaitForVideo", "DownloadUrl", "DownloadVideo", "Download" })
            {
                Check(names.Contains(expected), "a call named " + expected);
                Check(names.Contains(expected + "Async"), "a call named " + expected + "Async");
            }
            foreach (var method in calls)
            {
                bool isAsync = method.Name.EndsWith("Async", StringComparison.Ordinal);
                var otherName = isAsync ? method.Name.Substring(0, method.Name.Length - 5) : method.Name + "Async";
                var types = method.GetParameters().Select(p => p.ParameterType).ToArray();
                var other = typeof(TogetherVideoClient).GetMethod(otherName, types);
                Check(other != null, Signature(method) + " has a twin " + otherName + " with the same parameters");
                var blocking = isAsync ? other : method;
                var async = isAsync ? method : other;
                Equal(typeof(Task<>).MakeGenericType(blocking.ReturnType), async.ReturnType, Signature(async) + " returns a Task of what " + Signature(blocking) + " returns");
                Equal(typeof(CancellationToken), types.Last(), Signature(method) + " takes a CancellationToken last");
                var twinNames = other.GetParameters().Select(p => p.Name);
                Equal(string.Join(",", method.GetParameters().Select(p => p.Name)), string.Join(",", twinNames), Signature(method) + " names its parameters as its twin does");
            }
        }

        /// <summary>Arguments that make a successful call of <paramref name="method"/>.</summary>
        private static object[] GoodArguments(MethodInfo method, Video video, CancellationToken token)
        {
            return method.GetParameters().Select(p =>
            {
                var type = p.ParameterType;
                if (type == typeof(CancellationToken)) return (object)token;
                if (type == typeof(Stream)) return new MemoryStream();
                if (type == typeof(Video)) return video;
                if (type == typeof(CreateVideoRequest)) return new CreateVideoRequest("m");
                if (type == typeof(string))
                {
                    switch (p.Name)
                    {
                        case "id": return method.Name.StartsWith("Download", StringComparison.Ordinal) ? "video-at-clip.mp4" : "vid_completed";
                        case "url": return origin + "/files/clip.mp4";
                        case "path": return TempFile(".mp4");
                    }
                }
                if (p.IsOptional) return p.DefaultValue == DBNull.Value ? null : p.DefaultValue;
                if (type.IsValueType) return Activator.CreateInstance(type);
                return null; // a nullable class (WaitOptions, DownloadOptions, TimeSpan?)
            }).ToArray();
        }

        /// <summary>The parameters a call cannot do without: null is an ArgumentNullException.</summary>
        private static IEnumerable<ParameterInfo> Required(MethodInfo method)
        {
            return method.GetParameters().Where(p => !p.ParameterType.IsValueType && !p.IsOptional
                && p.ParameterType != typeof(WaitOptions) && p.ParameterType != typeof(DownloadOptions));
        }

        private static object Invoke(MethodInfo method, object target, object[] arguments)
        {
            try
            {
                return method.Invoke(target, arguments);
            }
            catch (TargetInvocationException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        public static void TestAsyncCallsReportEveryFailureThroughTheirTask()
        {
            var calls = Calls();
            Video video;
            using (var client = NewClient())
            {
                video = client.GetVideo("vid_completed");
                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    foreach (var method in calls)
                    {
                        bool isAsync = method.Name.EndsWith("Async", StringComparison.Ordinal);
                        foreach (var parameter in Required(method))
                        {
                            var arguments = GoodArguments(method, video, CancellationToken.None);
                            arguments[parameter.Position] = null;
                            var what = Signature(method) + " with a null " + parameter.Name;
                            var e = isAsync
                                ? Faults<ArgumentNullException>(() => (Task)Invoke(method, client, arguments), what)
                                : Throws<ArgumentNullException>(() => Invoke(method, client, arguments), what);
                            Equal(parameter.Name, e.ParamName, what + ": parameter");
                        }
                        var withCancelled = GoodArguments(method, video, cancelled.Token);
                        if (isAsync)
                        {
                            Task task = null;
                            try
                            {
                                task = (Task)Invoke(method, client, withCancelled);
                            }
                            catch (Exception e)
                            {
                                throw new Exception(Signature(method) + " with a cancelled token threw " + e.GetType().Name, e);
                            }
                            Check(task.IsCanceled, Signature(method) + " with a cancelled token: a cancelled Task, not " + task.Status);
                        }
                        else
                        {
                            Throws<OperationCanceledException>(() => Invoke(method, client, withCancelled), Signature(method) + " with a cancelled token");
                        }
                    }
                }
            }
            var disposed = NewClient();
            disposed.Dispose();
            foreach (var method in calls)
            {
                var arguments = GoodArguments(method, video, CancellationToken.None);
                var what = Signature(method) + " on a disposed client";
                var e = method.Name.EndsWith("Async", StringComparison.Ordinal)
                    ? Faults<ObjectDisposedException>(() => (Task)Invoke(method, disposed, arguments), what)
                    : Throws<ObjectDisposedException>(() => Invoke(method, disposed, arguments), what);
                Equal("TogetherVideoClient", e.ObjectName, what + ": the object named");
            }
        }

        /// <summary>Every method of the assembly compiles on the runtime running the tests, so
        /// a type or member it uses that this runtime's class library lacks fails here, not
        /// in a user's program on the first call that reaches it. (Built against Mono's own
        /// class library, the binding used Queue&lt;T&gt; from mscorlib, where .NET has none.)
        /// CoreCLR compiles each method here; Mono may defer some to their first call.
        /// Generic types and methods are closed with object, or Video where a constraint
        /// asks for more; P/Invoke declarations have no body to compile.</summary>
        public static void TestEveryMethodCompilesOnThisRuntime()
        {
            const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
                | BindingFlags.Static | BindingFlags.DeclaredOnly;
            int compiled = 0;
            var failures = new List<string>();
            foreach (var definition in typeof(TogetherVideoClient).Assembly.GetTypes())
            {
                var type = Close(definition, failures);
                if (type == null) continue;
                var instantiation = type.GetGenericArguments().Select(a => a.TypeHandle).ToArray();
                foreach (var declaredMethod in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
                {
                    if (declaredMethod.GetMethodBody() == null) continue;
                    var method = declaredMethod;
                    var methodInstantiation = instantiation;
                    if (method.IsGenericMethodDefinition)
                    {
                        var closed = CloseMethod((MethodInfo)method, failures);
                        if (closed == null) continue;
                        method = closed;
                        methodInstantiation = instantiation.Concat(closed.GetGenericArguments().Select(a => a.TypeHandle)).ToArray();
                    }
                    try
                    {
                        RuntimeHelpers.PrepareMethod(method.MethodHandle, methodInstantiation);
                        compiled++;
                    }
                    catch (Exception e)
                    {
                        failures.Add(type + "." + method.Name + ": " + e.Message);
                    }
                }
            }
            Check(failures.Count == 0, "every method compiles on this runtime:\n  " + string.Join("\n  ", failures));
            Check(compiled > 200, compiled + " methods compiled");
        }

        /// <summary>The arguments tried, in order, for each generic parameter.</summary>
        private static readonly Type[] GenericArguments = { typeof(object), typeof(Video) };

        /// <summary><paramref name="type"/>, or its definition closed with the arguments
        /// tried; null (and a failure noted) when none satisfies its constraints.</summary>
        private static Type Close(Type type, List<string> failures)
        {
            if (!type.IsGenericTypeDefinition) return type;
            return FirstThatFits(type.ToString(), type.GetGenericArguments().Length, type.MakeGenericType, failures);
        }

        private static MethodInfo CloseMethod(MethodInfo method, List<string> failures)
        {
            return FirstThatFits(method.DeclaringType + "." + method.Name, method.GetGenericArguments().Length,
                method.MakeGenericMethod, failures);
        }

        /// <summary><paramref name="close"/> given the first of GenericArguments, for each of
        /// <paramref name="parameters"/>, whose constraints accept it; null (and a failure
        /// noted for <paramref name="what"/>) when none does.</summary>
        private static T FirstThatFits<T>(string what, int parameters, Func<Type[], T> close, List<string> failures) where T : class
        {
            foreach (var argument in GenericArguments)
            {
                try
                {
                    return close(Enumerable.Repeat(argument, parameters).ToArray());
                }
                catch (ArgumentException)
                {
                    // A constraint refused it: try the next.
                }
            }
            failures.Add(what + ": no argument tried satisfies its constraints; add one to GenericArguments");
            return null;
        }

        /// <summary>The XML documentation mcs wrote beside the assembly (-doc): each
        /// member's name and element.</summary>
        private static Dictionary<string, XmlElement> Documentation()
        {
            var path = Path.ChangeExtension(typeof(TogetherVideoClient).Assembly.Location, ".xml");
            Check(File.Exists(path), "the XML documentation beside the assembly: build it with mcs -doc:" + path);
            var document = new XmlDocument();
            document.Load(path);
            return document.GetElementsByTagName("member").Cast<XmlElement>().ToDictionary(m => m.GetAttribute("name"), m => m);
        }

        public static void TestEveryCallDocumentsWhatItThrows()
        {
            var members = Documentation();
            const string prefix = "M:TogetherVideo.TogetherVideoClient.";
            var publicNames = new HashSet<string>(Calls().Select(m => m.Name)) { "#ctor", "Dispose" };
            var documented = members.Keys.Where(k => k == "P:TogetherVideo.TogetherVideoClient.Version"
                || (k.StartsWith(prefix, StringComparison.Ordinal) && publicNames.Contains(k.Substring(prefix.Length).Split('(')[0]))).ToList();
            // Every call and constructor (overloads each have an entry), and the version.
            int expected = Calls().Length + typeof(TogetherVideoClient).GetConstructors().Length + 2; // + Version + Dispose
            Equal(expected, documented.Count, "documented members of TogetherVideoClient");
            foreach (var name in documented.Where(n => n != "M:TogetherVideo.TogetherVideoClient.Dispose"))
            {
                var exceptions = members[name].GetElementsByTagName("exception").Cast<XmlElement>().Select(e => e.GetAttribute("cref")).ToList();
                Check(exceptions.Count > 0, name + " documents what it throws");
                if (name.Contains("Async("))
                {
                    var returns = string.Join(" ", members[name]["returns"].InnerText.Split((char[])null, StringSplitOptions.RemoveEmptyEntries));
                    Check(returns.Contains("never throws"), name + " says it never throws");
                    Check(exceptions.Contains("T:System.ArgumentNullException"), name + " documents ArgumentNullException");
                }
                else if (name.StartsWith("M:TogetherVideo.TogetherVideoClient.Get", StringComparison.Ordinal)
                    || name.StartsWith("M:TogetherVideo.TogetherVideoClient.Create", StringComparison.Ordinal)
                    || name.StartsWith("M:TogetherVideo.TogetherVideoClient.Wait", StringComparison.Ordinal)
                    || name.StartsWith("M:TogetherVideo.TogetherVideoClient.Download", StringComparison.Ordinal)
                    || name.StartsWith("M:TogetherVideo.TogetherVideoClient.Resume", StringComparison.Ordinal))
                {
                    foreach (var cref in new[] { "T:System.ArgumentNullException", "T:System.ObjectDisposedException", "T:System.OperationCanceledException", "T:TogetherVideo.TogetherVideoException" })
                        Check(exceptions.Contains(cref), name + " documents " + cref);
                }
            }
        }
    }
}
