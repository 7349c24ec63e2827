# together-video: `make demo` and `make test` are all a newcomer needs.
# Both install what they need (Rust must already be there; Debian packages are
# installed with apt-get only when missing).

CARGO   ?= cargo
CC      ?= cc
RELEASE := target/release
BUILD   := target/c
LIB_SO  := $(RELEASE)/libtogether_video.so
LIB_A   := $(RELEASE)/libtogether_video.a
MOCK    := $(RELEASE)/tv-mock
# What a static link of the library needs (rustc --print native-static-libs).
STATIC_LIBS := -lpthread -ldl -lm -lrt -lutil -lgcc_s
C_STRICT := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -Iinclude
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible \
            --suppressions=$(abspath tests/c/valgrind.supp)

.PHONY: cross deps-cross dist test-dist test-cross
.PHONY: all build header miri soak fuzz install test-install test-c-sanitizers test-contract examples test-examples demo check test test-rust test-c test-go test-go-link test-csharp test-csharp-coreclr test-csharp-windows csharp-programs deps-csharp csharp csharp-package test-csharp-package bench bench-go deps-c abi-check abi-baseline deps-abi clean
.DEFAULT_GOAL := all

all: build

VERSION   := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
SOVERSION := $(if $(filter 0.%,$(VERSION)),$(word 1,$(subst ., ,$(VERSION))).$(word 2,$(subst ., ,$(VERSION))),$(word 1,$(subst ., ,$(VERSION))))

# The library (.so and .a), the header, and the mock server. Rust links a cdylib with a
# version script of its own, so the shared library is relinked from the static one with
# ours (packaging/together_video.map): only tv_* exported, under a version node. Programs
# linked against the .so look for its SONAME, so the build directory gets that link too.
SYMBOL_MAP := packaging/together_video.map
build:
	$(CARGO) build --release -p together-video -p tv-mock
	scripts/relink.sh $(CC) $(LIB_A) $(LIB_SO) libtogether_video.so.$(SOVERSION)
	ln -sf libtogether_video.so $(RELEASE)/libtogether_video.so.$(SOVERSION)

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR    ?=

# Installs the library (.so with SONAME and links, .a), the C and C++ headers, a
# pkg-config file and a CMake package config, as cargo-c would.
install: build
	scripts/install.sh $(RELEASE) $(PREFIX) $(LIBDIR) $(INCLUDEDIR) "$(DESTDIR)"

# Installs into target/, then builds the C++ wrapper's test against the installed
# package with CMake (find_package; shared and static) and with pkg-config, runs each
# under valgrind, and checks the package's promises: only tv_* symbols exported, the
# SONAME, and the version macros matching Cargo.toml and tv_version().
INSTALL_TEST := $(abspath target/install-test)
test-install: build deps-c
	rm -rf $(INSTALL_TEST)
	$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST)/usr DESTDIR=
	@! nm -D --defined-only $(INSTALL_TEST)/usr/lib/libtogether_video.so | awk '$$2 != "A" {print $$3}' | grep -v '^tv_.*@@TOGETHER_VIDEO_$(SOVERSION)$$' \
	  || { echo "symbols other than tv_*@@TOGETHER_VIDEO_$(SOVERSION) are exported"; exit 1; }
	@readelf -d $(INSTALL_TEST)/usr/lib/libtogether_video.so | grep -q 'SONAME.*libtogether_video.so.$(SOVERSION)]' \
	  || { echo "wrong SONAME"; exit 1; }
	@grep -q 'TOGETHER_VIDEO_$(SOVERSION) {' $(SYMBOL_MAP) || { echo "$(SYMBOL_MAP) must name the version node TOGETHER_VIDEO_$(SOVERSION)"; exit 1; }
	@version=$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1); \
	  grep -q "TV_VERSION_STRING \"$$version\"" include/together_video.h \
	  || { echo "TV_VERSION_STRING does not match Cargo.toml $$version"; exit 1; }
	cmake -S tests/cpp -B $(INSTALL_TEST)/build -DCMAKE_PREFIX_PATH=$(INSTALL_TEST)/usr -DCMAKE_BUILD_TYPE=Debug > /dev/null
	cmake --build $(INSTALL_TEST)/build > /dev/null
	PKG_CONFIG_PATH=$(INSTALL_TEST)/usr/lib/pkgconfig sh -c '$(CXX) -std=c++17 -Wall -Wextra -Wpedantic -Werror \
	  -o $(INSTALL_TEST)/test_wrapper_pkgconfig tests/cpp/test_wrapper.cpp $$(pkg-config --cflags --libs together_video) \
	  -Wl,-rpath,$(INSTALL_TEST)/usr/lib'
	for program in build/test_wrapper build/test_wrapper_static test_wrapper_pkgconfig; do \
	  scripts/with-mock.sh $(MOCK) -- $(VALGRIND) $(INSTALL_TEST)/$$program || exit 1; \
	done

