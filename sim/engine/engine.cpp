#include "sim/engine/engine.h"

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <map>
#include <stdexcept>

#include "sim/scenario/units.h"

namespace sg4 = simgrid::s4u;

namespace kiosim {

struct Engine::Impl {
  std::unique_ptr<sg4::Engine> engine;
  sg4::Host* cpu = nullptr;
  sg4::Host* mem = nullptr;
  sg4::Host* disk = nullptr;
  sg4::Host* receiver = nullptr;
  std::map<sg4::Actor*, sg4::SemaphorePtr> sems;
  std::string failure;  // why the run stopped early (a budget, TCP giving up): run() throws it
  double events = 0;    // activities started, against run.event_limit
  std::function<void()> on_activity;
};

namespace {
bool g_engine_created = false;  // SimGrid's own rule: one engine per process

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
}  // namespace

Engine::Engine(const Machine& m) : impl_(std::make_unique<Impl>()), m_(m) {
  if (g_engine_created) throw std::logic_error("kiosim: one simulation per process (SimGrid allows one engine)");
  g_engine_created = true;
  // SimGrid speaks only through our errors: its own log (a deadlock report) goes nowhere.
  xbt_log_control_set("root.thresh:critical");
  xbt_log_control_set("root.app:file:/dev/null");
  // AddressSanitizer cannot follow SimGrid's own stack switching: actors as threads.
  // The factory is chosen while the engine is made, so it goes in argv (SIMGRID.md);
  // set_config after that is too late and leaves the swapped contexts in place.
  char name[] = "kiosim";
  char threads[] = "--cfg=contexts/factory:thread";
  char* argv[] = {name, kAddressSanitizer ? threads : nullptr, nullptr};
  int argc = kAddressSanitizer ? 2 : 1;
  impl_->engine = std::make_unique<sg4::Engine>(&argc, argv);
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");

  auto* zone = sg4::create_full_zone("machine");
  impl_->cpu = zone->create_host("cpu", m.cpu.hz)->set_core_count(int(m.cpu.cores))->seal();
  impl_->mem = zone->create_host("memory", 1e9)->seal();
  impl_->disk = zone->create_host("disk", 1e9)->seal();
  impl_->receiver = zone->create_host("receiver", m.cpu.hz)->seal();
  auto* bus = zone->create_link("memory_bus", m.memory_bytes_per_s)->set_latency(0)->seal();
  auto* dread = zone->create_link("disk_read", m.disk.read_bytes_per_s)->set_latency(m.disk.latency_ns * 1e-9)->seal();
  auto* dwrite =
      zone->create_link("disk_write", m.disk.write_bytes_per_s)->set_latency(m.disk.latency_ns * 1e-9)->seal();
  // Propagation delay is added by the kernel at delivery; the wire here serialises bytes.
  auto* wire = zone->create_link("wire", m.link.bytes_per_s)->set_latency(0)->seal();
  auto np = [](sg4::Host* h) { return h->get_netpoint(); };
  zone->add_route(np(impl_->cpu), np(impl_->mem), nullptr, nullptr, {sg4::LinkInRoute(bus)}, true);
  zone->add_route(np(impl_->disk), np(impl_->mem), nullptr, nullptr,
                  {sg4::LinkInRoute(dread), sg4::LinkInRoute(bus)}, false);
  zone->add_route(np(impl_->mem), np(impl_->disk), nullptr, nullptr,
                  {sg4::LinkInRoute(bus), sg4::LinkInRoute(dwrite)}, false);
  zone->add_route(np(impl_->mem), np(impl_->receiver), nullptr, nullptr,
                  {sg4::LinkInRoute(bus), sg4::LinkInRoute(wire)}, true);
  zone->seal();
}

Engine::~Engine() {
  // A daemon killed at the end may still hold a (timed) wait on its semaphore, and
  // SimGrid aborts when such a semaphore is destroyed. The run's process ends right
  // after, so let them go without destroying them.
  for (auto& kv : impl_->sems) kv.second.detach();
}

void Engine::spawn(const std::string& name, std::function<void()> body, bool daemon) {
  Impl* impl = impl_.get();
  auto actor = sg4::Actor::create(name, impl->cpu, [impl, body = std::move(body)]() {
    impl->sems[sg4::Actor::self()] = sg4::Semaphore::create(0);
    // An error inside any actor stops the whole run; run() reports it. (SimGrid's own
    // kill exception is no std::exception, so actors killed here are not caught.)
    try {
      body();
    } catch (const std::exception& e) {
      if (impl->failure.empty()) impl->failure = e.what();
      sg4::Actor::kill_all();
    }
  });
  if (daemon) actor->daemonize();
}

void Engine::run() {
  impl_->engine->run();
  if (!impl_->failure.empty()) throw std::runtime_error(impl_->failure);
}
void Engine::run_until(double ns) {
  impl_->engine->run_until(ns * 1e-9);
  if (!impl_->failure.empty()) throw std::runtime_error(impl_->failure);
}

// Every activity counts against run.event_limit, and none starts past run.time_limit.
// While an actor unwinds (a failure, or SimGrid killing it) nothing more is thrown.
void Engine::tick() {
  if (std::uncaught_exceptions() > 0) return;
  if (++impl_->events > m_.event_limit)
    throw std::runtime_error(fmt::format(
        "the run was stopped after {:.0f} engine events (run.event_limit), at {} of simulated time: a runaway "
        "program? Raise the budget with --set run.event_limit=N if the run is meant to be this long",
        m_.event_limit, format_time_ns(now_ns())));
  if (now_ns() > m_.time_limit_ns) time_limit_reached();
  if (impl_->on_activity) impl_->on_activity();
}

void Engine::on_activity(std::function<void()> f) { impl_->on_activity = std::move(f); }

void Engine::time_limit_reached() {
  throw std::runtime_error(fmt::format(
      "the run was stopped at {} of simulated time (run.time_limit): a program that sleeps or waits without end? "
      "Raise the budget with --set run.time_limit=36000s if the run is meant to be this long",
      format_time_ns(m_.time_limit_ns)));
}

// How long a sleep or timed wait may last before the time budget runs out; a
// sleep that would pass it ends at the budget and stops the run.
double Engine::until_limit(double ns) const { return std::min(ns, std::max(0.0, m_.time_limit_ns - now_ns())); }

double Engine::now_ns() const { return sg4::Engine::get_clock() * 1e9; }

void Engine::compute(double ns) {
  if (ns <= 0) return;
  tick();
  sg4::this_actor::execute(ns * 1e-9 * m_.cpu.hz);
}

void Engine::copy(double extra_ns, std::uint64_t bytes, double bytes_per_s) {
  if (bytes_per_s <= 0) bytes_per_s = m_.cpu.copy_bytes_per_s;
  double ns = extra_ns + double(bytes) / bytes_per_s * 1e9;
  if (bytes == 0) return compute(ns);
  tick();
  // The core copies while the bus carries each byte twice (a load and a store).
  auto bus = sg4::Comm::sendto_async(impl_->cpu, impl_->mem, 2 * bytes);
  sg4::this_actor::execute(ns * 1e-9 * m_.cpu.hz);
  bus->wait();
}

void Engine::disk_read(std::uint64_t bytes) {
  tick();
  sg4::Comm::sendto(impl_->disk, impl_->mem, bytes);
}
void Engine::disk_write(std::uint64_t bytes) {
  tick();
  sg4::Comm::sendto(impl_->mem, impl_->disk, bytes);
}
void Engine::disk_flush() { sleep_ns(m_.disk.flush_latency_ns); }
void Engine::nic_transmit(std::uint64_t bytes) {
  tick();
  sg4::Comm::sendto(impl_->mem, impl_->receiver, bytes);
}
void Engine::sleep_ns(double ns) {
  if (ns <= 0) return;
  tick();
  double allowed = until_limit(ns);
  sg4::this_actor::sleep_for(allowed * 1e-9);
  if (allowed < ns) time_limit_reached();
}

void* Engine::semaphore_of_current_actor() {
  auto it = impl_->sems.find(sg4::Actor::self());
  if (it == impl_->sems.end()) throw std::logic_error("kiosim: waiting outside an actor");
  return it->second.get();
}

void WaitQueue::wait() {
  auto* sem = static_cast<sg4::Semaphore*>(engine_.semaphore_of_current_actor());
  engine_.tick();
  sleepers_.push_back(sem);
  sem->acquire();
}

void WaitQueue::wait_for(double ns) {
  auto* sem = static_cast<sg4::Semaphore*>(engine_.semaphore_of_current_actor());
  engine_.tick();
  ns = std::max(ns, 0.0);
  double allowed = engine_.until_limit(ns);
  sleepers_.push_back(sem);
  if (sem->acquire_timeout(allowed * 1e-9)) {  // timed out: no longer a sleeper
    auto it = std::find(sleepers_.begin(), sleepers_.end(), sem);
    if (it != sleepers_.end()) sleepers_.erase(it);
    if (allowed < ns) engine_.time_limit_reached();
  }
}

void WaitQueue::notify_all() {
  std::vector<void*> s;
  s.swap(sleepers_);
  for (void* p : s) static_cast<sg4::Semaphore*>(p)->release();
}

}  // namespace kiosim
