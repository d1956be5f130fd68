// StreamedBody: a reply body the host sends without holding it in memory (je_response.stream
// and send_file, abi.h 1.2; docs/api.md "Streamed answers").
//
// It starts as one of two things and ends as a file the host sends in bounded chunks:
//   - a producer (stream()): the plugin's produce(user, buf, cap) callback. The worker that
//     ran the handler spools it with spool() into an unlinked temporary file, chunk by chunk
//     (kSpoolChunkBytes), before any byte goes out, so a producer error or a wrong
//     content_length still becomes a clean 500 and never a cut-off 200;
//   - an open file (send_file()): the descriptor opened while the handler ran.
// Ownership is RAII: the producer's release(user) runs exactly once (after its last produce
// call, or when the body is dropped unsent), and the file descriptor is closed when the last
// reference goes. HttpReply holds it through a shared_ptr because replies are copied as values
// on their way out; only one thread at a time uses a body.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jobengine::host {

using ProduceFn = int64_t (*)(void* user, char* buf, uint64_t cap);
using ReleaseFn = void (*)(void* user);

class StreamedBody {
 public:
  static constexpr uint64_t kSpoolChunkBytes = 256 * 1024;

  // A producer; content_length < 0 when unknown. release may be null.
  static std::shared_ptr<StreamedBody> fromProducer(int64_t content_length, ProduceFn produce,
                                                    ReleaseFn release, void* user);
  // An open regular file (the body takes the descriptor) of `size` bytes.
  static std::shared_ptr<StreamedBody> fromFile(int fd, uint64_t size);

  ~StreamedBody();  // releases an unspooled producer, closes the file
  StreamedBody(const StreamedBody&) = delete;
  StreamedBody& operator=(const StreamedBody&) = delete;

  bool needsSpool() const { return produce_ != nullptr; }
  // Runs the producer to its end into an unlinked temporary file in `dir` (created if
  // missing), then releases it; from then on the body is that file. `abandoned` is asked
  // between chunks (client gone, server stopping): true stops early. Returns nullopt on
  // success, else what went wrong (producer error, length mismatch, disk, abandoned).
  std::optional<std::string> spool(const std::string& dir, const std::function<bool()>& abandoned);

  // After spool() or for a file body: the descriptor and the byte count to send.
  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  StreamedBody() = default;
  void releaseProducer() noexcept;

  ProduceFn produce_ = nullptr;
  ReleaseFn release_ = nullptr;
  void* user_ = nullptr;
  int64_t content_length_ = -1;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace jobengine::host
