// HttpServer: lifecycle (start, drain, stop), dispatch to the worker pool, replies and
// per-request metrics (see http_server.hpp and http_server_impl.hpp).
//
// How a worker answers, and why (issue #19; docs/http.md, "Threads and Pistache"). A reply used
// to go out as `writer->send(...).then(done, done)` on the worker. Under ThreadSanitizer that
// raced on every request: send() returns the promise Pistache chains inside putOnWire(), the
// reactor fulfils a chained promise without taking its lock (async.h, finishResolve/Chainer),
// and then() on the worker appends to that promise's list of continuations at the same time.
// A continuation attached just as the reactor finished was lost (finished() never ran and a
// drain waited for its deadline), or the list was reallocated under the reactor's loop.
//
// Pistache 0.0.5 cannot run our code on a connection's reactor thread: the only queues a
// reactor drains for other threads are its write, timer and peer queues, and the endpoint's
// transport (which enforces the header and body timeouts) is not ours to replace. What it does
// support across threads is the write: send() formats the reply in the writer's own buffer and
// pushes a copy of the bytes on the transport's MPSC write queue (DEPS.md §1); nothing on the
// reactor refers to the writer afterwards. So the worker still calls send() but attaches
// nothing: it parks the returned promise in in_transit_ and reads only its atomic state. A
// drain waits until in_flight_ is 0 and every parked write has settled: written, failed, or
// its peer gone (Pistache drops a queued write to a closed connection without settling its
// promise, so the old continuation never ran for those either). Writers and our weak
// references to peers are dropped under idle_mutex_, so the last of them is ordered after
// every other use of ours.
//
// Evidence (build-tsan, gcc 12, -O1; host_http_server_test and the drain stress test,
// tests/integration/http_drain_stress_test.cpp):
//   before, without suppressions: 3 distinct reports in the unit test (Continuable<long>::
//     resolve on the reactor against the Continuable that then() built in respond(), twice;
//     operator delete in Transport::removePeer against a weak_ptr release in ~ResponseWriter
//     on a worker), and the stress test's engine halted (exit 66). With tools/tsan.supp the
//     two Continuable reports remain, in every run.
//   after, with tools/tsan.supp: no report in 3 + 3 runs. Without it, what remains is
//     libpistache freeing a peer or a promise core after our last use, and copying reply
//     bytes a worker queued: all ordered by atomics inside libpistache, which is not
//     instrumented (the reason for the one entry in tools/tsan.supp).
#include "http/http_server.hpp"

#include <algorithm>
#include <stdexcept>

#include "http/error_envelope.hpp"
#include "http/http_server_impl.hpp"
#include "http/request_pipeline.hpp"
#include "metrics/metrics_registry.hpp"

