# The front door. `make quickstart` and `make test` are the two commands a
# newcomer needs; see README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DIR ?= $(HOME)/.slicefs/demo
DEMO_MNT ?= /tmp/slicefs-demo

.PHONY: all build deps quickstart test test-asan bench clean soak

all: build

deps:
	@bash scripts/install-deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

quickstart: deps build
	@bash scripts/quickstart.sh $(BUILD)/slicefs "$(DEMO_DIR)" "$(DEMO_MNT)"

# Every test: unit tests, engine conformance against real servers, mount tests.
test: deps build
	@bash scripts/run-tests.sh $(BUILD)

# The unit suites again under AddressSanitizer + UBSan.
test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSLICEFS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ctest --output-on-failure -R '^(common|kv|meta|object|chunk|vfs)_tests$$'

# The differential test (tests/differential_test.sh) for SOAK_MINUTES.
SOAK_MINUTES ?= 30
soak: build
	@bash tests/differential_test.sh $(BUILD)/slicefs $(SOAK_MINUTES)

bench: build
	@bash bench/run-all.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan
