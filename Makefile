# Thin wrapper around CMake. `make run` and `make test` install what is missing first.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench clean
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

bench: deps
	@cmake -S . -B $(BUILD)-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DKIOSIM_BENCH=ON -DKIOSIM_TESTS=OFF >/dev/null
	@cmake --build $(BUILD)-bench -j $(JOBS)
	scripts/run-benchmarks $(BUILD)-bench

clean:
	rm -rf $(BUILD) $(BUILD)-bench
