# Thin wrapper around CMake. `make run` and `make test` install what is missing first.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

# The sanitizer build (clang, AddressSanitizer + UBSan, no GUI) runs the whole suite
# and holds the libFuzzer targets; `make fuzz` runs each for FUZZ_SECONDS.
SAN_BUILD    ?= build-san
FUZZ_SECONDS ?= 60
SAN_FLAGS = -DCMAKE_CXX_COMPILER=clang++ -DKIOSIM_SANITIZE=address,undefined -DKIOSIM_FUZZ=ON -DKIOSIM_TESTS=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only"

# CI (.ci/run): one build, the sanitizer build with the GUI; the whole suite on it, then
# a fuzz round of CI_FUZZ_SECONDS per target. `make test` stays the plain build.
CI_BUILD        ?= build-ci
CI_FUZZ_SECONDS ?= 10

.PHONY: all deps configure build run test bench clean sanitize fuzz ci ci-build ci-test ci-fuzz
all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DKIOSIM_TESTS=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/sim/kiosim compare scenarios/copy-table.yaml

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize: deps
	@cmake -S . -B $(SAN_BUILD) -G Ninja $(SAN_FLAGS) -DKIOSIM_GUI=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	@cmake -S . -B $(SAN_BUILD) -G Ninja $(SAN_FLAGS) -DKIOSIM_GUI=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS) --target kiosim fuzz_scenario fuzz_machine fuzz_cache_trace fuzz_homework \
	  $$(grep -q fuzz_gui_trace $(SAN_BUILD)/build.ninja && echo fuzz_gui_trace)
	scripts/fuzz $(SAN_BUILD) $(FUZZ_SECONDS)

ci: ci-build
	$(MAKE) --no-print-directory ci-test
	$(MAKE) --no-print-directory ci-fuzz

ci-build: deps
	@cmake -S . -B $(CI_BUILD) -G Ninja $(SAN_FLAGS) -DKIOSIM_GUI=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(CI_BUILD) -j $(JOBS)

ci-test:
	cd $(CI_BUILD) && ctest --output-on-failure -j $(JOBS)

ci-fuzz:
	scripts/fuzz $(CI_BUILD) $(CI_FUZZ_SECONDS)

bench: deps
	@cmake -S . -B $(BUILD)-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DKIOSIM_BENCH=ON -DKIOSIM_TESTS=OFF >/dev/null
	@cmake --build $(BUILD)-bench -j $(JOBS)
	scripts/run-benchmarks $(BUILD)-bench

clean:
	rm -rf $(BUILD) $(BUILD)-bench $(SAN_BUILD) $(CI_BUILD)
