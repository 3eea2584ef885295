# Candor -- the everyday commands. The build itself is CMake + Ninja.
#
#   make          build the server (build/release/candor)
#   make check    install what is missing, build with sanitizers, run every test
#   make demo     install what is missing, build, start a demo instance
#   make bench    run the benchmarks in bench/ (see docs/benchmarks.md)
#   make deps     install every Debian and npm package the project needs
#   make clean    remove build/

BUILD   ?= build
RELEASE := $(BUILD)/release
CHECK   := $(BUILD)/check
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all candor deps check demo bench clean

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

check: $(CHECK)/build.ninja candor
	tools/deps.sh ensure test
	cmake --build $(CHECK) -j $(JOBS)
	cd $(CHECK) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure --timeout 900

demo: candor
	tools/demo.sh $(RELEASE)/candor

bench: candor
	tools/deps.sh ensure bench
	bench/run.sh $(RELEASE)/candor

clean:
	rm -rf $(BUILD)
