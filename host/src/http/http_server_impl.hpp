// Internals of HttpServer shared by http_server.cpp (lifecycle, dispatch, replies) and
// pistache_handler.cpp (parsing and copying on the reactor threads). Only these two files see
// Pistache.
//
// Locking: idle_mutex_ guards draining_ and in_flight_ together, so a request either sees the
// drain flag or is counted before waitIdle() can observe zero. interceptor_ and txn_hooks_ are
// set before start() and read-only afterwards.
#pragma once

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "http/http_server.hpp"
#include "http/http_types.hpp"
#include "http/worker_pool.hpp"

namespace jobengine::host {

// Pistache 0.0.5 writes only typed response headers; addRaw() is silently dropped (DEPS.md
// §1). This typed header carries any name/value so custom headers reach the client.
class GenericHeader : public Pistache::Http::Header::Header {
 public:
  GenericHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  uint64_t hash() const override { return std::hash<std::string>{}(name_); }
  void parse(const std::string& data) override { value_ = data; }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_;
  std::string value_;
};

using WriterPtr = std::shared_ptr<Pistache::Http::ResponseWriter>;

// Copies what the host needs out of a parsed Pistache request (reactor thread).
IncomingRequest copyRequest(const Pistache::Http::Request& request);

struct HttpServer::Impl {
  Impl(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics);

  // Reactor thread: a complete request. Answers drain / body-limit / queue-full itself,
  // otherwise counts it in flight and posts it to the pool.
  void accept(IncomingRequest req, Pistache::Http::ResponseWriter writer);
  // Reactor thread: refuse a request before routing (413 before the body is read, parse
  // errors). Not counted in flight.
  void reject(Pistache::Http::ResponseWriter writer, const IncomingRequest& req, int status,
              const std::string& code, const std::string& message);
  // Any thread: writes the reply; `counted` requests leave the in-flight count once the bytes
  // are written (or the write failed).
  void respond(const WriterPtr& writer, const HttpReply& reply, const RequestContext& ctx,
               const std::string& route_label, const std::string& method,
               std::chrono::steady_clock::time_point started, bool counted);
  void finished();
  std::string bodyLimitMessage() const;

  const HttpConfig config_;
  RouteTable& routes_;
  MetricsRegistry& metrics_;
  std::unique_ptr<RequestInterceptor> interceptor_;
  TxnHooks txn_hooks_;

  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  std::atomic<uint16_t> port_{0};
  bool started_ = false;

  mutable std::mutex idle_mutex_;
  std::condition_variable idle_cv_;
  bool draining_ = false;
  size_t in_flight_ = 0;
};

// The Pistache handler: one clone per reactor thread, all pointing at the same Impl. It
// re-implements Http::Handler::onInput (private virtual, overridable) to (a) refuse a body
// whose Content-Length exceeds the limit as soon as the headers are in, (b) answer an
// over-long request with our envelope instead of Pistache's text, and (c) set
// Connection: keep-alive unless the client asked to close (the keep-alive fix).
class PistacheHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)
  explicit PistacheHandler(HttpServer::Impl* server) : server_(server) {}

  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;

 private:
  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  HttpServer::Impl* server_;
};

}  // namespace jobengine::host
