// Did-you-mean for misspelt keys and names.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosim {

// The candidate closest to `word` by edit distance (transpositions count once),
// if it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace kiosim
