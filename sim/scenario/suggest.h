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

// "; did you mean `x`?" for the candidate closest to `word`, else `otherwise`:
// the tail of every "unknown ..." message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         const std::string& otherwise = "");
// The same for a parameter, written `$name`: "; did you mean `$size`?".
std::string did_you_mean_param(std::string_view word, const std::vector<std::string>& candidates);

// "; expected one of: a, b, c": the usual `otherwise`.
std::string expected_one_of(const std::vector<std::string>& candidates);

}  // namespace kiosim