namespace jobengine::host {
namespace {

// Room for the request line and headers on top of the body limit in Pistache's own buffer.
constexpr size_t kHeaderAllowanceBytes = 64 * 1024;
// A worker queue this long means the pool cannot keep up: answer 503 instead of queueing.
constexpr size_t kQueuePerWorker = 256;
constexpr const char* kDrainRetryAfterSeconds = "5";
constexpr const char* kBusyRetryAfterSeconds = "1";
// How often waitIdle() looks at the writes in transit (nothing notifies it when one settles).
constexpr std::chrono::milliseconds kSettlePoll{2};

}  // namespace

HttpServer::Impl::Impl(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics)
    : config_(config), routes_(routes), metrics_(metrics) {}

std::string HttpServer::Impl::bodyLimitMessage() const {
  return "request body exceeds the limit of " + std::to_string(config_.body_limit_bytes) +
         " bytes (http.body_limit_bytes)";
}

void HttpServer::Impl::accept(IncomingRequest req, Pistache::Http::ResponseWriter writer,
                              const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext ctx = defaultContext(req);
  auto out = std::make_shared<Outgoing>(std::move(writer), PeerRef(peer));
  if (static_cast<int64_t>(req.body.size()) > config_.body_limit_bytes) {
    respond(*out, errorReply(413, "PAYLOAD_TOO_LARGE", bodyLimitMessage(), ctx.trace_id), ctx,
            "rejected", req.method, started, false);
    return;
  }
  bool refused = false;
  {
    std::lock_guard lock(idle_mutex_);
    refused = draining_;
    if (!refused) {
      ++in_flight_;
    }
  }
  if (refused) {
    HttpReply reply =
        errorReply(503, "SHUTTING_DOWN", "the server is shutting down; retry on another replica",
                   ctx.trace_id);
    reply.setHeader("Retry-After", kDrainRetryAfterSeconds);
    respond(*out, reply, ctx, "rejected", req.method, started, false);
    return;
  }
  if (routes_.answeredOnReactor(req.method, req.path)) {
    // The host's routes that answer from memory (RouteEntry::on_reactor: GET /metrics, a
    // fraction of a millisecond from the registry, and GET /healthz, a constant), never from
    // the database: answered here, in the turn that read the request.
    // Counted in flight like the rest: respond() takes it out, and a drain waits for its bytes.
    const PipelineResult result =
        servePipeline(req, ctx, routes_, interceptor_.get(), txn_hooks_, config_.json_max_depth);
    respond(*out, result.reply, ctx, result.route_label, req.method, started, true);
    return;
  }
  const std::string method = req.method;
  const bool posted = pool_->post([this, req = std::move(req), ctx, out, started]() mutable {
    PipelineResult result =
        servePipeline(req, ctx, routes_, interceptor_.get(), txn_hooks_, config_.json_max_depth);
    if (result.reply.streamed) {
      spoolStreamed(result.reply, *out, ctx, result.route_label);
    }
    respond(*out, result.reply, ctx, result.route_label, req.method, started, true);
  });
  if (!posted) {
    HttpReply reply =
        errorReply(503, "SERVER_BUSY", "the request queue is full; retry later", ctx.trace_id);
    reply.setHeader("Retry-After", kBusyRetryAfterSeconds);
    respond(*out, reply, ctx, "rejected", method, started, true);
  }
}

void HttpServer::Impl::reject(Pistache::Http::ResponseWriter writer,
                              const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                              const IncomingRequest& req, int status, const std::string& code,
                              const std::string& message) {
  const RequestContext ctx = defaultContext(req);
  Outgoing out(std::move(writer), PeerRef(peer));
  respond(out, errorReply(status, code, message, ctx.trace_id), ctx, "rejected",
          req.method.empty() ? "UNKNOWN" : req.method, std::chrono::steady_clock::now(), false);
}

void HttpServer::Impl::respond(Outgoing& out, const HttpReply& reply, const RequestContext& ctx,
                               const std::string& route_label, const std::string& method,
                               std::chrono::steady_clock::time_point started, bool counted) {
  // Counted before the reply goes out: a client that reads /metrics right after its reply
  // must find its request there.
  try {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.counterAdd(
        "http_requests_total", "REST requests by route pattern, method, status",
        {{"route", route_label}, {"method", method}, {"status", std::to_string(reply.status)}},
        1.0);
    metrics_.histogramObserve("http_request_duration_seconds",
                              "REST request latency by route pattern and method",
                              {{"route", route_label}, {"method", method}}, seconds);
  } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must never fail a request
  }
  if (reply.streamed) {
    respondStreamed(out, reply, ctx, counted);
    return;
  }
  std::optional<WritePromise> write;
  try {
    auto& headers = out.writer->headers();
    for (const auto& [name, value] : reply.headers) {
      headers.remove(name);
      headers.add(std::make_shared<GenericHeader>(name, value));
    }
    headers.remove("X-Request-Id");
    headers.add(std::make_shared<GenericHeader>("X-Request-Id", ctx.request_id));
    if (!reply.content_type.empty()) {
      headers.remove("Content-Type");
      headers.add(std::make_shared<GenericHeader>("Content-Type", reply.content_type));
    }
    // Queues the bytes for the connection's reactor (Pistache's MPSC write queue) and returns
    // at once; a connection that is gone already gives a rejected promise. No continuation is
    // attached: see the top of this file.
    write.emplace(out.writer->send(static_cast<Pistache::Http::Code>(reply.status), reply.body));
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing was queued; the request still leaves
  }
  std::lock_guard lock(idle_mutex_);
  // Our references to the peer end under the lock (http_server_impl.hpp, Outgoing).
  out.writer.reset();
  const PeerRef peer = std::move(out.peer);
  pruneSettledLocked();
  if (counted) {
    // Only the replies of counted requests hold a drain back: a refusal during the drain
    // (503 on the reactor) is answered as before, but a client hammering a draining server
    // must not keep it from stopping.
    if (write) {
      WriteInTransit entry{std::move(*write), peer};
      if (!entry.settled()) {
        in_transit_.push_back(std::move(entry));
      }
    }
    if (in_flight_ > 0) {
      --in_flight_;
    }
  }
  write.reset();
  if (idleLocked()) {
    idle_cv_.notify_all();
  }
}

