// feed_upstream.hpp — FeedUpstream, the local test upstream for the source adapters: an
// HTTP/1.1 server on 127.0.0.1 (ephemeral port) serving a feed mirror directory (files with
// ETag / Last-Modified and conditional requests, plus the NVD CVE API 2.0 emulation of
// feed_mirror.hpp), with fault injection and a request log for tests. The standalone
// je_feed_upstream binary (feed_upstream_main.cpp) serves a directory the same way for demos.
//
// Every response closes its connection (Connection: close): one request per connection keeps
// the server simple and makes acceptedConnections() count requests that reached the socket.
// Threads: two named "feed-upstream" io threads, joined by stop(). start() and stop() belong to
// the owning thread; every other method is thread-safe and may be called while the server runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  int status = 0;  // what was answered
};

class FeedUpstream {
 public:
  // port 0: an ephemeral port, known after start().
  explicit FeedUpstream(std::filesystem::path root, uint16_t port = 0);
  ~FeedUpstream();
  FeedUpstream(const FeedUpstream&) = delete;
  FeedUpstream& operator=(const FeedUpstream&) = delete;

  // Binds 127.0.0.1 and starts serving; throws std::runtime_error naming the port when the
  // bind fails. Once per instance.
  void start();
  // Stops the io threads (joined), then closes the listening socket: later connections are
  // refused; responses in flight are abandoned. Idempotent.
  void stop();

  uint16_t port() const;
  // "http://127.0.0.1:<port>/<path>" (a leading '/' of path is not doubled).
  std::string url(const std::string& path) const;

  // The next `count` requests whose target starts with path_prefix are answered `status`
  // (with Retry-After when given) instead of the mirror's answer. Rules apply in the order set.
  void failNext(const std::string& path_prefix, int status, int count = 1,
                std::optional<int> retry_after_seconds = std::nullopt);
  // Responses to targets starting with path_prefix wait `delay` before they are written.
  void setDelay(const std::string& path_prefix, std::chrono::milliseconds delay);
  // GETs of exactly `path` (no query) serve `bytes` (e.g. malformed JSON) with ETag and
  // conditional handling as for a file.
  void overrideBody(const std::string& path, std::string bytes);
  // GETs of exactly `path` (no query) are answered `status` with Location: `location` (for
  // the client's redirect handling).
  void redirect(const std::string& path, std::string location, int status = 302);
  // Drops every failNext, setDelay, overrideBody and redirect rule.
  void clearFaults();

  std::vector<RecordedRequest> requests() const;
  int64_t acceptedConnections() const;
  // Forgets the request log and resets the connection count.
  void clearLog();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobengine::testing
