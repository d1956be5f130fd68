// StreamedBody implementation: RAII over the producer and the file, and the spool into an
// unlinked temporary file (see streamed_body.hpp).
#include "http/streamed_body.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace jobengine::host {
namespace {

std::string errnoText() { return std::strerror(errno); }  // NOLINT(concurrency-mt-unsafe)

// A temporary file nobody else can open: O_TMPFILE where the file system has it, else a
// mkstemp() name unlinked at once. Either way nothing is left behind if the engine dies.
int openSpoolFile(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) {
    return fd;
  }
  std::string name = dir + "/spool-XXXXXX";
  const int named = ::mkostemp(name.data(), O_CLOEXEC);
  if (named < 0) {
    error = "cannot create a spool file in " + dir + ": " + errnoText();
    return -1;
  }
  ::unlink(name.c_str());
  return named;
}

bool writeAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::shared_ptr<StreamedBody> StreamedBody::fromProducer(int64_t content_length, ProduceFn produce,
                                                         ReleaseFn release, void* user) {
  std::shared_ptr<StreamedBody> body(new StreamedBody());
  body->produce_ = produce;
  body->release_ = release;
  body->user_ = user;
  body->content_length_ = content_length;
  return body;
}

std::shared_ptr<StreamedBody> StreamedBody::fromFile(int fd, uint64_t size) {
  std::shared_ptr<StreamedBody> body(new StreamedBody());
  body->fd_ = fd;
  body->size_ = size;
  return body;
}

StreamedBody::~StreamedBody() {
  releaseProducer();
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

void StreamedBody::releaseProducer() noexcept {
  if (produce_ == nullptr) {
    return;
  }
  produce_ = nullptr;
  if (release_ != nullptr) {
    release_(user_);  // exactly once (abi.h)
  }
}

std::optional<std::string> StreamedBody::spool(const std::string& dir,
                                               const std::function<bool()>& abandoned) {
  if (produce_ == nullptr) {
    return std::nullopt;
  }
  std::string error;
  const int fd = openSpoolFile(dir, error);
  if (fd < 0) {
    releaseProducer();
    return error;
  }
  std::vector<char> chunk(kSpoolChunkBytes);
  uint64_t total = 0;
  for (;;) {
    if (abandoned && abandoned()) {
      error = "abandoned after " + std::to_string(total) + " bytes";
      break;
    }
    const int64_t n = produce_(user_, chunk.data(), chunk.size());
    if (n == 0) {
      break;
    }
    if (n < 0 || static_cast<uint64_t>(n) > chunk.size()) {
      error = n < 0 ? "the producer failed (returned " + std::to_string(n) + ") after " +
                          std::to_string(total) + " bytes"
                    : "the producer claimed " + std::to_string(n) + " bytes of a " +
                          std::to_string(chunk.size()) + "-byte buffer";
      break;
    }
    if (!writeAll(fd, chunk.data(), static_cast<size_t>(n))) {
      error = "cannot write the spool file in " + dir + ": " + errnoText();
      break;
    }
    total += static_cast<uint64_t>(n);
    if (content_length_ >= 0 && total > static_cast<uint64_t>(content_length_)) {
      break;  // reported below
    }
  }
  releaseProducer();
  if (error.empty() && content_length_ >= 0 && total != static_cast<uint64_t>(content_length_)) {
    error = "the producer wrote " + std::to_string(total) + " bytes but declared " +
            std::to_string(content_length_);
  }
  if (!error.empty()) {
    ::close(fd);
    return error;
  }
  fd_ = fd;
  size_ = total;
  return std::nullopt;
}

}  // namespace jobengine::host
