// The stream listener on http.stream_port: SSE at GET /api/v1/jobengine/stream and WebSocket
// at GET /api/v1/jobengine/ws, both fed by a StreamHub (DESIGN §4: Beast, not Pistache).
//
// Auth is the REST rules (RequestAuthorizer::decide) with scope orch:read: a bearer access
// token in Authorization, or a stream token in ?access_token=; the tenant header or ?tenant=
// must match the token's tenant. Filters: runId, jobId, sourceId, types. Resume: Last-Event-ID
// (SSE) or ?after=. SSE frames are "id: <seq>\nevent: <type>\ndata: <json>\n\n" with ":
// heartbeat" comments; WebSocket text frames carry the same JSON. A subscriber dropped by the
// hub (slow consumer) has its connection closed and resumes with its last id.
// Threads: `io_threads` named je-stream-io-N run one io_context; every session lives on its own
// strand. stop() closes the acceptor and every session and joins the threads. Beast is confined
// to stream_listener.cpp (compile cost, DEPS.md §0): that file is longer than the house
// 400-line guide on purpose, since a second Beast TU would cost another ~30 s per build.
#pragma once

#include "api/result.hpp"
#include "auth/token_verifier.hpp"
#include "stream/stream_hub.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jobengine::host {

struct StreamListenerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: pick a free port (see port())
  int io_threads = 2;
  int heartbeat_ms = 15000;
  std::string allow_origin = "*";  // Access-Control-Allow-Origin on every response
  int request_timeout_ms = 30000;  // reading the initial HTTP request
  std::size_t batch_events = 64;   // events taken from the hub per socket write (SSE)
  // Retention (docs/operations.md "Retention"): how far a tenant's outbox was pruned (cached,
  // no database round trip); a resume position below it is refused with 410 POSITION_PRUNED.
  // Empty: no check.
  std::function<std::optional<int64_t>(const std::string& tenant)> pruned_through;
};

class StreamListener {
 public:
  // `hub` and `verifier` must outlive the listener.
  StreamListener(StreamListenerOptions options, StreamHub& hub, const TokenVerifier& verifier);
  ~StreamListener();  // stop()
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  // Binds and starts the io threads; the error names the address and the system error.
  Result<int, std::string> start();
  // Idempotent: closes the acceptor and all sessions, then joins the io threads.
  void stop();
  int port() const;
  std::size_t sessionCount() const;

  class Impl;  // opaque: defined in stream_listener.cpp with the Beast sessions

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobengine::host
