// HttpServer over real HTTP on port 0 with a libcurl client: keep-alive, body limit, custom
// headers, 404/405 envelopes, request and trace ids, params, offloading, graceful drain,
// interceptor/transaction order, je.http registration rules, the request metrics, and a drain
// under many clients of which some hang up mid-request. Ordering is forced with
// promises/futures, never with sleeps; only the stress case runs its load for a fixed time and
// bounds its drain (loosely: 10 s of a 60 s deadline).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/host_handle.hpp"
#include "http/error_envelope.hpp"
#include "http/host_routes.hpp"
#include "http/http_server.hpp"
#include "http/http_service.hpp"
#include "http_client.hpp"
#include "metrics/metrics_registry.hpp"

namespace jobengine::host {
namespace {

using Json = nlohmann::json;

using Reply = jobengine::testing::Reply;
using Client = jobengine::testing::HttpClient;

void write(je_response* resp, int status, const std::string& body) {
  resp->set_status(resp, status);
  resp->write(resp, body.data(), body.size());
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string str(je_str s) { return s.data == nullptr ? "" : std::string(s.data, s.len); }

RouteEntry hostRoute(std::string method, std::string pattern, RouteHandler handler,
                     uint32_t flags = 0) {
  RouteEntry e;
  e.owner = "test";
  e.method = std::move(method);
  e.pattern = std::move(pattern);
  e.scope = (flags & JE_ROUTE_PUBLIC) != 0 ? "" : "orch:read";
  e.flags = flags;
  e.handler = std::move(handler);
  return e;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.port = 0;
    config_.body_limit_bytes = 1024;
    config_.reactor_threads = 1;
    config_.worker_threads = 4;
    HostRouteDeps deps;
    deps.readiness = [this] {
      Readiness r;
      r.db = ready_;
      r.migrations = true;
      r.plugins = true;
      return r;
    };
    deps.pluginsJson = [] { return Json::array({{{"id", "scheduler"}, {"state", "running"}}}); };
    deps.metricsText = [this] { return metrics_.serialize(); };
    ASSERT_FALSE(registerHostRoutes(routes_, deps));
    ASSERT_FALSE(
        routes_.add(hostRoute("GET", "/items/:id", [](const je_request* req, je_response* resp) {
          je_str id{};
          je_str q{};
          je_str missing{};
          je_str ua{};
          Json body = {{"id", req->path_param(req, "id", &id) == JE_OK ? str(id) : "?"},
                       {"q", req->query_param(req, "q", &q) == JE_OK ? str(q) : "?"},
                       {"missing", req->query_param(req, "nope", &missing) == JE_ERR_NOT_FOUND},
                       {"header", req->header(req, "X-TEST-HEADER", &ua) == JE_OK ? str(ua) : "?"},
                       {"tenant", str(req->tenant)},
                       {"project", str(req->project)},
                       {"reason", str(req->operator_reason)},
                       {"traceId", str(req->trace_id)},
                       {"requestId", str(req->request_id)}};
          write(resp, 200, body.dump());
          return JE_OK;
        })));
    ASSERT_FALSE(
        routes_.add(hostRoute("POST", "/echo", [](const je_request* req, je_response* resp) {
          constexpr std::string_view kName = "X-Custom";
          constexpr std::string_view kValue = "custom-value";
          constexpr std::string_view kType = "Content-Type";
          constexpr std::string_view kText = "text/plain";
          resp->set_header(resp, kName.data(), kName.size(), kValue.data(), kValue.size());
          resp->set_header(resp, kType.data(), kType.size(), kText.data(), kText.size());
          write(resp, 201, str(req->body));
          return JE_OK;
        })));
    ASSERT_FALSE(routes_.add(hostRoute("GET", "/fail", [](const je_request*, je_response* resp) {
      resp->write(resp, "partial", 7);
      return JE_ERR_DB;
    })));
    ASSERT_FALSE(
        routes_.add(hostRoute("GET", "/block", [this](const je_request*, je_response* resp) {
          entered_.set_value();
          release_.get_future().wait();
          write(resp, 200, R"({"done":true})");
          return JE_OK;
        })));
    server_ = std::make_unique<HttpServer>(config_, routes_, metrics_);
  }

  void start() {
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }

  HttpConfig config_;
  RouteTable routes_;
  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> ready_{true};
  std::promise<void> entered_;
  std::promise<void> release_;
};

TEST_F(HttpServerTest, KeepsConnectionsAliveAcrossRequests) {
  start();
  Client client(server_->port());
  const Reply first = client.call("GET", "/healthz");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.json(), Json({{"status", "ok"}}));
  EXPECT_EQ(lower(first.headers.at("connection")), "keep-alive");
  EXPECT_EQ(first.connects, 1);
  const Reply second = client.call("GET", "/healthz");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.connects, 0) << "the second request should reuse the first connection";
  // A client that asks to close gets Connection: close.
  const Reply closing = client.call("GET", "/healthz", "", {"Connection: close"});
  EXPECT_EQ(lower(closing.headers.at("connection")), "close");
}

