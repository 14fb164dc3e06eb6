#include "gui/trace_stream_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace kiosim::gui {

namespace {

using json = nlohmann::json;

// Per-event lookups without building a QString each time (millions of events).
template <typename E>
E lookup(const std::string& s, E (*fromQString)(const QString&)) {
  static std::unordered_map<std::string, E> cache;  // the parse runs on one worker thread at a time
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto it = cache.find(s);
  if (it != cache.end()) return it->second;
  const E e = fromQString(QString::fromStdString(s));
  if (cache.size() < 256) cache.emplace(s, e);
  return e;
}

// A JSON number as an integer field, clamped to the field's range: a cast of a double
// outside it is undefined behaviour (UBSan found `"t": 8.9e44` under fuzz_gui_trace),
// and a doctored trace must not crash the GUI.
template <typename I>
I clampTo(double d) {
  if (!(d > static_cast<double>(std::numeric_limits<I>::min()))) return std::numeric_limits<I>::min();
  if (d >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(d);
}

// A SAX handler: builds a small tree for everything but runs[i].events[j], which it
// turns into Event values as the parser goes.
class Handler : public nlohmann::json_sax<json> {
 public:
  explicit Handler(StreamedTrace& out) : out_(out) {}
  QString error;

  bool null() override { return value(json()); }
  bool boolean(bool v) override {
    if (inEvent()) {
      if (field_ == "user_mode") event_.userMode = v;
      return true;
    }
    return value(v);
  }
  bool number_integer(number_integer_t v) override { return inEvent() ? number(static_cast<double>(v), v) : value(v); }
  bool number_unsigned(number_unsigned_t v) override {
    return inEvent() ? number(static_cast<double>(v), static_cast<std::int64_t>(v)) : value(v);
  }
  bool number_float(number_float_t v, const string_t&) override {
    return inEvent() ? number(v, clampTo<std::int64_t>(v)) : value(v);
  }
  bool string(string_t& v) override {
    if (!inEvent()) return value(v);
    if (field_ == "kind") {
      event_.kind = lookup(v, &kindFromString);
      hasKind_ = true;
    } else if (field_ == "from") {
      event_.from = lookup(v, &placeFromString);
    } else if (field_ == "to") {
      event_.to = lookup(v, &placeFromString);
    } else if (field_ == "name") {
      auto& run = out_.runs.back();
      auto [it, added] = names_.try_emplace(v, static_cast<std::uint32_t>(run.names.size()));
      if (added) run.names.push_back(v);
      event_.name = it->second;
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }

  bool start_object(std::size_t) override {
    if (eventsDepth_ > 0) {
      if (++eventsDepth_ == 2) {  // a new event
        event_ = Event{};
        event_.lane = ~0u;
        hasT_ = hasKind_ = false;
      }
      return true;
    }
    // A run object: its events (if any) go to a new StreamedRun.
    if (stack_.size() == 2 && stack_.back() == runsArray_) {
      out_.runs.emplace_back();
      out_.runs.back().names.emplace_back();
      names_.clear();
      names_.emplace(std::string(), 0);
    }
    return open(json::object());
  }
  bool key(string_t& k) override {
    if (eventsDepth_ > 0) {
      if (eventsDepth_ == 2) field_ = k;
      return true;
    }
    key_ = k;
    return true;
  }
  bool end_object() override {
    if (eventsDepth_ > 0) {
      if (eventsDepth_-- == 2) {
        auto& run = out_.runs.back();
        if ((!hasT_ || !hasKind_) && out_.badEvent.isEmpty())
          out_.badEvent = QStringLiteral("run %1, event %2: `%3` is missing")
                              .arg(out_.runs.size()).arg(run.events.size()).arg(hasT_ ? "kind" : "t");
        run.events.push_back(event_);
      }
      return true;
    }
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    if (eventsDepth_ > 0) {
      ++eventsDepth_;
      return true;
    }
    // runs[i].events: root object -> "runs" array -> run object -> "events".
    if (stack_.size() == 3 && key_ == "events" && stack_[1] == runsArray_ && runsArray_) {
      (*stack_.back())["events"] = json::array();
      eventsDepth_ = 1;
      return true;
    }
    const bool runs = stack_.size() == 1 && key_ == "runs";
    open(json::array());
    if (runs) runsArray_ = stack_.back();
    return true;
  }
  bool end_array() override {
    if (eventsDepth_ > 0) {
      --eventsDepth_;
      return true;
    }
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    error = QStringLiteral("%1 (at byte %2)").arg(QString::fromStdString(e.what())).arg(position);
    return false;
  }

 private:
  bool inEvent() const { return eventsDepth_ == 2; }

  bool number(double d, std::int64_t i) {
    if (field_ == "t") {
      event_.t = i;
      hasT_ = true;
    } else if (field_ == "dur") event_.dur = std::max<std::int64_t>(0, i);
    else if (field_ == "lane") event_.lane = i < 0 ? ~0u : static_cast<std::uint32_t>(i);
    else if (field_ == "bytes") event_.bytes = clampTo<std::uint64_t>(d);
    else if (field_ == "pages") event_.pages = clampTo<std::uint64_t>(d);
    else if (field_ == "req") event_.req = clampTo<std::uint64_t>(d);
    else if (field_ == "page") event_.page = i;
    else if (field_ == "file") event_.file = static_cast<std::uint32_t>(std::max<std::int64_t>(0, i));
    else if (field_ == "mm") event_.mm = static_cast<std::int32_t>(std::clamp<std::int64_t>(i, -1, INT32_MAX));
    else if (field_ == "core") event_.core = static_cast<std::int32_t>(std::clamp<std::int64_t>(i, -1, INT32_MAX));
    else if (field_ == "child") event_.child = static_cast<std::int32_t>(std::clamp<std::int64_t>(i, -1, INT32_MAX));
    else if (field_ == "span") event_.span = static_cast<std::uint32_t>(std::clamp<std::int64_t>(i, 0, UINT32_MAX));
    else if (field_ == "frame") event_.frame = i;
    else if (field_ == "old_frame") event_.oldFrame = i;
    else if (field_ == "cpus") event_.cpus = clampTo<std::uint64_t>(d);
    return true;
  }

  // Adds a scalar to the tree, under the pending key or at the end of an array.
  template <typename T>
  bool value(T&& v) {
    if (stack_.empty()) {
      out_.header = json(std::forward<T>(v));
      return true;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) parent.push_back(json(std::forward<T>(v)));
    else parent[key_] = json(std::forward<T>(v));
    return true;
  }

  bool open(json container) {
    if (stack_.empty()) {
      out_.header = std::move(container);
      stack_.push_back(&out_.header);
      return true;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(container));
      stack_.push_back(&parent.back());
    } else {
      parent[key_] = std::move(container);
      stack_.push_back(&parent[key_]);
    }
    return true;
  }

  StreamedTrace& out_;
  std::vector<json*> stack_;  // pointers stay valid: a parent grows only before its child is opened
  std::string key_, field_;
  const json* runsArray_ = nullptr;
  int eventsDepth_ = 0;  // 1 inside an events array, 2 inside one event, more inside its nested values
  Event event_;
  bool hasT_ = false, hasKind_ = false;
  std::unordered_map<std::string, std::uint32_t> names_;
};

}  // namespace

bool streamParseTrace(const char* begin, const char* end, StreamedTrace& out, QString* error) {
  Handler h(out);
  const bool ok = json::sax_parse(begin, end, &h);
  if (!ok) *error = h.error.isEmpty() ? QStringLiteral("not JSON") : h.error;
  return ok;
}

}  // namespace kiosim::gui
