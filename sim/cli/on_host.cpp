#include <iostream>

#include "sim/cli/on_host.h"
#include "sim/host/measure.h"
#include "sim/host/private_dir.h"
#include "sim/host/runner.h"

namespace kiosim::cli {

int on_host(const char* command, const char* needer, const std::function<int()>& body) {
  try {
    return body();
  } catch (const host::Refused& e) {
    std::cerr << "kiosim " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const host::NoPrivateDir& e) {
    std::cerr << "kiosim " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const host::HostError& e) {
    std::cerr << "kiosim " << command << ": this host refused a call " << needer << " needs: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace kiosim::cli