TEST_F(HttpServerTest, RefusesBodiesOverTheLimitWithTheEnvelope) {
  start();
  Client client(server_->port());
  const std::string small(1000, 'a');
  EXPECT_EQ(client.call("POST", "/echo", small).status, 201);
  for (const size_t size : {size_t{2000}, size_t{300 * 1024}}) {
    Client fresh(server_->port());
    const Reply big = fresh.call("POST", "/echo", std::string(size, 'b'), {"Expect:"});
    EXPECT_EQ(big.status, 413) << size;
    const Json body = big.json();
    EXPECT_EQ(body["error"]["code"], "PAYLOAD_TOO_LARGE") << big.body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find("1024"), std::string::npos);
    EXPECT_EQ(body["error"]["traceId"].get<std::string>().size(), 32u);
  }
  // Chunked bodies carry no Content-Length: refused after reading (small) or when Pistache's
  // buffer overflows (large), both with the envelope.
  for (const size_t size : {size_t{2000}, size_t{300 * 1024}}) {
    Client fresh(server_->port());
    const Reply chunked = fresh.call("POST", "/echo", std::string(size, 'c'),
                                     {"Transfer-Encoding: chunked", "Expect:"});
    EXPECT_EQ(chunked.status, 413) << size;
    EXPECT_EQ(chunked.json()["error"]["code"], "PAYLOAD_TOO_LARGE") << chunked.body;
  }
  // The server is still healthy afterwards.
  EXPECT_EQ(Client(server_->port()).call("GET", "/healthz").status, 200);
}

