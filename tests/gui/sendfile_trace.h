// A synthetic trace of a big sendfile in 64 KiB chunks, five events a chunk
// (syscall_enter, the disk's DMA, the page references, the NIC's DMA, syscall_exit),
// chunks 20 us apart with overlapping NIC transfers. Written by the large-trace GUI
// test and by bench/bench_gui_playback (a 1-million-event trace is 200,000 chunks).
#pragma once
#include <QFile>
#include <QString>

namespace kiosim::gui::test {

inline bool writeSendfileTrace(const QString& path, int chunks) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return false;
  f.write(QStringLiteral(R"({"format":"kiosim-trace","version":1,"scenario":{"path":"big","title":"%1 sendfile chunks"},)"
                         R"("machine":{"name":"default"},"runs":[{"name":"sendfile","counters":{"syscalls":%1},)"
                         R"("lanes":[{"name":"disk","kind":"device"},{"name":"nic","kind":"device"},{"name":"sender","kind":"user"}],"events":[)")
              .arg(chunks)
              .toUtf8());
  for (int i = 0; i < chunks; ++i) {
    const long long t = 20000LL * i;
    // The file's page index wraps at 1 Mi pages (4 GiB), so the page cache stays bounded.
    f.write(QStringLiteral("%1{\"t\":%2,\"lane\":2,\"kind\":\"syscall_enter\",\"name\":\"sendfile\",\"req\":%3},"
                           "{\"t\":%2,\"dur\":15000,\"lane\":0,\"kind\":\"dma_copy\",\"from\":\"disk\",\"to\":\"page_cache\",\"bytes\":65536,\"pages\":16,\"file\":0,\"page\":%4},"
                           "{\"t\":%5,\"lane\":2,\"kind\":\"page_ref_move\",\"from\":\"page_cache\",\"to\":\"socket_buffer\",\"bytes\":65536,\"pages\":16,\"file\":0,\"page\":%4},"
                           "{\"t\":%5,\"dur\":524288,\"lane\":1,\"kind\":\"dma_copy\",\"from\":\"page_cache\",\"to\":\"wire\",\"bytes\":65536},"
                           "{\"t\":%6,\"lane\":2,\"kind\":\"syscall_exit\",\"name\":\"sendfile\",\"req\":%3}")
                .arg(i ? "," : "").arg(t).arg(i + 1).arg(16LL * (i % 65536)).arg(t + 15000).arg(t + 16000)
                .toUtf8());
  }
  f.write("]}]}\n");
  return f.error() == QFileDevice::NoError;
}

}  // namespace kiosim::gui::test