void HttpServer::Impl::pruneSettledLocked() {
  in_transit_.remove_if([](const WriteInTransit& w) { return w.settled(); });
}

HttpServer::HttpServer(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(config, routes, metrics)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::setInterceptor(std::unique_ptr<RequestInterceptor> interceptor) {
  impl_->interceptor_ = std::move(interceptor);
}

void HttpServer::setTxnHooks(TxnHooks hooks) { impl_->txn_hooks_ = std::move(hooks); }

void HttpServer::start() {
  if (impl_->started_) {
    throw std::runtime_error("http: start() called twice");
  }
  const HttpConfig& cfg = impl_->config_;
  if (cfg.port < 0 || cfg.port > 65535) {
    throw std::runtime_error("http.port " + std::to_string(cfg.port) + " is out of range 0..65535");
  }
  const std::string where = cfg.bind + ":" + std::to_string(cfg.port);
  try {
    const auto workers = static_cast<size_t>(cfg.worker_threads > 0 ? cfg.worker_threads : 1);
    impl_->pool_ = std::make_unique<WorkerPool>(workers, workers * kQueuePerWorker, "je-http");
    impl_->pump_ = std::make_unique<StreamPump>();
    impl_->pump_->start();
    impl_->endpoint_ = std::make_unique<Pistache::Http::Endpoint>(
        Pistache::Address(cfg.bind, Pistache::Port(static_cast<uint16_t>(cfg.port))));
    const size_t max_request =
        static_cast<size_t>(cfg.body_limit_bytes > 0 ? cfg.body_limit_bytes : 0) +
        kHeaderAllowanceBytes;
    impl_->endpoint_->init(Pistache::Http::Endpoint::options()
                               .threads(cfg.reactor_threads > 0 ? cfg.reactor_threads : 1)
                               .threadsName("je-reactor")
                               .flags(Pistache::Tcp::Options::ReuseAddr)
                               .maxRequestSize(max_request));
    impl_->endpoint_->setHandler(std::make_shared<PistacheHandler>(impl_.get()));
    impl_->endpoint_->serveThreaded();
    impl_->port_ = static_cast<uint16_t>(impl_->endpoint_->getPort());
  } catch (const std::exception& e) {
    if (impl_->pool_) {
      impl_->pool_->stop();
    }
    if (impl_->pump_) {
      impl_->pump_->stop();
    }
    impl_->endpoint_.reset();
    impl_->pool_.reset();
    impl_->pump_.reset();
    throw std::runtime_error("http: cannot serve on " + where + ": " + e.what());
  }
  impl_->started_ = true;
}

uint16_t HttpServer::port() const { return impl_->port_.load(); }

void HttpServer::beginDrain() {
  std::lock_guard lock(impl_->idle_mutex_);
  impl_->draining_ = true;
}

bool HttpServer::draining() const {
  std::lock_guard lock(impl_->idle_mutex_);
  return impl_->draining_;
}

bool HttpServer::waitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(impl_->idle_mutex_);
  for (;;) {
    impl_->pruneSettledLocked();
    if (impl_->idleLocked()) {
      return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return false;
    }
    // respond() notifies when the last request leaves the workers; a write settles on the
    // reactor, which must not call into us, so those are polled.
    impl_->idle_cv_.wait_until(lock, std::min(deadline, now + kSettlePoll));
  }
}

size_t HttpServer::inFlight() const {
  std::lock_guard lock(impl_->idle_mutex_);
  impl_->pruneSettledLocked();
  return impl_->in_flight_ + impl_->in_transit_.size() + impl_->streaming_;
}

void HttpServer::stop() {
  if (!impl_->started_) {
    return;
  }
  impl_->started_ = false;
  impl_->stopping_ = true;
  // Reactors first (no new input), then the pump (downloads still going are abandoned), then
  // the workers (their replies go nowhere now; a spool in progress gives up), and only then
  // free the endpoint: a worker's ResponseWriter and the pump's downloads point into its
  // transports.
  impl_->endpoint_->shutdown();
  impl_->pump_->stop();
  impl_->pool_->stop();
  impl_->endpoint_.reset();
  impl_->pool_.reset();
  impl_->pump_.reset();
  // Writes still parked here will never be made: the reactors are gone.
  std::lock_guard lock(impl_->idle_mutex_);
  impl_->in_transit_.clear();
}

}  // namespace jobengine::host