TEST_F(HttpServerTest, CustomResponseHeadersAndContentTypeReachTheClient) {
  start();
  Client client(server_->port());
  const Reply r = client.call("POST", "/echo", "hello");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.headers.at("x-custom"), "custom-value");
  EXPECT_EQ(r.headers.at("content-type"), "text/plain");
  EXPECT_EQ(client.call("GET", "/healthz").headers.at("content-type"), "application/json");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  Client client(server_->port());
  const Reply missing = client.call("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(missing.headers.at("content-type"), "application/json");
  const Reply wrong = client.call("DELETE", "/echo");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.json()["error"]["code"], "METHOD_NOT_ALLOWED");
  EXPECT_EQ(wrong.headers.at("allow"), "POST");
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGeneratedAndTraceparentGivesTheTraceId) {
  start();
  Client client(server_->port());
  const Reply echoed = client.call("GET", "/nope", "", {"X-Request-Id: req-123"});
  EXPECT_EQ(echoed.headers.at("x-request-id"), "req-123");
  const Reply generated = client.call("GET", "/nope");
  EXPECT_EQ(generated.headers.at("x-request-id").size(), 32u);
  const Reply traced = client.call(
      "GET", "/nope", "", {"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"});
  EXPECT_EQ(traced.json()["error"]["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  const Reply bad_trace = client.call("GET", "/nope", "", {"traceparent: garbage"});
  const std::string generated_trace = bad_trace.json()["error"]["traceId"];
  EXPECT_EQ(generated_trace.size(), 32u);
  EXPECT_NE(generated_trace, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(HttpServerTest, PathQueryHeadersAndContextReachTheHandler) {
  start();
  Client client(server_->port());
  const Reply r =
      client.call("GET", "/items/a%20b?x=1&q=hello%20world%2B", "",
                  {"X-Test-Header: yes", "X-Stella-Tenant: acme", "X-StellaOps-Project: p1",
                   "X-StellaOps-Operator-Reason: fix", "X-Request-Id: rid-1"});
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = r.json();
  EXPECT_EQ(body["id"], "a b");
  EXPECT_EQ(body["q"], "hello world+");
  EXPECT_EQ(body["missing"], true);
  EXPECT_EQ(body["header"], "yes");
  EXPECT_EQ(body["tenant"], "acme");
  EXPECT_EQ(body["project"], "p1");
  EXPECT_EQ(body["reason"], "fix");
  EXPECT_EQ(body["requestId"], "rid-1");
  EXPECT_EQ(body["traceId"].get<std::string>().size(), 32u);
}

TEST_F(HttpServerTest, FailingHandlerWithoutStatusGets500Envelope) {
  start();
  const Reply r = Client(server_->port()).call("GET", "/fail");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["error"]["code"], "INTERNAL") << r.body;
}

TEST_F(HttpServerTest, BlockedHandlerDoesNotStopOtherRequests) {
  start();
  auto blocked = std::async(std::launch::async,
                            [this] { return Client(server_->port()).call("GET", "/block"); });
  entered_.get_future().wait();  // the handler is now blocked on a worker
  EXPECT_EQ(Client(server_->port()).call("GET", "/healthz").status, 200);
  EXPECT_GE(server_->inFlight(), 1u);  // /healthz may still be settling its write
  release_.set_value();
  EXPECT_EQ(blocked.get().status, 200);
}

TEST_F(HttpServerTest, DrainRefusesNewRequestsWhileInFlightOnesFinish) {
  start();
  auto in_flight = std::async(std::launch::async,
                              [this] { return Client(server_->port()).call("GET", "/block"); });
  entered_.get_future().wait();
  server_->beginDrain();
  EXPECT_TRUE(server_->draining());
  const Reply refused = Client(server_->port()).call("GET", "/healthz");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.json()["error"]["code"], "SHUTTING_DOWN");
  EXPECT_EQ(refused.headers.at("retry-after"), "5");
  release_.set_value();
  const Reply finished = in_flight.get();
  EXPECT_EQ(finished.status, 200);
  EXPECT_EQ(finished.json()["done"], true);
  EXPECT_TRUE(server_->waitIdle(std::chrono::seconds(30)));
  EXPECT_EQ(server_->inFlight(), 0u);
  server_->stop();
}

TEST_F(HttpServerTest, ReadyzPluginsAndMetricsHostRoutes) {
  start();
  Client client(server_->port());
  EXPECT_EQ(client.call("GET", "/readyz").status, 200);
  ready_ = false;
  const Reply not_ready = client.call("GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.json()["checks"]["db"], false);
  EXPECT_EQ(client.call("GET", "/api/v1/jobengine/plugins").json()["plugins"][0]["id"],
            "scheduler");
  client.call("GET", "/healthz");
  const Reply metrics = client.call("GET", "/metrics");
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("jobengine_http_requests_total{method=\"GET\",route=\"/healthz\","
                              "status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"/readyz\",status=\"503\""), std::string::npos);
  EXPECT_NE(metrics.body.find("jobengine_http_request_duration_seconds_count{method=\"GET\","
                              "route=\"/healthz\"}"),
            std::string::npos);
}

// Worker threads append, the test thread reads: a mutex makes that race-free.
class CallLog {
 public:
  void push(std::string entry) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> snapshot() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

// Rejects non-public requests without an Authorization header; records the order of calls.
class RecordingInterceptor : public RequestInterceptor {
 public:
  explicit RecordingInterceptor(CallLog& log) : log_(log) {}
  std::optional<HttpReply> before(RequestContext& ctx, const RouteEntry& route,
                                  const IncomingRequest& req) override {
    log_.push("before " + route.pattern);
    if (!req.header("authorization")) {
      return errorReply(401, "UNAUTHENTICATED", "a bearer token is required", ctx.trace_id);
    }
    ctx.subject = "alice";
    ctx.scopes = "orch:read";
    return std::nullopt;
  }
  void after(RequestContext&, const RouteEntry& route, const IncomingRequest&, HttpReply& reply,
             je_txn*& txn) override {
    log_.push("after " + route.pattern + " " + std::to_string(reply.status) +
              (txn != nullptr ? " txn" : ""));
  }

 private:
  CallLog& log_;
};

TEST_F(HttpServerTest, InterceptorGatesRoutesAndTxnHooksCommitOrRollBack) {
  CallLog log;
  char txn_token = 0;
  je_txn* const fake_txn = reinterpret_cast<je_txn*>(&txn_token);
  ASSERT_FALSE(routes_.add(hostRoute(
      "POST", "/txn/:code",
      [fake_txn](const je_request* req, je_response* resp) {
        je_str code{};
        req->path_param(req, "code", &code);
        const bool has_txn = req->txn == fake_txn;
        write(resp, std::stoi(str(code)),
              Json({{"txn", has_txn}, {"subject", str(req->subject)}}).dump());
        return JE_OK;
      },
      JE_ROUTE_TXN)));
  server_->setInterceptor(std::make_unique<RecordingInterceptor>(log));
  TxnHooks hooks;
  hooks.begin = [&log, fake_txn](const std::string& tenant) {
    log.push("begin " + tenant);
    return fake_txn;
  };
  hooks.finish = [&log](je_txn*, const HttpReply& reply) -> std::optional<HttpReply> {
    log.push(reply.status < 300 ? "commit" : "rollback");
    return std::nullopt;
  };
  server_->setTxnHooks(hooks);
  start();
  Client client(server_->port());

  // Public routes skip the interceptor entirely.
  EXPECT_EQ(client.call("GET", "/healthz").status, 200);
  EXPECT_TRUE(log.snapshot().empty());

  const Reply unauthenticated = client.call("POST", "/txn/200", "", {"X-StellaOps-Tenant: t1"});
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_EQ(unauthenticated.json()["error"]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"before /txn/:code"}));

  log.clear();
  const Reply ok =
      client.call("POST", "/txn/201", "", {"X-StellaOps-Tenant: t1", "Authorization: Bearer x"});
  EXPECT_EQ(ok.status, 201);
  EXPECT_EQ(ok.json(), Json({{"txn", true}, {"subject", "alice"}}));
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"before /txn/:code", "begin t1",
                                                      "after /txn/:code 201 txn", "commit"}));

  log.clear();
  EXPECT_EQ(
      client.call("POST", "/txn/409", "", {"X-StellaOps-Tenant: t1", "Authorization: B"}).status,
      409);
  EXPECT_EQ(log.snapshot().back(), "rollback");

  // A transactional route without a tenant never opens a transaction.
  log.clear();
  const Reply no_tenant = client.call("POST", "/txn/200", "", {"Authorization: B"});
  EXPECT_EQ(no_tenant.status, 403);
  EXPECT_EQ(no_tenant.json()["error"]["code"], "TENANT_REQUIRED");
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"before /txn/:code"}));
}

