// --kernel-trace in a measurement: one KernelTrace for the run's files and this
// process, opened after the files exist (their inodes go in the filters), started
// just before a program's body and stopped just after it, for one armed repeat of
// each method (the first timed one: the repeats of one method run alike).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/host/kernel_events.h"
#include "sim/host/kernel_trace.h"
#include "sim/host/private_dir.h"
#include "sim/scenario/scenario.h"

namespace kiosim::host {

class KernelTraceSession {
 public:
  KernelTraceSession() = default;
  // Opens the instance (when it cannot: `note()` says why, in one line, and nothing is traced).
  void open(const Scenario& s, PrivateDir& dir);
  bool active() const { return trace_ != nullptr; }
  // The runner's hook: true just before the body, false just after.
  std::function<void(bool)> hook();
  void arm() { armed_ = active(); }
  // The armed run's events (then disarmed); nullopt when nothing was traced.
  std::optional<KernelEvents> take();
  void close();  // the instance removed (the destructor does it too)
  const std::string& note() const { return note_; }
  nlohmann::ordered_json to_json() const;

 private:
  std::unique_ptr<KernelTrace> trace_;
  bool armed_ = false, running_ = false, wanted_ = false;
  std::string note_, instance_, tracefs_;
  bool mounted_by_us_ = false, followed_ = false;
  std::vector<std::string> notes_;
  std::size_t events_ = 0;
};

nlohmann::ordered_json kernel_events_json(const KernelEvents& k);

}  // namespace kiosim::host
