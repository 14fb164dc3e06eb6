// Real mode's clients (sim/host/host_clients.h): a constructor that fails partway
// (here: socket() past RLIMIT_NOFILE, EMFILE) releases what it had opened.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include "sim/host/host_clients.h"

using namespace kiosim;

namespace {

int open_descriptors() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  REQUIRE(d);
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

TEST_CASE("host clients: a connection that cannot be opened leaves no descriptor open", "[host]") {
  ClientsSpec spec;
  spec.connections = 64;
  const int before = open_descriptors();
  // UBSan's vptr check (CI's build) tests memory through a pipe the first time it meets a
  // type (IsAccessibleMemoryRange): with no descriptor left it would report a false
  // "invalid vptr" inside fmt. The same formatting once beforehand fills its cache.
  (void)fmt::format("socket (client connection {} of {})", std::uint32_t(1), std::uint32_t(64));
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  // Room for the listener and 4 client sockets: the 5th socket() fails with EMFILE
  // after 5 descriptors were opened, all of which must be closed again.
  rlimit low = old;
  low.rlim_cur = rlim_t(before + 5);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  bool threw = false;
  try {
    host::HostClients clients(spec, 1, 0, 64);
  } catch (const std::exception&) {
    threw = true;
  }
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
  CHECK(threw);
  CHECK(open_descriptors() == before);
}