# The examples against the mock, under valgrind.
test-examples: examples
	scripts/with-mock.sh $(MOCK) -- scripts/run-examples.sh -C $(BUILD) get_video journey game_loop event_loop cpp_journey -- $(VALGRIND)

# Regenerates include/together_video.h from src/ffi (commit the result).
header:
	TV_UPDATE_HEADER=1 $(CARGO) build --release -p together-video

$(BUILD)/%: examples/%.c include/together_video.h build | $(BUILD)
	$(CC) $(C_STRICT) -o $@ $< -L$(RELEASE) -ltogether_video -Wl,-rpath,$(abspath $(RELEASE))

# Every example, built with warnings as errors (make test runs them against the mock).
examples: $(BUILD)/get_video $(BUILD)/journey $(BUILD)/game_loop $(BUILD)/event_loop $(BUILD)/cpp_journey
$(BUILD)/cpp_journey: examples/cpp/journey.cpp include/together_video.hpp build | $(BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude -o $@ $< -L$(RELEASE) -ltogether_video \
	  -Wl,-rpath,$(abspath $(RELEASE))

$(BUILD):
	mkdir -p $(BUILD)

# The whole journey against the bundled mock: create -> wait with progress -> download,
# then a few jobs looked up. With TOGETHER_API_KEY and DEMO_ID set, fetches DEMO_ID from
# Together's real service instead (DEMO_MODEL=... as well runs the journey for real,
# which starts a billed job).
demo: $(BUILD)/get_video $(BUILD)/journey
ifneq ($(and $(TOGETHER_API_KEY),$(DEMO_MODEL)),)
	$(BUILD)/journey $(BUILD)/together-video-demo.mp4
else ifneq ($(and $(TOGETHER_API_KEY),$(DEMO_ID)),)
	$(BUILD)/get_video $(DEMO_ID)
else
	@echo "== together-video demo against the bundled mock of Together's API (no key or network needed)"
	@echo
	@scripts/with-mock.sh $(MOCK) --api-key demo-key -- sh -c '\
	  export TOGETHER_API_KEY=demo-key TOGETHER_BASE_URL="$$TV_MOCK_URL" NO_PROXY=127.0.0.1 DEMO_POLL_MS=700; \
	  $(BUILD)/journey $(BUILD)/together-video-demo.mp4 && echo && \
	  echo "== looking jobs up:" && echo && \
	  $(BUILD)/get_video vid_failed vid_unknown_status && echo && \
	  echo "== a job that does not exist:" && \
	  if $(BUILD)/get_video vid_does_not_exist; then exit 1; fi'
	@echo
	@echo "== against the real service: TOGETHER_API_KEY=... DEMO_ID=<video id> make demo"
endif

test: test-rust miri soak test-contract test-c test-c-sanitizers abi-check test-install test-examples test-go test-csharp test-csharp-coreclr \
      test-csharp-windows test-cross test-dist test-go-link test-csharp-package
	@echo "== all test suites passed"

# The fast suites, for the edit-compile loop: Rust (no Miri, no soak) and C.
check: test-rust test-c
	@echo "== the fast suites passed (make test runs everything)"

ABI_BASELINE := packaging/together_video.abi
ABI_TYPES_BASELINE := packaging/together_video.types.abi
ABIDW := abidw --no-corpus-path --no-show-locs

deps-abi:
	@scripts/install-deps.sh abidw:abigail-tools

# The exported ABI against the committed baselines (libabigail): the library's symbols
# and their version node (it carries no debug information), and the header's types, as
# a probe compiled with -g sees them (scripts/abi-types.sh). Removing or renaming a
# symbol, or changing a parameter, a struct's layout or an enumerator's value, without
# bumping the SONAME fails; adding a function or an enumerator is fine. (A deliberate
# compatible change, such as a size-prefixed struct growing at its end: rerun
# make abi-baseline and say why in the commit.)
abi-check: build deps-abi
	@mkdir -p target/abi
	$(ABIDW) --out-file target/abi/current.abi $(LIB_SO)
	@baseline=$$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' $(ABI_BASELINE) | head -n 1); \
	  current=$$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' target/abi/current.abi | head -n 1); \
	  if [ "$$baseline" != "$$current" ]; then \
	    echo "SONAME $$current, but the ABI baseline is for $$baseline: run make abi-baseline and commit it"; exit 1; \
	  fi
	@status=0; abidiff $(ABI_BASELINE) target/abi/current.abi > target/abi/diff.txt || status=$$?; \
	  cat target/abi/diff.txt; \
	  if [ $$((status & 8)) -ne 0 ]; then \
	    echo "the ABI changed incompatibly without a SONAME bump (see above)"; exit 1; \
	  elif [ $$((status & 3)) -ne 0 ]; then \
	    echo "abidiff failed ($$status)"; exit 1; \
	  fi
	scripts/abi-types.sh $(LIB_SO) target/abi/types.abi
	@status=0; abidiff $(ABI_TYPES_BASELINE) target/abi/types.abi > target/abi/types-diff.txt || status=$$?; \
	  cat target/abi/types-diff.txt; \
	  if [ $$((status & 3)) -ne 0 ]; then echo "abidiff failed ($$status)"; exit 1; fi; \
	  if grep -Eq 'changes summary: ([1-9][0-9]*) Removed|, ([1-9][0-9]*) Changed' target/abi/types-diff.txt; then \
	    echo "the header's types changed incompatibly without a SONAME bump (see above)"; exit 1; \
	  fi
	@echo "abi-check: 2 passed, 0 failed"

