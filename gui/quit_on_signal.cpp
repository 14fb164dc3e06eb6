#include "gui/quit_on_signal.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QSocketNotifier>

namespace kiosim::gui {

namespace {
int g_fds[2] = {-1, -1};

void onSignal(int sig) {
  const unsigned char c = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = ::write(g_fds[1], &c, 1);
}
}  // namespace

void quitOnSignals() {
  if (g_fds[0] >= 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0) return;
  auto* notifier = new QSocketNotifier(g_fds[0], QSocketNotifier::Read, QCoreApplication::instance());
  QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
    unsigned char sig = 0;
    if (::read(g_fds[0], &sig, 1) == 1) QCoreApplication::exit(128 + sig);
  });
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(s, &sa, nullptr);
}

}  // namespace kiosim::gui
