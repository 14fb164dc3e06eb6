// `kiosim explain --critical-path` and `--request N`: a run's critical path with each
// step's share of the end-to-end time, and the path of one request through the layers.
#pragma once
#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

namespace kiosim {

void print_critical_path(std::ostream& out, const nlohmann::ordered_json& run);
// False when the run has no event of request `req` (nothing printed).
bool print_request(std::ostream& out, const nlohmann::ordered_json& run, std::uint64_t req);
// The highest request id of a run (0 when it has none), for the error message.
std::uint64_t last_request(const nlohmann::ordered_json& run);

}  // namespace kiosim
