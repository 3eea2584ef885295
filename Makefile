# Candor -- the everyday commands. The build itself is CMake + Ninja.
#
#   make          build the server (build/release/candor)
#   make check    install what is missing, build with sanitizers, run every test
#                 (then each fuzz target for FUZZ_CHECK_SECONDS, default 5)
#   make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 300)
#   make demo     install what is missing, build, start a demo instance
#   make bench    run bench/run.sh; the other benchmarks (bench/events.sh,
#                 bench/memory.sh, bench/dashboard.mjs, bench/seed-load-test)
#                 are run by hand as docs/benchmarks.md says
#   make deb      build build/deb/candor_<version>_<arch>.deb (tools/deb.sh)
#   make vendor   copy the browser libraries pinned in package.json into
#                 web/vendor/ (tools/vendor.sh; commit the result)
#   make deps     install every Debian and npm package the project needs
#   make clean    remove build/

BUILD   ?= build
RELEASE := $(BUILD)/release
CHECK   := $(BUILD)/check
FUZZ    := $(BUILD)/fuzz
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 5

.PHONY: all candor deps check fuzz demo bench deb vendor clean

all: candor

$(RELEASE)/build.ninja: CMakeLists.txt
	tools/deps.sh ensure build
	cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCANDOR_WERROR=ON -DCANDOR_TESTS=OFF

candor: $(RELEASE)/build.ninja
	cmake --build $(RELEASE) -j $(JOBS) --target candor

deps:
	tools/deps.sh install

$(CHECK)/build.ninja: CMakeLists.txt
	tools/deps.sh ensure test
	cmake -S . -B $(CHECK) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	    -DCANDOR_WERROR=ON -DCANDOR_SANITIZE=ON

# The fuzz targets: clang + libFuzzer, a configuration of their own
# (tests/fuzz/CMakeLists.txt), registered with ctest under the label fuzz.
$(FUZZ)/build.ninja: CMakeLists.txt tests/fuzz/CMakeLists.txt
	tools/deps.sh ensure test
	cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_C_COMPILER=clang \
	    -DCANDOR_FUZZ=ON -DCANDOR_WERROR=ON

# Two ctest runs: every unit and API test, then a short run of each fuzz
# target; each ends with its own summary, the fuzz run's last. Between
# them, tests/db/run-all.sh runs the store, API and visitor browser tests
# again on a throwaway PostgreSQL and MariaDB, and removes the servers.
check: $(CHECK)/build.ninja $(FUZZ)/build.ninja candor
	tools/deps.sh ensure test
	cmake --build $(CHECK) -j $(JOBS)
	cmake --build $(FUZZ) -j $(JOBS)
	cd $(CHECK) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    CANDOR_RELEASE_BIN=$(CURDIR)/$(RELEASE)/candor \
	    ctest --output-on-failure --timeout 900
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/db/run-all.sh $(CHECK)
	cd $(FUZZ) && FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS) \
	    ctest --output-on-failure -j $(JOBS) --timeout 300

fuzz: $(FUZZ)/build.ninja
	cmake --build $(FUZZ) -j $(JOBS)
	cd $(FUZZ) && FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    ctest --output-on-failure -j $(JOBS) --timeout $$(($(FUZZ_SECONDS) + 300))

# DEMO_ARGS passes options on, e.g. make demo DEMO_ARGS="--users 1000 --keep"
demo: candor
	tools/demo.sh $(RELEASE)/candor $(DEMO_ARGS)

bench: candor
	tools/deps.sh ensure bench
	bench/run.sh $(RELEASE)/candor

# Browser libraries pinned in package.json, copied unmodified into
# web/vendor/ (commit the result; the build embeds web/).
vendor:
	tools/deps.sh ensure test
	tools/vendor.sh

# The Debian package, from the release build (see docs/running.md).
deb: candor
	tools/deps.sh ensure deb
	tools/deb.sh $(RELEASE)/candor $(BUILD)/deb

clean:
	rm -rf $(BUILD)
