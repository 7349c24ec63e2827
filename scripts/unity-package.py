#!/usr/bin/env python3
"""Writes the Unity package (UPM layout) to target/csharp/unity/com.together-video.client/
and the tarball Unity's Package Manager adds ("Add package from tarball") beside it.

Runtime/ gets the binding's sources (bindings/csharp/src) with an assembly definition,
Runtime/Plugins/ the native libraries from the release archives of `make dist`, each
with a .meta whose import settings enable it for its own platform and CPU only. Every
file and folder Unity imports gets a .meta with a GUID derived from its path, so a new
version keeps the GUIDs (and the user's references) of the last. Samples~ is not
imported until the user asks, and has no .meta files (Unity writes them then).

Usage: scripts/unity-package.py VERSION
"""
import hashlib
import io
import os
import shutil
import sys
import tarfile

version = sys.argv[1]
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
name = "com.together-video.client"
out = os.path.join(top, "target", "csharp", "unity")
root = os.path.join(out, name)
dist = os.path.join(top, "target", "dist")

# Where each native library goes and the platforms it is for: (path in the package,
# archive target, file in the archive, Editor OS, standalone player, CPU).
PLUGINS = [
    ("Runtime/Plugins/Linux/x86_64/libtogether_video.so", "x86_64-unknown-linux-gnu",
     f"lib/libtogether_video.so.{version}", "Linux", "Linux64", "x86_64"),
    ("Runtime/Plugins/Windows/x86_64/together_video.dll", "x86_64-pc-windows-gnu",
     "bin/together_video.dll", "Windows", "Win64", "x86_64"),
]
# Every standalone player Unity knows: a plugin is enabled for its own, disabled for the rest.
STANDALONE = ["Linux64", "OSXUniversal", "Win", "Win64"]


def guid(path):
    return hashlib.md5(f"{name}/{path}".encode()).hexdigest()


def meta_tail():
    return "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"


def folder_meta(path):
    return (f"fileFormatVersion: 2\nguid: {guid(path)}\nfolderAsset: yes\nDefaultImporter:\n"
            f"  externalObjects: {{}}\n{meta_tail()}")


def file_meta(path):
    ext = os.path.splitext(path)[1]
    if ext == ".cs":
        importer = ("MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
                    "  executionOrder: 0\n  icon: {instanceID: 0}\n")
    elif ext == ".asmdef":
        importer = "AssemblyDefinitionImporter:\n  externalObjects: {}\n"
    elif path == "package.json":
        importer = "PackageManifestImporter:\n  externalObjects: {}\n"
    else:
        importer = "TextScriptImporter:\n  externalObjects: {}\n"
    return f"fileFormatVersion: 2\nguid: {guid(path)}\n{importer}{meta_tail()}"


def plugin_meta(path, editor_os, player, cpu):
    entries = [("Any", "", False, {}),
               ("Editor", "Editor", True, {"CPU": cpu, "DefaultValueInitialized": "true", "OS": editor_os})]
    for standalone in STANDALONE:
        mine = standalone == player
        entries.append(("Standalone", standalone, mine, {"CPU": cpu if mine else "None"}))
    lines = [f"fileFormatVersion: 2\nguid: {guid(path)}\nPluginImporter:\n  externalObjects: {{}}\n"
             "  serializedVersion: 2\n  iconMap: {}\n  executionOrder: {}\n  defineConstraints: []\n"
             "  isPreloaded: 0\n  isOverridable: 1\n  isExplicitlyReferenced: 0\n  validateReferences: 1\n"
             "  platformData:\n"]
    for group, platform, enabled, settings in entries:
        lines.append(f"  - first:\n      {group}: {platform}\n    second:\n      enabled: {int(enabled)}\n")
        if settings:
            lines.append("      settings:\n")
            lines.extend(f"        {key}: {value}\n" for key, value in sorted(settings.items()))
        else:
            lines.append("      settings: {}\n")
    lines.append(meta_tail())
    return "".join(lines)


def read(path):
    if not os.path.isfile(path):
        sys.exit(f"unity-package: {os.path.relpath(path, top)} is missing: run `make csharp dist` first")
    with open(path, "rb") as f:
        return f.read()


files = {}
unity = os.path.join(top, "packaging", "unity")
files["package.json"] = read(os.path.join(unity, "package.json.in")).decode().replace("@VERSION@", version).encode()
files["README.md"] = read(os.path.join(unity, "README.md"))
files["LICENSE.md"] = read(os.path.join(top, "LICENSE-MIT")) + b"\n---\n\n" + read(os.path.join(top, "LICENSE-APACHE"))
files["Third Party Notices.md"] = read(os.path.join(dist, f"together-video-{version}-x86_64-unknown-linux-gnu",
                                                    "THIRD-PARTY-NOTICES.md"))
files["Runtime/TogetherVideo.asmdef"] = read(os.path.join(unity, "TogetherVideo.asmdef"))
source = os.path.join(top, "bindings", "csharp", "src")
for cs in sorted(os.listdir(source)):
    if cs.endswith(".cs"):
        files[f"Runtime/{cs}"] = read(os.path.join(source, cs))
files["Runtime/AssemblyVersion.cs"] = read(os.path.join(top, "target", "csharp", "AssemblyVersion.cs"))
samples = os.path.join(unity, "Samples~")
for folder, _, names in os.walk(samples):
    for sample in names:
        full = os.path.join(folder, sample)
        files["Samples~/" + os.path.relpath(full, samples)] = read(full)
metas = {}
for path, target, inside, editor_os, player, cpu in PLUGINS:
    files[path] = read(os.path.join(dist, f"together-video-{version}-{target}", inside))
    metas[path + ".meta"] = plugin_meta(path, editor_os, player, cpu)
for path in files:
    if path.startswith("Samples~/") or path + ".meta" in metas:
        continue
    metas[path + ".meta"] = file_meta(path)
folders = {os.path.dirname(p) for p in files} - {""}
for folder in list(folders):
    while folder:
        folders.add(folder)
        folder = os.path.dirname(folder)
for folder in folders:
    if not folder.startswith("Samples~"):
        metas[folder + ".meta"] = folder_meta(folder)
files.update({path: text.encode() for path, text in metas.items()})

shutil.rmtree(root, ignore_errors=True)
for path, data in files.items():
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
tarball = os.path.join(out, f"{name}-{version}.tgz")
with tarfile.open(tarball + ".tmp", "w:gz", format=tarfile.USTAR_FORMAT) as tar:
    for path in sorted(files):
        info = tarfile.TarInfo("package/" + path)
        info.size, info.mtime, info.mode = len(files[path]), 946684800, 0o644
        tar.addfile(info, io.BytesIO(files[path]))
os.replace(tarball + ".tmp", tarball)
print(os.path.relpath(root, top))
print(os.path.relpath(tarball, top))
