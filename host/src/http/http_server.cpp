// HttpServer: lifecycle (start, drain, stop), dispatch to the worker pool, replies and
// per-request metrics (see http_server.hpp and http_server_impl.hpp).
#include "http/http_server.hpp"

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

}  // namespace

HttpServer::Impl::Impl(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics)
    : config_(config), routes_(routes), metrics_(metrics) {}

std::string HttpServer::Impl::bodyLimitMessage() const {
  return "request body exceeds the limit of " + std::to_string(config_.body_limit_bytes) +
         " bytes (http.body_limit_bytes)";
}

void HttpServer::Impl::accept(IncomingRequest req, Pistache::Http::ResponseWriter writer) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext ctx = defaultContext(req);
  auto shared_writer = std::make_shared<Pistache::Http::ResponseWriter>(std::move(writer));
  if (static_cast<int64_t>(req.body.size()) > config_.body_limit_bytes) {
    respond(shared_writer, errorReply(413, "PAYLOAD_TOO_LARGE", bodyLimitMessage(), ctx.trace_id),
            ctx, "rejected", req.method, started, false);
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
    respond(shared_writer, reply, ctx, "rejected", req.method, started, false);
    return;
  }
  const std::string method = req.method;
  const bool posted =
      pool_->post([this, req = std::move(req), ctx, shared_writer, started]() mutable {
        PipelineResult result = servePipeline(req, ctx, routes_, interceptor_.get(), txn_hooks_,
                                              config_.json_max_depth);
        respond(shared_writer, result.reply, ctx, result.route_label, req.method, started, true);
      });
  if (!posted) {
    HttpReply reply =
        errorReply(503, "SERVER_BUSY", "the request queue is full; retry later", ctx.trace_id);
    reply.setHeader("Retry-After", kBusyRetryAfterSeconds);
    respond(shared_writer, reply, ctx, "rejected", method, started, false);
    finished();
  }
}

void HttpServer::Impl::reject(Pistache::Http::ResponseWriter writer, const IncomingRequest& req,
                              int status, const std::string& code, const std::string& message) {
  const RequestContext ctx = defaultContext(req);
  respond(std::make_shared<Pistache::Http::ResponseWriter>(std::move(writer)),
          errorReply(status, code, message, ctx.trace_id), ctx, "rejected",
          req.method.empty() ? "UNKNOWN" : req.method, std::chrono::steady_clock::now(), false);
}

void HttpServer::Impl::respond(const WriterPtr& writer, const HttpReply& reply,
                               const RequestContext& ctx, const std::string& route_label,
                               const std::string& method,
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
  // Leaves the in-flight count exactly once: when the write settles or fails synchronously.
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto done = [this, once, counted] {
    if (counted && !once->exchange(true)) {
      finished();
    }
  };
  try {
    auto& headers = writer->headers();
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
    writer->send(static_cast<Pistache::Http::Code>(reply.status), reply.body)
        .then([done](ssize_t) { done(); }, [done](std::exception_ptr) { done(); });
  } catch (...) {
    done();
  }
}

void HttpServer::Impl::finished() {
  std::lock_guard lock(idle_mutex_);
  if (in_flight_ > 0) {
    --in_flight_;
  }
  if (in_flight_ == 0) {
    idle_cv_.notify_all();
  }
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
    impl_->endpoint_.reset();
    impl_->pool_.reset();
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
  std::unique_lock lock(impl_->idle_mutex_);
  return impl_->idle_cv_.wait_for(lock, timeout, [this] { return impl_->in_flight_ == 0; });
}

size_t HttpServer::inFlight() const {
  std::lock_guard lock(impl_->idle_mutex_);
  return impl_->in_flight_;
}

void HttpServer::stop() {
  if (!impl_->started_) {
    return;
  }
  impl_->started_ = false;
  // Reactors first (no new input), then the workers (their replies go nowhere now), and only
  // then free the endpoint: a worker's ResponseWriter points into its transport.
  impl_->endpoint_->shutdown();
  impl_->pool_->stop();
  impl_->endpoint_.reset();
  impl_->pool_.reset();
}

}  // namespace jobengine::host
