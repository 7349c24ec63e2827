#!/usr/bin/env python3
"""Checks the Unity package that scripts/unity-package.py wrote, as Unity would read it,
without Unity: the UPM manifest, a .meta beside every imported file and folder (and none
elsewhere), unique GUIDs, each native plugin's import settings against the binary itself
(its format and CPU read from its header), and that the runtime and the sample compile
with Mono's mcs (the sample against a stub of the few UnityEngine types it uses).

What this cannot check without Unity: that the Editor imports the package, that IL2CPP
builds it, and that the plugins load in a player. README.md says so.

Usage: scripts/test-unity-package.py VERSION
"""
import json
import os
import re
import struct
import subprocess
import sys
import tarfile

version = sys.argv[1]
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(top, "target", "csharp", "unity")
name = "com.together-video.client"
root = os.path.join(out, name)
failures = []


def fail(message):
    failures.append(message)
    print(f"test-unity-package: FAIL: {message}", file=sys.stderr)


# The manifest.
manifest = json.load(open(os.path.join(root, "package.json")))
if manifest.get("name") != name or not re.fullmatch(r"com(\.[a-z0-9-]+)+", manifest["name"]):
    fail(f"package name {manifest.get('name')!r}")
if manifest.get("version") != version:
    fail(f"package version {manifest.get('version')!r}, want {version}")
if not re.fullmatch(r"\d{4}\.\d", manifest.get("unity", "")):
    fail(f"unity version {manifest.get('unity')!r}")
for sample in manifest.get("samples", []):
    if not sample["path"].startswith("Samples~/") or not os.path.isdir(os.path.join(root, sample["path"])):
        fail(f"sample path {sample['path']!r}")
asmdef = json.load(open(os.path.join(root, "Runtime", "TogetherVideo.asmdef")))
if asmdef.get("name") != "TogetherVideo" or asmdef.get("noEngineReferences") is not True:
    fail(f"Runtime assembly definition: {asmdef}")

# A .meta beside every imported file and folder; none for Samples~ (not imported).
guids = {}
for folder, dirs, files in os.walk(root):
    rel = os.path.relpath(folder, root)
    if rel.split(os.sep)[0] == "Samples~":
        for f in files:
            if f.endswith(".meta"):
                fail(f"Samples~ holds {os.path.join(rel, f)}: Unity writes those on import")
        continue
    for entry in dirs + files:
        path = os.path.normpath(os.path.join(rel, entry))
        if entry.endswith(".meta"):
            asset = os.path.join(root, path[: -len(".meta")])
            if not os.path.exists(asset):
                fail(f"{path} has no asset")
            match = re.search(r"^guid: ([0-9a-f]{32})$", open(os.path.join(root, path)).read(), re.M)
            if not match:
                fail(f"{path} has no GUID")
            elif match.group(1) in guids:
                fail(f"{path} and {guids[match.group(1)]} share a GUID")
            else:
                guids[match.group(1)] = path
        elif entry != "Samples~" and not os.path.exists(os.path.join(root, path + ".meta")):
            fail(f"{path} has no .meta")
print(f"test-unity-package: {len(guids)} .meta files, GUIDs unique")


