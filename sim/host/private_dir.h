// Real mode's private temporary directory (REAL-MODE.md): one mkdtemp directory
// under $TMPDIR (or /tmp) holds every file real mode creates. It is removed when
// the PrivateDir ends, at exit, and on SIGINT/SIGTERM/SIGHUP (the handler unlinks
// the files it knows by name, removes the directory, then dies of the signal).
// Nothing outside the directory is ever created or removed.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kiosim::host {

// TMPDIR cannot hold the directory (read-only, missing, no permission): the user's
// setting to fix, so the commands report it as bad input (exit 2).
struct NoPrivateDir : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PrivateDir {
 public:
  // Creates $TMPDIR/kiosim-XXXXXX (mode 0700). Throws NoPrivateDir with a clear
  // message when it cannot.
  PrivateDir();
  ~PrivateDir();
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory for `name` (a plain file name, no '/'); registers it
  // for removal. Throws std::invalid_argument for names that would leave the directory.
  std::string file(const std::string& name);
  // Removes everything registered and the directory (idempotent).
  void remove();

  // Free bytes of the directory's file system (statvfs f_bavail * f_frsize).
  std::uint64_t free_bytes() const;

 private:
  std::string path_;
  bool removed_ = false;
};

// The base directory real mode uses: $TMPDIR if set and non-empty, else /tmp.
std::string temp_base();

// A child process (the receiver) that the signal handler must kill too.
void register_child(pid_t pid);
void unregister_child(pid_t pid);

// For a forked child: its own copy of the handlers must not remove the directory.
void forget_cleanup_in_child();

}  // namespace kiosim::host
