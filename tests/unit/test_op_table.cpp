// The op table (sim/program/op_table.h): what the loader, real mode and the README
// read about each op.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/program/op_table.h"

using namespace kiosim;

namespace {

std::string readme() {
  std::ifstream in(std::string(KIOSIM_SOURCE_DIR) + "/README.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The README's row for an op, as the op table has it.
std::string op_row(const OpSpec& op) {
  std::string keys;
  for (const auto& k : op.keys) {
    std::string key = "`" + std::string(k.name) + "`";
    keys += (keys.empty() ? "" : ", ") + (k.required ? "**" + key + "**" : key);
  }
  return "| `" + std::string(op.name) + "` | " + keys + " | " + (op.in_setup ? "yes" : "no") + " | " +
         std::string(op.summary) + " |";
}

std::string key_row(const OpKeyInfo& k) {
  return "| `" + std::string(k.name) + "` | " + std::string(to_string(k.type)) + " | " + std::string(k.meaning) + " |";
}

// Rows of the README's table whose header line is `header`.
std::vector<std::string> table_rows(const std::string& text, const std::string& header) {
  std::vector<std::string> rows;
  auto at = text.find(header);
  REQUIRE(at != std::string::npos);
  std::istringstream in(text.substr(at));
  std::string line;
  std::getline(in, line);  // the header
  std::getline(in, line);  // |---|
  while (std::getline(in, line) && line.rfind("| ", 0) == 0) rows.push_back(line);
  return rows;
}

}  // namespace

TEST_CASE("the README lists every op with its keys, as the op table has them", "[op_table]") {
  std::vector<std::string> ops, keys;
  for (const auto& op : op_specs()) ops.push_back(op_row(op));
  for (const auto& k : op_key_infos()) keys.push_back(key_row(k));
  const std::string text = readme();
  CHECK(table_rows(text, "| op | keys | setup | what it does |") == ops);
  CHECK(table_rows(text, "| key | type | meaning |") == keys);
}

TEST_CASE("every op kind is in the table once, and every key an op takes has a type", "[op_table]") {
  std::set<OpKind> kinds;
  for (const auto& op : op_specs()) {
    CHECK(kinds.insert(op.kind).second);
    CHECK(to_string(op.kind) == op.name);
    for (const auto& k : op.keys) CHECK_NOTHROW(op_key_info(k.name));
  }
  CHECK(kinds.size() == std::size_t(OpKind::queue_work) + 1);  // queue_work is the enum's last
  CHECK(find_op("sendfile")->kind == OpKind::sendfile);
  CHECK(find_op("sendfiel") == nullptr);
}

TEST_CASE("ops are listed alphabetically with repeat last, the order messages give them in", "[op_table]") {
  std::vector<std::string> names = op_names();
  REQUIRE(names.back() == "repeat");
  CHECK(std::is_sorted(names.begin(), names.end() - 1));
}

TEST_CASE("what each op counts as in real mode and against the limits", "[op_table]") {
  CHECK(op_spec(OpKind::fadvise).syscall == "fadvise64");
  CHECK(op_spec(OpKind::uring_read).syscall == "io_uring_enter");
  CHECK(op_spec(OpKind::touch).syscall.empty());  // user code, no system call
  CHECK(op_spec(OpKind::uring_read).cost == OpCost::per_depth);
  CHECK(op_spec(OpKind::repeat).cost == OpCost::body);
  CHECK(op_spec(OpKind::pread).required_keys() == std::vector<std::string>{"fd", "bytes", "offset"});
  CHECK(op_spec(OpKind::fork).key_names() == std::vector<std::string>{"as", "do"});
  CHECK_FALSE(op_spec(OpKind::send).in_setup);
  CHECK(op_spec(OpKind::touch).in_setup);
}
