// StreamPump: one host thread ("je-http-pump") that sends streamed answers (je_response.stream
// and send_file) to their connections, without a worker, without ever holding a body in
// memory, and without going through Pistache's write queue.
//
// Why (docs/api.md "Streamed answers"; DEPS.md §1): Pistache 0.0.5 cannot stream from another
// thread with ResponseStream::flush(); Http::serveFile() continues a promise with then() on the
// calling thread (the race issue #19 removed) and leaks the file's descriptor when the client
// goes away mid-send. Pushing the body as a series of writes on the connection's write queue
// (the first version of this pump) works but Pistache keys queued writes by descriptor
// number: when a client hangs up mid-download and a new connection gets the same number
// before the reactor reaches the queued chunk, the chunk goes to the new client (seen under
// ThreadSanitizer's timing, DEPS.md §1.4). So the pump writes itself, on its own duplicate of
// the connection's descriptor, taken by the worker and checked against the peer's address
// (streamed_reply.cpp): a duplicate always names the same socket, whatever happens to
// Pistache's number. The head goes out with send(MSG_NOSIGNAL), the body with sendfile() from
// the spool (or the plugin's) file, zero-copy, as far as the socket takes it; an epoll set of
// the pump's own says when a socket takes more. Pistache queues nothing for the connection
// meanwhile: its writer for this request never sends.
//
// A download ends complete (every byte written), or abandoned: a write fails (the client hung
// up), nothing could be written for kStallTimeout, or the pump stops. Either way `finished`
// runs exactly once, the duplicate is closed (the connection itself stays Pistache's) and the
// body's file is closed.
//
// Threads: add() from any thread (the workers); everything else on the pump thread, except
// stop(), which abandons what is left on the caller's thread after the pump thread joined.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/streamed_body.hpp"

namespace jobengine::host {

struct Download {
  int socket = -1;                     // the pump's own duplicate of the connection (it closes it)
  std::string head;                    // status line and headers, sent before the body
  std::shared_ptr<StreamedBody> body;  // a file by now (spooled, or the plugin's)
  // Runs once, when the download is over: complete or abandoned, with the body bytes written.
  std::function<void(Download& self, bool complete, uint64_t bytes)> finished;
};

class StreamPump {
 public:
  // A client that takes no byte for this long is dropped (Pistache's own keep-alive timeout).
  static constexpr std::chrono::seconds kStallTimeout{300};

  StreamPump() = default;
  ~StreamPump();  // stop()
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  // Creates the epoll set and the thread; throws std::runtime_error when the system refuses.
  void start();
  // Takes a download over; false (and `download` untouched) when the pump is not running: the
  // caller then finishes it.
  bool add(Download&& download);
  // Abandons every download left (finished(false)) and joins the thread. Idempotent.
  void stop();

 private:
  struct Active {
    explicit Active(Download download) : d(std::move(download)) {}
    Download d;
    size_t head_sent = 0;  // bytes of d.head written
    uint64_t offset = 0;   // body bytes written
    std::chrono::steady_clock::time_point progress_at = std::chrono::steady_clock::now();
  };
  enum class Step { kWaiting, kDone, kGone };

  void run();
  void adopt(std::vector<Download> downloads);
  Step write(Active& a);
  void end(int socket, bool complete);
  static void finish(Active& a, bool complete);

  std::mutex mutex_;  // guards incoming_, stopping_, started_
  std::vector<Download> incoming_;
  bool stopping_ = false;
  bool started_ = false;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: add() and stop() wake the pump thread
  std::unordered_map<int, std::unique_ptr<Active>> active_;  // by socket; pump thread only
  std::thread thread_;
};

}  // namespace jobengine::host
