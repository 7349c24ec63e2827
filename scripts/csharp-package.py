#!/usr/bin/env python3
"""Writes the NuGet package target/csharp/package/TogetherVideo.VERSION.nupkg.

The assembly and its XML documentation come from `make csharp` (target/csharp); the
native libraries from the release archives of `make dist` (target/dist): linux-x64,
linux-arm64 and win-x64 under runtimes/RID/native/, as NuGet expects. A .nupkg is an
OPC zip: [Content_Types].xml, _rels/.rels and the core-properties part are written as
`nuget pack` writes them, so System.IO.Packaging and NuGet both read it. The zip is
deterministic (fixed timestamps, sorted entries): the same inputs give the same bytes.

Usage: scripts/csharp-package.py VERSION
"""
import hashlib
import os
import subprocess
import sys
import zipfile

version = sys.argv[1]
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
built = os.path.join(top, "target", "csharp")
dist = os.path.join(top, "target", "dist")
out_dir = os.path.join(built, "package")
os.makedirs(out_dir, exist_ok=True)


def archive(target, *path):
    return os.path.join(dist, f"together-video-{version}-{target}", *path)


def read(path):
    if not os.path.isfile(path):
        sys.exit(f"csharp-package: {os.path.relpath(path, top)} is missing: run `make csharp dist` first")
    with open(path, "rb") as f:
        return f.read()


nuspec = read(os.path.join(top, "packaging", "nuget", "TogetherVideo.nuspec.in")).decode().replace("@VERSION@", version)
files = {
    "TogetherVideo.nuspec": nuspec.encode(),
    "README.md": read(os.path.join(top, "packaging", "nuget", "README.md")),
    "LICENSE-MIT": read(os.path.join(top, "LICENSE-MIT")),
    "LICENSE-APACHE": read(os.path.join(top, "LICENSE-APACHE")),
    "lib/netstandard2.0/TogetherVideo.dll": read(os.path.join(built, "TogetherVideo.dll")),
    "lib/netstandard2.0/TogetherVideo.xml": read(os.path.join(built, "TogetherVideo.xml")),
    "lib/netstandard2.0/TogetherVideo.dll.config": read(os.path.join(built, "TogetherVideo.dll.config")),
    "build/TogetherVideo.targets": read(os.path.join(top, "packaging", "nuget", "TogetherVideo.targets")),
    "runtimes/linux-x64/native/libtogether_video.so": read(archive("x86_64-unknown-linux-gnu", "lib", f"libtogether_video.so.{version}")),
    "runtimes/linux-arm64/native/libtogether_video.so": read(archive("aarch64-unknown-linux-gnu", "lib", f"libtogether_video.so.{version}")),
    "runtimes/win-x64/native/together_video.dll": read(archive("x86_64-pc-windows-gnu", "bin", "together_video.dll")),
}
# The notices of what the native libraries bundle: the archives' own, one per platform.
for rid, target in (("linux-x64", "x86_64-unknown-linux-gnu"), ("linux-arm64", "aarch64-unknown-linux-gnu"),
                    ("win-x64", "x86_64-pc-windows-gnu")):
    files[f"runtimes/{rid}/THIRD-PARTY-NOTICES.md"] = read(archive(target, "THIRD-PARTY-NOTICES.md"))

# OPC parts, as `nuget pack` writes them.
extensions = sorted({os.path.splitext(name)[1].lstrip(".").lower() for name in files if os.path.splitext(name)[1]}
                    | {"rels", "psmdcp"})
content_types = ['<?xml version="1.0" encoding="utf-8"?>',
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />',
                 '<Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />']
content_types += [f'<Default Extension="{ext}" ContentType="application/octet" />'
                  for ext in extensions if ext not in ("rels", "psmdcp")]
# Files without an extension (the licences) need an override each.
content_types += [f'<Override PartName="/{name}" ContentType="application/octet" />'
                  for name in sorted(files) if not os.path.splitext(name)[1]]
content_types.append("</Types>")
digest = hashlib.sha256(nuspec.encode()).hexdigest()[:32]
core = f"package/services/metadata/core-properties/{digest}.psmdcp"
files[core] = f'''<?xml version="1.0" encoding="utf-8"?>
<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">
  <dc:creator>together-video</dc:creator>
  <dc:description>A native client for Together AI's video generation API.</dc:description>
  <dc:identifier>TogetherVideo</dc:identifier>
  <version>{version}</version>
  <keywords>together video generation native unity</keywords>
  <lastModifiedBy>scripts/csharp-package.py</lastModifiedBy>
</coreProperties>'''.encode()
files["_rels/.rels"] = f'''<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/TogetherVideo.nuspec" Id="R{digest[:16]}" />
  <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/{core}" Id="R{digest[16:]}" />
</Relationships>'''.encode()
files["[Content_Types].xml"] = "\n".join(content_types).encode()

path = os.path.join(out_dir, f"TogetherVideo.{version}.nupkg")
with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for name in ["_rels/.rels", "TogetherVideo.nuspec"] + sorted(set(files) - {"_rels/.rels", "TogetherVideo.nuspec"}):
        info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, files[name])
os.replace(path + ".tmp", path)
print(os.path.relpath(path, top))