def binary_platform(path):
    """(OS, CPU) of a native library, from its header."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:4] == b"\x7fELF":
        machine = struct.unpack_from("<H", head, 18)[0]
        return "Linux", {0x3E: "x86_64", 0xB7: "ARM64"}.get(machine, hex(machine))
    if head[:2] == b"MZ":
        pe = struct.unpack_from("<I", head, 0x3C)[0]
        machine = struct.unpack_from("<H", head, pe + 4)[0]
        return "Windows", {0x8664: "x86_64", 0xAA64: "ARM64"}.get(machine, hex(machine))
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "OSX", "AnyCPU"
    return "unknown", "unknown"


def platform_data(meta):
    """{(group, platform): (enabled, settings)} from a PluginImporter .meta."""
    data = {}
    for block in re.split(r"\n  - first:\n", meta.split("platformData:\n", 1)[1])[1:]:
        key = re.match(r"\s*(\w+): ?(\w*)", block)
        enabled = re.search(r"enabled: (\d)", block)
        settings = dict(re.findall(r"^        (\w+): (\S+)$", block, re.M))
        data[(key.group(1), key.group(2))] = (enabled.group(1) == "1", settings)
    return data


PLAYER = {"Linux": "Linux64", "Windows": "Win64", "OSX": "OSXUniversal"}
plugins = os.path.join(root, "Runtime", "Plugins")
count = 0
for folder, _, files in os.walk(plugins):
    for f in files:
        if f.endswith(".meta"):
            continue
        count += 1
        path = os.path.join(folder, f)
        rel = os.path.relpath(path, root)
        system, cpu = binary_platform(path)
        data = platform_data(open(path + ".meta").read())
        enabled = {key for key, (on, _) in data.items() if on}
        want = {("Editor", "Editor"), ("Standalone", PLAYER.get(system, "?"))}
        if enabled != want:
            fail(f"{rel} ({system} {cpu}) is enabled for {sorted(enabled)}, want {sorted(want)}")
        editor = data.get(("Editor", "Editor"), (False, {}))[1]
        if editor.get("OS") != system or editor.get("CPU") != cpu:
            fail(f"{rel} ({system} {cpu}): Editor settings {editor}")
        player = data.get(("Standalone", PLAYER.get(system, "?")), (False, {}))[1]
        if player.get("CPU") != cpu:
            fail(f"{rel} ({system} {cpu}): player settings {player}")
        expected_folder = {"Linux": "Linux", "Windows": "Windows", "OSX": "macOS"}.get(system)
        if rel.split(os.sep)[2:4] != [expected_folder, cpu]:
            fail(f"{rel} ({system} {cpu}) is not under Runtime/Plugins/{expected_folder}/{cpu}")
        print(f"test-unity-package: {rel}: {system} {cpu}, enabled for {sorted(p for _, p in enabled)}")
if count < 2:
    fail(f"{count} native plugins, want Linux x86_64 and Windows x86_64")

# The tarball holds the same tree under package/.
with tarfile.open(os.path.join(out, f"{name}-{version}.tgz")) as tar:
    names = set(tar.getnames())
tree = {"package/" + os.path.relpath(os.path.join(folder, f), root)
        for folder, _, files in os.walk(root) for f in files}
if names != tree:
    fail(f"the tarball differs from the folder: {sorted(names ^ tree)[:5]}")

# The runtime compiles as Unity compiles it (C# 7.3 there, 7.2 with mcs), and the
# sample against it and the UnityEngine stub.
build = os.path.join(out, "compile")
os.makedirs(build, exist_ok=True)
mcs = ["mcs", "-langversion:7.2", "-nologo", "-warnaserror", "-sdk:4.7.2-api"]
runtime = os.path.join(root, "Runtime")
sources = sorted(os.path.join(runtime, f) for f in os.listdir(runtime) if f.endswith(".cs"))
steps = [
    mcs + ["-target:library", "-out:" + os.path.join(build, "TogetherVideo.dll")] + sources,
    mcs + ["-target:library", "-out:" + os.path.join(build, "UnityEngine.dll"),
           os.path.join(top, "tests", "unity", "UnityEngine.cs")],
    mcs + ["-target:library", "-out:" + os.path.join(build, "Journey.dll"),
           "-r:" + os.path.join(build, "TogetherVideo.dll"), "-r:" + os.path.join(build, "UnityEngine.dll")]
    + sorted(os.path.join(root, "Samples~", "Journey", f) for f in os.listdir(os.path.join(root, "Samples~", "Journey"))
             if f.endswith(".cs")),
]
for step in steps:
    result = subprocess.run(step, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{os.path.basename(step[-1])} does not compile:\n{result.stdout}{result.stderr}")
print("test-unity-package: the runtime and the sample compile")

if failures:
    sys.exit(f"test-unity-package: {len(failures)} failed")
print("test-unity-package: passed")
