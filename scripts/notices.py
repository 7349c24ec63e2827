#!/usr/bin/env python3
"""Writes the third-party notices of a build of together-video, generated from Cargo's
own metadata: every crate linked into the library for TARGET (normal dependencies, not
build scripts or proc-macros, which do not end up in the binary), its licence
expression, and the licence and notice files it ships, verbatim.

Usage: scripts/notices.py TARGET > THIRD-PARTY-NOTICES.md
A crate that ships no licence file is named with its expression and the standard text
of that licence from this repository (LICENSE-MIT, LICENSE-APACHE) when it is one of
those; any other case fails, so that a notice is never silently missing.
"""

import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICENCE_PREFIXES = ("license", "licence", "copying", "notice", "copyright")
STANDARD_TEXTS = {"MIT": "LICENSE-MIT", "Apache-2.0": "LICENSE-APACHE"}


def linked_packages(target):
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", target],
            cwd=TOP, check=True, capture_output=True, text=True,
        ).stdout
    )
    packages = {package["id"]: package for package in metadata["packages"]}
    nodes = {node["id"]: node for node in metadata["resolve"]["nodes"]}
    root = next(p["id"] for p in metadata["packages"] if p["name"] == "together-video")

    def is_proc_macro(package):
        return any("proc-macro" in target["kind"] for target in package["targets"])

    seen, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for dep in nodes[current]["deps"]:
            normal = any(kind["kind"] is None for kind in dep["dep_kinds"])
            if normal and not is_proc_macro(packages[dep["pkg"]]):
                stack.append(dep["pkg"])
    seen.discard(root)
    return sorted((packages[i] for i in seen), key=lambda p: (p["name"], p["version"]))


def licence_files(package):
    folder = os.path.dirname(package["manifest_path"])
    names = sorted(n for n in os.listdir(folder) if n.lower().startswith(LICENCE_PREFIXES))
    if package.get("license_file"):
        names.append(os.path.relpath(os.path.join(folder, package["license_file"]), folder))
    return folder, sorted(set(names))


# The LLVM exception, which LLVM's libunwind adds to Apache-2.0.
LLVM_EXCEPTION = """---- LLVM Exceptions to the Apache 2.0 License ----

As an exception, if, as a result of your compiling your source code, portions
of this Software are embedded into an Object form of such source code, you
may redistribute such embedded portions in such Object form without complying
with the conditions of Sections 4(a), 4(b) and 4(d) of the License.

In addition, if you combine or link compiled forms of this Software with
software that is licensed under the GPLv2 ("Combined Software") and if a
court of competent jurisdiction determines that the patent provision (Section
3), the indemnity provision (Section 9) or other Section of the License
conflicts with the conditions of the GPLv2, you may retroactively and
prospectively choose to deem waived or otherwise exclude such Section(s) of
the License, but only in their entirety and only with respect to the Combined
Software."""


def runtime_notices(target):
    """What is linked in besides the crates: Rust's standard library, and for musl the
    unwinder shipped beside the library."""
    out = [
        "## The Rust standard library",
        "",
        "Licence: MIT OR Apache-2.0 (the texts are in LICENSE-MIT and LICENSE-APACHE of this archive).",
        "Source: https://github.com/rust-lang/rust",
        "",
    ]
    if target.endswith("-musl"):
        out += [
            "## LLVM libunwind (lib/libunwind.a, as the Rust toolchain ships it)",
            "",
            "Licence: Apache-2.0 WITH LLVM-exception (Apache-2.0 is in LICENSE-APACHE).",
            "Source: https://github.com/llvm/llvm-project/tree/main/libunwind",
            "",
            "```",
            LLVM_EXCEPTION,
            "```",
            "",
        ]
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = sys.argv[1]
    out = [
        "# Third-party notices",
        "",
        f"together-video for `{target}` contains the following crates, linked into the library.",
        "Each is listed with its licence expression and the licence files it ships.",
        "",
    ]
    for package in linked_packages(target):
        folder, names = licence_files(package)
        expression = package.get("license") or "(see its licence file)"
        out += [f"## {package['name']} {package['version']}", "", f"Licence: {expression}"]
        if package.get("repository"):
            out.append(f"Source: {package['repository']}")
        out.append("")
        if not names:
            choices = [c.strip("() ") for c in expression.replace("/", " OR ").split(" OR ")]
            standard = next((STANDARD_TEXTS[c] for c in choices if c in STANDARD_TEXTS), None)
            if standard is None:
                sys.exit(f"{package['name']} ships no licence file and is not MIT or Apache-2.0: add its notice")
            names, folder = [standard], TOP
            out += [f"The crate ships no licence file; the standard text of {standard[8:]} follows.", ""]
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as text:
                out += [f"### {name}", "", "```", text.read().rstrip(), "```", ""]
    out += runtime_notices(target)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
