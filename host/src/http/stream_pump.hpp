// StreamPump: one host thread ("je-http-pump") that sends streamed answers (je_response.stream
// and send_file) to their connections in bounded chunks, without a worker and without ever
// holding a body in memory.
//
// Why a pump, and why like this (docs/api.md "Streamed answers"; DEPS.md §1): Pistache 0.0.5
// cannot stream from another thread with ResponseStream::flush(), and Http::serveFile() chains
// a continuation with then() on the calling thread, the cross-thread race issue #19 removed
// from the reply path. Its sendfile() path (FileBuffer) also leaks the file's descriptor when
// the connection goes away mid-send. What it does support across threads is what every reply
// already uses: a write pushed on the connection's transport's multi-producer queue, whose
// promise we only ever read (isPending(), an atomic load), never continue. So a download is a
// series of such writes, one at a time: the head plus the first chunk, then each next chunk
// once the previous one was written. Each goes through Tcp::Peer::send() (libpistache's own
// code) rather than Transport::asyncWrite() instantiated here, so the promise core is
// Pistache's: the reactor often drops the last reference to it, and ThreadSanitizer then sees
// libpistache free its own object (tools/tsan.supp), as for every reply, instead of running
// our copy of the core's destructor with no synchronization it can see. At most one chunk per
// download is in Pistache's hands, so memory stays bounded (a few times kChunkBytes per download)
// whatever the body's size.
//
// A download ends complete (every byte written), or abandoned: its connection's peer is gone
// (client hang-up, write error, Pistache's idle timeout) or the pump stops. Either way
// `finished` runs exactly once and the body (an unlinked spool file, or the plugin's file) is
// closed. A client that vanishes costs the pump nothing but noticing it.
//
// Threads: add() from any thread (the workers); everything else on the pump thread, except
// stop(), which abandons what is left on the caller's thread after the pump thread joined.
#pragma once

#include <pistache/async.h>
#include <pistache/peer.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/streamed_body.hpp"

namespace jobengine::host {

struct Download {
  std::weak_ptr<Pistache::Tcp::Peer> peer;  // expired: the connection is gone
  std::string head;                         // status line and headers, sent first
  std::shared_ptr<StreamedBody> body;       // a file by now (spooled or as sent); null: unsendable
  // Runs once, when the download is over: complete or abandoned, with the body bytes written.
  std::function<void(Download& self, bool complete, uint64_t bytes)> finished;
};

class StreamPump {
 public:
  static constexpr uint64_t kChunkBytes = 256 * 1024;

  StreamPump() = default;
  ~StreamPump();  // stop()
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  void start();
  // Takes a download over; false (and `download` untouched) when the pump is stopping: the
  // caller then finishes it.
  bool add(Download&& download);
  // Abandons every download left (finished(false)) and joins the thread. Idempotent.
  void stop();

 private:
  using WritePromise = Pistache::Async::Promise<ssize_t>;
  struct Active {
    explicit Active(Download download) : d(std::move(download)) {}
    Download d;
    uint64_t offset = 0;  // body bytes pushed so far
    bool head_sent = false;
    std::optional<WritePromise> pending;  // the write in Pistache's hands, if any
  };
  enum class Step { kWaiting, kPushed, kDone, kGone };

  void run();
  Step step(Active& a);
  static void finish(Active& a, bool complete);

  std::mutex mutex_;  // guards incoming_ and stopping_
  std::condition_variable wake_;
  std::vector<Download> incoming_;
  bool stopping_ = false;
  bool started_ = false;
  std::list<Active> active_;  // pump thread only (and stop() after the join)
  std::thread thread_;
};

}  // namespace jobengine::host