# Records the current ABI as the baseline (after a SONAME bump, or to accept additions).
abi-baseline: build deps-abi
	$(ABIDW) --out-file $(ABI_BASELINE) $(LIB_SO)
	scripts/abi-types.sh $(LIB_SO) $(ABI_TYPES_BASELINE)

# Unit tests (including header drift: src/ffi/mod.rs), and the core and the C ABI
# against the mock (tests/*.rs).
test-rust:
	$(CARGO) test --workspace

deps-c:
	@scripts/install-deps.sh valgrind:valgrind

C_TESTS := test_get_video test_lifecycle test_log
# The library's requests against Together's own OpenAPI spec, served by Stoplight Prism
# (installed with npm from tests/contract/package-lock.json).
test-contract: build
	scripts/contract.sh

FUZZ_SECONDS ?= 60

# Runs each fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS with libFuzzer, adding what it
# finds to the committed corpus (make test replays it: tests/fuzz_corpus.rs). Needs
# nightly Rust and cargo-fuzz, installed here when missing.
fuzz:
	@command -v cargo-fuzz > /dev/null || $(CARGO) install cargo-fuzz --locked
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	for target in decode url; do \
	  $(CARGO) +nightly fuzz run $$target fuzz/corpus/$$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096 || exit 1; \
	done

# The soak (tests/soak.rs): 100 000 gets and 1 000 create+wait+download cycles on 8
# threads against tv-mock in its own process; resident memory must not grow by 1 MiB.
soak: build
	scripts/with-mock.sh $(MOCK) -- $(CARGO) test --release --test soak -- --ignored --nocapture

# The library's unit tests (the C ABI's memory handling included, no network) under
# Miri, which checks every unsafe operation against Rust's aliasing and memory rules.
miri:
	@rustup +nightly component list --installed 2>/dev/null | grep -q '^miri' \
	  || rustup component add --toolchain nightly miri rust-src
	MIRIFLAGS=-Zmiri-disable-isolation $(CARGO) +nightly miri test --lib

SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The C tests again under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (the C side is instrumented; leaks are found in every allocation, Rust's included).
test-c-sanitizers: build | $(BUILD)
	for test in $(C_TESTS); do \
	  $(CC) $(C_STRICT) $(SANITIZE) -pthread -o $(BUILD)/$${test}_asan tests/c/$$test.c $(LIB_A) $(STATIC_LIBS) && \
	  env -u TOGETHER_API_KEY -u TOGETHER_BASE_URL ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1 scripts/with-mock.sh $(MOCK) -- $(BUILD)/$${test}_asan || exit 1; \
	done

# The C tests, each linked with the shared and with the static library, under valgrind.
test-c: build deps-c | $(BUILD)
	for test in $(C_TESTS); do \
	  $(CC) $(C_STRICT) -pthread -o $(BUILD)/$${test}_shared tests/c/$$test.c \
	    -L$(RELEASE) -ltogether_video -Wl,-rpath,$(abspath $(RELEASE)) && \
	  $(CC) $(C_STRICT) -pthread -o $(BUILD)/$${test}_static tests/c/$$test.c $(LIB_A) $(STATIC_LIBS) && \
	  for linked in shared static; do \
	    env -u TOGETHER_API_KEY -u TOGETHER_BASE_URL scripts/with-mock.sh $(MOCK) -- \
	      $(VALGRIND) $(BUILD)/$${test}_$$linked || exit 1; \
	  done || exit 1; \
	done
	@# The README's quick start must compile cleanly and run.
	awk '/^## C quick start/{on=1} on&&/^```c/{grab=1;next} grab&&/^```/{exit} grab' README.md > $(BUILD)/readme_quick_start.c
	$(CC) $(C_STRICT) -o $(BUILD)/readme_quick_start $(BUILD)/readme_quick_start.c \
	  -L$(RELEASE) -ltogether_video -Wl,-rpath,$(abspath $(RELEASE))
	scripts/with-mock.sh $(MOCK) -- sh -c 'TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=$$TV_MOCK_URL \
	  NO_PROXY=127.0.0.1 $(VALGRIND) $(BUILD)/readme_quick_start'

GO ?= go

GO_MODULE := bindings/go/togethervideo

# The Go binding (bindings/go/togethervideo), linked statically against the library:
# vet, the tests under the race detector, again with GOGC=1 (a missing runtime.KeepAlive
# shows up as a use after free), once linked dynamically, and its documentation free of
# cgo types.
test-go: build
	cd $(GO_MODULE) && $(GO) vet ./...
	cd $(GO_MODULE) && $(GO) test -race -count=1 ./...
	cd $(GO_MODULE) && GOGC=1 $(GO) test -count=1 ./...
	cd $(GO_MODULE) && $(GO) test -count=1 -tags together_dynamic -run 'Fixture|ResultCode' ./...
	@cd $(GO_MODULE) && ! $(GO) doc -all . | grep -nE '\bC\.[A-Za-z_]|_Ctype|callbackState|\*settings' \
	  || { echo "go doc shows cgo or unexported types in the exported API"; exit 1; }

# A Go module outside the repository (examples/go/journey) builds and runs the journey
# in each documented link mode: repository build, installed library through pkg-config,
# fully static on the musl archive (scripts/test-go-link.sh).
test-go-link: build dist
	GO=$(GO) scripts/test-go-link.sh $(VERSION)

# Compiled against the .NET Framework 4.7.2 reference assemblies (Mono's copy, in
# mono-devel), not Mono's own class library: each type is then referenced where .NET
# Framework and the compat facades of .NET Core, .NET 5+ and Unity look for it (Mono's
# mscorlib holds types that .NET's does not, Queue<T> among them).
MCS      := mcs -langversion:7.2 -nologo -warnaserror -sdk:4.7.2-api
CS_OUT   := target/csharp
CORECLR  := target/coreclr
CORECLR_WIN := target/coreclr-win

deps-csharp:
	@scripts/install-deps.sh mcs:mono-mcs mono:mono-runtime /usr/lib/mono/4.7.2-api/mscorlib.dll:mono-devel

# TogetherVideo.dll with its XML documentation (a public member without it fails the
# build) and the assembly version from Cargo.toml, and TogetherVideo.dll.config beside it
# (Mono's dllmap of the library's name per platform).
csharp: deps-csharp
	mkdir -p $(CS_OUT)
	printf '[assembly: System.Reflection.AssemblyVersion("%s.0")]\n[assembly: System.Reflection.AssemblyFileVersion("%s.0")]\n[assembly: System.Reflection.AssemblyInformationalVersion("%s")]\n' \
	  $(VERSION) $(VERSION) $(VERSION) > $(CS_OUT)/AssemblyVersion.cs
	$(MCS) -target:library -doc:$(CS_OUT)/TogetherVideo.xml -out:$(CS_OUT)/TogetherVideo.dll \
	  bindings/csharp/src/*.cs $(CS_OUT)/AssemblyVersion.cs
	cp bindings/csharp/src/TogetherVideo.dll.config $(CS_OUT)/

# The C# test, sample and benchmark programs (`make bench` runs the latter; compiled
# here so they cannot rot), and the native struct offsets the tests check the binding's
# layouts against, as the C compiler prints them.
csharp-programs: csharp | $(BUILD)
	$(MCS) -target:exe -out:$(CS_OUT)/TogetherVideo.Tests.exe -r:$(CS_OUT)/TogetherVideo.dll -r:System.Core.dll \
	  bindings/csharp/tests/*.cs
	$(MCS) -target:exe -out:$(CS_OUT)/Sample.exe -r:$(CS_OUT)/TogetherVideo.dll bindings/csharp/samples/*.cs
	$(MCS) -target:exe -out:$(CS_OUT)/AsyncBench.exe -r:$(CS_OUT)/TogetherVideo.dll \
	  bindings/csharp/bench/Bench.cs bindings/csharp/bench/CApiCalls.cs
	$(MCS) -target:exe -out:$(CS_OUT)/ManyWaits.exe -r:$(CS_OUT)/TogetherVideo.dll bindings/csharp/bench/ManyWaits.cs
	$(CC) $(C_STRICT) -o $(CS_OUT)/offsets bindings/csharp/tests/offsets.c
	$(CS_OUT)/offsets > $(CS_OUT)/offsets.txt

# The C# binding built with Mono's mcs (C# 7.2, a subset of Unity's 7.3) and tested under
# Mono against tv-mock.
test-csharp: build csharp-programs
	LD_LIBRARY_PATH=$(abspath $(RELEASE)) TV_FIXTURES=tests/fixtures TV_OFFSETS=$(CS_OUT)/offsets.txt TV_TESTS_NO_SKIP=1 \
	  scripts/with-mock.sh $(MOCK) -- mono --debug $(CS_OUT)/TogetherVideo.Tests.exe

# The same tests under CoreCLR, the runtime of .NET (Core) and a NuGet package's usual
# host: .NET Core 3.1 (scripts/install-coreclr.sh says where it comes from and what it
# cannot do here). Skipped: the checks of the XML documentation, which need .NET's
# random numbers and so an OpenSSL 1.x that Debian 12 lacks; Mono runs them on the same file.
CORECLR_SKIP := TestEveryCallDocumentsWhatItThrows,TestEveryEventQueueMethodDocumentsWhatItThrows,TestTheJournalsMethodsDocumentWhatTheyThrow
test-csharp-coreclr: build csharp-programs $(CORECLR)/.installed
	cp $(CORECLR)/runtimeconfig.json $(CS_OUT)/TogetherVideo.Tests.runtimeconfig.json
	LD_LIBRARY_PATH=$(abspath $(RELEASE)) TV_FIXTURES=tests/fixtures TV_OFFSETS=$(CS_OUT)/offsets.txt TV_TESTS_SKIP=$(CORECLR_SKIP) TV_TESTS_NO_SKIP=1 \
	  scripts/with-mock.sh $(MOCK) -- $(CORECLR)/dotnet exec $(CS_OUT)/TogetherVideo.Tests.exe

# The CoreCLR itself, fetched once (the script's stamp names the tarball's pinned hash).
$(CORECLR)/.installed: scripts/install-coreclr.sh
	scripts/install-coreclr.sh $(CORECLR)
	touch $@

# The same tests on Windows: CoreCLR for win-x64 under Wine, with the Windows build of
# the library and its structs as MinGW lays them out (scripts/test-csharp-windows.sh).
test-csharp-windows: build cross csharp-programs $(CORECLR_WIN)/.installed
	scripts/test-csharp-windows.sh $(CORECLR_WIN)

$(CORECLR_WIN)/.installed: scripts/install-coreclr.sh
	scripts/install-coreclr.sh $(CORECLR_WIN) win-x64
	touch $@

# The NuGet package (target/csharp/package/TogetherVideo.VERSION.nupkg: netstandard2.0
# and the native library for linux-x64, linux-arm64 and win-x64 from the release
# archives) and the Unity package (target/csharp/unity/: a folder and a tarball).
csharp-package: csharp dist
	python3 scripts/csharp-package.py $(VERSION)
	python3 scripts/unity-package.py $(VERSION)

# Both packages checked as their users' tools read them: the .nupkg with
# System.IO.Packaging, restored into a scratch project whose sample runs against the
# mock under Mono, CoreCLR, and CoreCLR for Windows in Wine; the Unity package's
# manifest, .meta files and plugin import settings.
test-csharp-package: csharp-package build $(CORECLR)/.installed $(CORECLR_WIN)/.installed
	@scripts/install-deps.sh /usr/lib/mono/4.5/WindowsBase.dll:libmono-windowsbase4.0-cil \
	  /usr/lib/mono/4.5/System.Xml.Linq.dll:libmono-system-xml-linq4.0-cil unzip:unzip
	scripts/test-csharp-package.sh $(VERSION) $(abspath $(CORECLR))/dotnet $(abspath $(CORECLR_WIN))
	python3 scripts/test-unity-package.py $(VERSION)

# Every contender side by side (scripts/bench/run.sh): writes docs/benchmarks.md and .png.
bench: build cross test-csharp $(CORECLR)/.installed
	@scripts/install-deps.sh nginx:nginx-light curl-config:libcurl4-openssl-dev valgrind:valgrind
	@scripts/install-deps.sh /usr/lib/mono/4.5/System.Net.Http.dll:libmono-system-net-http4.0-cil
	@test -x target/bench/venv/bin/python || python3 -m venv target/bench/venv
	@target/bench/venv/bin/pip install -q -r scripts/bench/requirements.txt
	scripts/bench/run.sh

# GetVideo through the binding against the same call with net/http + encoding/json,
# both against tv-mock in its own process.
bench-go: build
	scripts/with-mock.sh $(MOCK) -- sh -c 'cd $(GO_MODULE) && TV_BENCH_URL=$$TV_MOCK_URL \
	  $(GO) test -run XXX -bench GetVideo -benchtime 3s -count 3 ./...'

# ---- Other platforms: Linux arm64, Windows x64, static Linux (musl) -------------------
CROSS_TARGETS := aarch64-unknown-linux-gnu x86_64-pc-windows-gnu x86_64-unknown-linux-musl
HOST_TARGET   := $(shell rustc -vV | sed -n 's/^host: //p')
CROSS_ENV := CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
             CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
             CC_x86_64_unknown_linux_musl=musl-gcc

# The cross compilers, Wine, qemu-user and musl from Debian, and Rust's targets.
deps-cross:
	@scripts/install-deps.sh x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 x86_64-w64-mingw32-g++:g++-mingw-w64-x86-64 \
	  wine:wine aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu aarch64-linux-gnu-g++:g++-aarch64-linux-gnu \
	  /usr/aarch64-linux-gnu/lib/libc.so.6:libc6-dev-arm64-cross qemu-aarch64:qemu-user musl-gcc:musl-tools \
	  zip:zip unzip:unzip cmake:cmake
	@installed=$$(rustup target list --installed); for target in $(CROSS_TARGETS); do \
	  echo "$$installed" | grep -qx $$target || rustup target add $$target; done

# The library for every target this machine builds (the native one by `make build`).
# Windows: the DLL, its MinGW import library, and together_video.def beside them, from
# which MSVC users make their own import library (`lib /def`); scripts/dist.sh ships it.
WINDOWS_RELEASE := target/x86_64-pc-windows-gnu/release
cross: build deps-cross
	$(CROSS_ENV) $(CARGO) build --release -p together-video $(addprefix --target ,$(CROSS_TARGETS))
	@# The arm64 shared library as it ships: symbol-versioned, with its SONAME (as `build`).
	scripts/relink.sh aarch64-linux-gnu-gcc target/aarch64-unknown-linux-gnu/release/libtogether_video.a \
	  target/aarch64-unknown-linux-gnu/release/libtogether_video.so libtogether_video.so.$(SOVERSION)
	scripts/windows-def.sh $(WINDOWS_RELEASE)/together_video.dll $(WINDOWS_RELEASE)/together_video.def

# One archive per target in target/dist (scripts/dist.sh), and their SHA256SUMS.
dist: cross
	for target in $(HOST_TARGET) $(CROSS_TARGETS); do scripts/dist.sh $$target || exit 1; done
	cd target/dist && sha256sum together-video-$(VERSION)-*.tar.gz together-video-$(VERSION)-*.zip > SHA256SUMS
	@cat target/dist/SHA256SUMS

# The C test suites built for each other target, run against the Linux mock on loopback:
# under Wine (Windows), qemu-user (arm64), and as fully static programs (musl).
test-cross: cross
	@failed=0; for target in $(CROSS_TARGETS); do scripts/cross-test.sh $$target || failed=1; done; exit $$failed

# Each archive unpacked and used as a user would: the C++ wrapper's test built with CMake
# against the Linux archives (run natively and under qemu), a fully static C program from
# the musl archive, and the C++ journey from the Windows archive under Wine.
test-dist: dist
	scripts/test-dist.sh $(VERSION)

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
