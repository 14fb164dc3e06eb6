#include "sim/run/cache_replay.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/scenario/scenario.h"

namespace kiosim {

namespace {
constexpr std::size_t kMaxLine = 4096;
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxFiles = 1'000'000;
constexpr std::uint64_t kMaxPage = 1ULL << 52;
}  // namespace

CacheReplay::CacheReplay(CachePolicy policy, std::uint64_t capacity_pages)
    : cache_(PageCacheParams{capacity_pages, policy}) {}

FileId CacheReplay::file_id(std::string_view name) {
  if (name == last_name_ && !files_.empty()) return last_id_;
  auto it = files_.find(std::string(name));
  FileId id;
  if (it != files_.end()) {
    id = it->second;
  } else {
    if (files_.size() >= kMaxFiles)
      throw std::length_error(fmt::format("more than {} distinct file names", kMaxFiles));
    id = FileId(files_.size());
    files_.emplace(std::string(name), id);
  }
  last_name_.assign(name);
  last_id_ = id;
  return id;
}

// wakeup_flusher_threads(WB_REASON_VMSCAN) with no disk: every dirty page is written
// at once, oldest first, and the missed page, if it found no room, gets its place.
void CacheReplay::flush(PageKey missed) {
  for (PageKey k : cache_.start_writeback_oldest(cache_.dirty_pages())) {
    cache_.end_writeback(k);
    ++writebacks_;
  }
  if (!cache_.contains(missed) && cache_.insert(missed, true) == PageCache::Insert::inserted)
    cache_.mark_accessed(missed);  // its first use, as access() marks a page it brought in
}

ReplayResult CacheReplay::result() const {
  const PageCacheStats& s = cache_.stats();
  ReplayResult r;
  r.hits = s.hits;
  r.misses = s.misses;
  r.accesses = s.hits + s.misses;
  r.writes = writes_;
  r.reads = r.accesses - writes_;
  r.activations = s.activations;
  r.deactivations = s.deactivations;
  r.evictions = s.evictions;
  r.writebacks = writebacks_;
  r.files = files_.size();
  return r;
}

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == ','; }

// Parses one line (without its newline) and replays it.
class LineReplayer {
 public:
  LineReplayer(CacheReplay& r, const std::string& name) : r_(r), name_(name) {}

  void line(std::string_view s) {
    ++lineno_;
    if (s.size() > kMaxLine) fail(1, fmt::format("a line is longer than {} characters", kMaxLine));
    std::size_t hash = s.find('#');
    if (hash != std::string_view::npos) s = s.substr(0, hash);
    std::string_view tok[4];
    std::size_t col[4] = {0, 0, 0, 0};
    int n = 0;
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && space(s[i])) ++i;
      if (i >= s.size()) break;
      std::size_t j = i;
      while (j < s.size() && !space(s[j])) ++j;
      if (n == 3) fail(i + 1, "too many fields: expected `FILE PAGE [r|w]` or a page number");
      col[n] = i + 1;
      tok[n++] = s.substr(i, j - i);
      i = j;
    }
    if (n == 0) return;
    if (n == 1) {
      r_.access(PageKey{plain_file(), page(tok[0], col[0])}, false);
      return;
    }
    if (tok[0].size() > kMaxName) fail(col[0], fmt::format("a file name is longer than {} characters", kMaxName));
    FileId f;
    try {
      f = r_.file_id(tok[0]);
    } catch (const std::length_error& e) {
      fail(col[0], e.what());
    }
    std::uint64_t p = page(tok[1], col[1]);
    bool write = false;
    if (n == 3) {
      if (tok[2] == "w" || tok[2] == "W") write = true;
      else if (!(tok[2] == "r" || tok[2] == "R"))
        fail(col[2], fmt::format("expected `r` or `w`, found `{}`", tok[2]));
    }
    r_.access(PageKey{f, p}, write);
  }

 private:
  [[noreturn]] void fail(std::size_t column, const std::string& msg) const {
    throw InputError(name_, int(lineno_), int(column), "", msg);
  }
  std::uint64_t page(std::string_view t, std::size_t column) const {
    std::uint64_t v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') {
        if (t.size() == 1 && (c == 'r' || c == 'w'))
          fail(column, "a page number is missing: expected `FILE PAGE [r|w]`");
        fail(column, fmt::format("expected a page number (a non-negative integer), found `{}`", t));
      }
      v = v * 10 + std::uint64_t(c - '0');
      if (v >= kMaxPage) fail(column, fmt::format("page `{}` is too large (the limit is 2^52)", t));
    }
    return v;
  }
  FileId plain_file() {
    if (!plain_) {
      plain_id_ = r_.file_id("");
      plain_ = true;
    }
    return plain_id_;
  }

  CacheReplay& r_;
  const std::string& name_;
  std::uint64_t lineno_ = 0;
  bool plain_ = false;
  FileId plain_id_ = 0;
};

void check_capacity(std::uint64_t pages) {
  if (pages == 0 || pages > kMaxReplayPages)
    throw InputError("command line", 0, 0, "--pages",
                     fmt::format("the cache must hold 1 to {} pages (4 KiB each: up to 64 GiB); found {}",
                                 kMaxReplayPages, pages));
}

}  // namespace

ReplayResult replay_text(std::string_view text, const std::string& name, CachePolicy policy,
                         std::uint64_t capacity_pages) {
  check_capacity(capacity_pages);
  CacheReplay r(policy, capacity_pages);
  LineReplayer lr(r, name);
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lr.line(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return r.result();
}

ReplayResult replay_file(const std::string& path, CachePolicy policy, std::uint64_t capacity_pages) {
  check_capacity(capacity_pages);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f)
    throw InputError(path, 0, 0, "", fmt::format("cannot open the trace: {}", std::strerror(errno)));
  CacheReplay r(policy, capacity_pages);
  LineReplayer lr(r, path);
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> buf(kBlock + kMaxLine + 2);
  std::size_t have = 0;  // bytes of an unfinished line kept at the front
  for (;;) {
    std::size_t got = std::fread(buf.data() + have, 1, kBlock, f.get());
    if (got == 0 && std::ferror(f.get()))
      throw InputError(path, 0, 0, "", fmt::format("cannot read the trace: {}", std::strerror(errno)));
    std::size_t end = have + got;
    std::string_view data(buf.data(), end);
    std::size_t start = 0;
    for (;;) {
      const void* nlp = std::memchr(data.data() + start, '\n', end - start);
      if (!nlp) break;
      std::size_t nl = std::size_t(static_cast<const char*>(nlp) - data.data());
      lr.line(data.substr(start, nl - start));
      start = nl + 1;
    }
    have = end - start;
    if (got == 0) {
      if (have) lr.line(data.substr(start, have));  // a last line without a newline
      break;
    }
    if (have > kMaxLine) lr.line(data.substr(start, have));  // reports the over-long line
    std::memmove(buf.data(), buf.data() + start, have);
  }
  return r.result();
}

}  // namespace kiosim
