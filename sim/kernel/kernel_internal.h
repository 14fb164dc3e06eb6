// Private pieces shared by the kernel_*.cpp files: device requests and the
// syscall scope. Not part of the kernel's interface.
#pragma once
#include "sim/kernel/kernel.h"

namespace kiosim {

// The NIC descriptors an skb needs: its linear part and each fragment.
std::vector<DmaSegment> descriptors_of(const Skb& skb);

struct Kernel::DiskRequest {
  FileId file = 0;
  PageRange pages;
  bool write = false;
  bool readahead = false;
  bool direct = false;        // O_DIRECT: to or from a user buffer; no page-cache state changes
  bool journal = false;       // a journal block write (kjournald2): no page-cache state changes
  std::uint64_t bytes = 0;    // bytes moved; 0 means whole pages
  std::uint64_t req = 0;
  Process* proc = nullptr;
  bool done = false;
  std::unique_ptr<WaitQueue> waiters;
};

struct Kernel::TxSkb {
  Skb skb;
  std::uint64_t zerocopy = 0;  // the MSG_ZEROCOPY send it belongs to, 0 for none
  Socket* sock = nullptr;
  Process* proc = nullptr;
  std::uint64_t req = 0;
};

struct Kernel::Completion {
  std::shared_ptr<DiskRequest> disk;  // a disk request, or
  std::optional<TxSkb> tx;            // an skb the NIC has sent
  double tx_end_ns = 0;
};

// One system call: counts it, charges entry and exit, traces the crossing both ways,
// and makes its thread the one the page cache reports to.
class Kernel::Syscall {
 public:
  Syscall(Kernel& k, Thread& t, const char* name);
  ~Syscall();
  Syscall(const Syscall&) = delete;
  Syscall& operator=(const Syscall&) = delete;

 private:
  Kernel& k_;
  Thread& t_;
  const char* name_;
};

}  // namespace kiosim
