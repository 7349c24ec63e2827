// Reads the NuGet package with System.IO.Packaging, the OPC reader NuGet's own format
// is built on: it refuses a package whose content types, relationships or part names
// are malformed. Then checks what a restore relies on: the manifest's id and version,
// the core properties, the assembly (its version from Cargo.toml) and documentation for
// netstandard2.0, and a native library per runtime.
//   mono NuGetCheck.exe PACKAGE.nupkg VERSION
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Packaging;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;

public static class NuGetCheck
{
    public static int Main(string[] args)
    {
        string path = args[0], version = args[1];
        var failures = new List<string>();
        using (var package = Package.Open(path, FileMode.Open, FileAccess.Read))
        {
            var parts = package.GetParts().ToDictionary(p => p.Uri.OriginalString.TrimStart('/'), p => p);
            Console.WriteLine("NuGetCheck: {0} parts", parts.Count);
            var manifests = package.GetRelationshipsByType("http://schemas.microsoft.com/packaging/2010/07/manifest").ToList();
            if (manifests.Count != 1) failures.Add("want one manifest relationship, have " + manifests.Count);
            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            var manifest = XDocument.Load(package.GetPart(manifests[0].TargetUri).GetStream());
            var metadata = manifest.Root.Element(ns + "metadata");
            if ((string)metadata.Element(ns + "id") != "TogetherVideo") failures.Add("id " + (string)metadata.Element(ns + "id"));
            if ((string)metadata.Element(ns + "version") != version) failures.Add("version " + (string)metadata.Element(ns + "version"));
            if ((string)metadata.Element(ns + "license") != "MIT OR Apache-2.0") failures.Add("license");
            if (package.PackageProperties.Identifier != "TogetherVideo") failures.Add("core properties identifier");
            if (package.PackageProperties.Version != version) failures.Add("core properties version");
            foreach (var required in new[] {
                "lib/netstandard2.0/TogetherVideo.dll", "lib/netstandard2.0/TogetherVideo.xml",
                "lib/netstandard2.0/TogetherVideo.dll.config", "build/TogetherVideo.targets", "README.md",
                "runtimes/linux-x64/native/libtogether_video.so", "runtimes/linux-arm64/native/libtogether_video.so",
                "runtimes/win-x64/native/together_video.dll" })
            {
                if (!parts.ContainsKey(required)) failures.Add("missing " + required);
            }
            if (failures.Count == 0)
            {
                var bytes = Read(parts["lib/netstandard2.0/TogetherVideo.dll"]);
                var name = Assembly.Load(bytes).GetName();
                if (name.Version.ToString() != version + ".0") failures.Add("assembly version " + name.Version);
                var docs = XDocument.Load(parts["lib/netstandard2.0/TogetherVideo.xml"].GetStream());
                int members = docs.Descendants("member").Count();
                if (members < 50) failures.Add("the documentation file has " + members + " members");
                Console.WriteLine("NuGetCheck: {0} {1}, {2} documented members", name.Name, name.Version, members);
                Machine(parts["runtimes/linux-x64/native/libtogether_video.so"], "ELF", 0x3E, failures);
                Machine(parts["runtimes/linux-arm64/native/libtogether_video.so"], "ELF", 0xB7, failures);
                Machine(parts["runtimes/win-x64/native/together_video.dll"], "PE", 0x8664, failures);
            }
        }
        foreach (var failure in failures) Console.Error.WriteLine("NuGetCheck: FAIL: " + failure);
        if (failures.Count == 0) Console.WriteLine("NuGetCheck: passed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static byte[] Read(PackagePart part)
    {
        using (var stream = part.GetStream())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    // The library's format and CPU, from its header: a package with the wrong file under
    // a runtime fails to load only on a user's machine.
    private static void Machine(PackagePart part, string format, int machine, List<string> failures)
    {
        var bytes = Read(part);
        int found = -1;
        if (format == "ELF" && bytes.Length > 20 && bytes[0] == 0x7F && bytes[1] == (byte)'E')
            found = BitConverter.ToUInt16(bytes, 18);
        if (format == "PE" && bytes.Length > 0x40 && bytes[0] == (byte)'M' && bytes[1] == (byte)'Z')
            found = BitConverter.ToUInt16(bytes, BitConverter.ToInt32(bytes, 0x3C) + 4);
        if (found != machine)
            failures.Add(string.Format("{0}: want {1} machine 0x{2:X}, found 0x{3:X}", part.Uri, format, machine, found));
    }
}