je_status pluginHandler(void* user, const je_request*, je_response* resp) {
  const std::string body = Json({{"from", static_cast<const char*>(user)}}).dump();
  resp->write(resp, body.data(), body.size());
  return JE_OK;
}

TEST_F(HttpServerTest, PluginRoutesRegisterOnlyInsideCreateAndAreServed) {
  HostServices services;
  services.routes = &routes_;
  je_host plugin;
  plugin.plugin_id = "scheduler";
  plugin.services = &services;
  const je_http_v1 http = makeHttpService(&plugin);
  static const char kUser[] = "scheduler-handler";
  je_route_def def{};
  def.struct_size = sizeof(def);
  def.method = "GET";
  def.path = "/api/v1/jobengine/x/:id";
  def.scope = "orch:read";
  def.handler = &pluginHandler;
  def.user = const_cast<char*>(kUser);
  char err[256] = {0};

  plugin.phase = PluginPhase::kRunning;
  EXPECT_EQ(http.register_route(http.host, &def, err, sizeof(err)), JE_ERR_STATE);
  EXPECT_STREQ(err,
               "plugin 'scheduler' registered route GET /api/v1/jobengine/x/:id outside create()");

  plugin.phase = PluginPhase::kCreating;
  ASSERT_EQ(http.register_route(http.host, &def, err, sizeof(err)), JE_OK) << err;

  start();
  const Reply served = Client(server_->port()).call("GET", "/api/v1/jobengine/x/7");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.json()["from"], "scheduler-handler");
  EXPECT_EQ(routes_.ownedBy("scheduler").size(), 1u);
}

