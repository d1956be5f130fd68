// HttpServer: the REST listener (Pistache 0.0.5, DEPS.md §1) in front of the RouteTable.
//
// Reactor threads only parse, copy the request into a host-owned IncomingRequest and post it
// to the WorkerPool; routing, interceptor, transaction and handler run on the pool, which
// answers. The server enforces http.body_limit_bytes itself (413 PAYLOAD_TOO_LARGE envelope,
// decided from Content-Length before the body is read), fixes Pistache's keep-alive answer,
// echoes or generates X-Request-Id, and records per-request metrics. Streamed answers
// (je_response.stream / send_file) are spooled on the worker and sent by the StreamPump
// (stream_pump.hpp). Graceful stop: beginDrain() -> waitIdle(deadline) -> stop()
// (docs/http.md). Pistache stays out of this header (pimpl) so the engine and tests need none
// of its headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "config/host_config.hpp"
#include "http/request_interceptor.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {

class MetricsRegistry;

class HttpServer {
 public:
  // Keeps references to routes and metrics; both must outlive the server.
  HttpServer(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Install before start(); not thread-safe against serving.
  void setInterceptor(std::unique_ptr<RequestInterceptor> interceptor);
  void setTxnHooks(TxnHooks hooks);

  // Binds http.bind:http.port (0 picks a free port) and serves on http.reactor_threads reactor
  // threads plus http.worker_threads workers. Throws std::runtime_error naming the address on
  // failure.
  void start();
  // The bound port (the real one when http.port was 0); 0 before start().
  uint16_t port() const;

  // From now on new requests get 503 SHUTTING_DOWN (with Retry-After); in-flight ones finish.
  void beginDrain();
  bool draining() const;
  // Waits until no request is in flight (accepted but not yet answered, a streamed answer
  // until its last byte). true when idle.
  bool waitIdle(std::chrono::milliseconds timeout);
  size_t inFlight() const;
  // Shuts the endpoint down and joins reactor and worker threads. Idempotent. Call after
  // beginDrain()/waitIdle() for a graceful stop; requests still in flight get no answer.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobengine::host