// Many clients at once, a quarter of them giving up while their request still runs (curl's
// timeout closes the connection), then a drain: every request leaves the count, the abandoned
// ones included, so the drain ends long before its deadline; the readers only ever get whole
// replies (200 before the drain, 503 during it). Under ThreadSanitizer (make test-tsan) this is
// the in-process half of tests/integration/http_drain_stress_test.cpp.
TEST_F(HttpServerTest, DrainCountsClientsThatHangUpMidRequest) {
  ASSERT_FALSE(routes_.add(hostRoute(
      "GET", "/sleep/:ms",
      [](const je_request* req, je_response* resp) {
        je_str ms{};
        req->path_param(req, "ms", &ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(str(ms))));
        write(resp, 200, R"({"slept":true})");
        return JE_OK;
      },
      JE_ROUTE_PUBLIC)));
  start();
  constexpr int kClients = 16;
  std::atomic<bool> stop{false};
  std::atomic<int> whole{0};
  std::atomic<int> refused{0};
  std::atomic<int> hung_up{0};
  CallLog failures;
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Client client(server_->port());
      while (!stop) {
        if (i % 4 == 3) {
          if (client.call("GET", "/sleep/50", "", {}, 10).status == 0) {
            ++hung_up;
          }
          continue;
        }
        const bool slow = i % 2 == 0;
        const Reply r = client.call("GET", slow ? "/sleep/5" : "/healthz");
        const Json body = r.json();
        if (r.status == 200 && body == (slow ? Json{{"slept", true}} : Json{{"status", "ok"}})) {
          ++whole;
        } else if (r.status == 503 && body["error"]["code"] == "SHUTTING_DOWN") {
          ++refused;
        } else {
          failures.push(std::to_string(r.status) + " " + r.error + " " + r.body);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server_->beginDrain();
  const auto drain_started = std::chrono::steady_clock::now();
  EXPECT_TRUE(server_->waitIdle(std::chrono::seconds(60)));
  EXPECT_LT(std::chrono::steady_clock::now() - drain_started, std::chrono::seconds(10))
      << "the drain waited for a request that had already left";
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // requests refused while draining
  stop = true;
  for (auto& c : clients) {
    c.join();
  }
  EXPECT_TRUE(server_->waitIdle(std::chrono::seconds(60)));
  EXPECT_EQ(server_->inFlight(), 0u);
  EXPECT_TRUE(failures.snapshot().empty()) << failures.snapshot().front();
  EXPECT_GT(whole.load(), 0);
  EXPECT_GT(refused.load(), 0);
  EXPECT_GT(hung_up.load(), 0);
  server_->stop();
}

}  // namespace
}  // namespace jobengine::host
