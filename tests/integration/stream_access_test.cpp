// The stream endpoints' other doors on the real binary: WebSocket delivery and resume with
// ?after=, stream tokens minted by POST /api/v1/jobengine/stream/tokens and accepted as
// ?access_token=, the REST port's 307 redirects to the stream listener, and the ready line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"
#include "outbox_writer.hpp"
#include "stream_client.hpp"

namespace jobengine::testing {
namespace {

class StreamAccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EngineOptions options;
    options.name = "stream_access";
    engine_ = new EngineProcess(options);
    engine_->start();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static OutboxRow row(const std::string& tenant) {
    OutboxRow r;
    r.tenant = tenant;
    r.type = "job.created";
    return r;
  }
  static std::vector<uint64_t> readWs(StreamConnection& conn, std::size_t n) {
    std::vector<uint64_t> seqs;
    for (std::size_t i = 0; i < n; ++i) {
      const auto msg = conn.nextWs();
      if (!msg) {
        ADD_FAILURE() << "websocket ended after " << i << " of " << n;
        break;
      }
      seqs.push_back(nlohmann::json::parse(*msg)["seq"].get<uint64_t>());
    }
    return seqs;
  }
  static EngineProcess* engine_;
};

EngineProcess* StreamAccessTest::engine_ = nullptr;

TEST_F(StreamAccessTest, ReadyLineNamesTheStreamPort) {
  EXPECT_NE(engine_->streamPort(), 0);
  EXPECT_NE(engine_->streamPort(), engine_->restPort());
}

TEST_F(StreamAccessTest, MetricsCoverTheFeederAndSubscribers) {
  OutboxWriter writer(engine_->databaseDsn());
  StreamConnection sse(engine_->streamPort(), "/api/v1/jobengine/stream",
                       {"Authorization: Bearer " + devToken("metrics-tenant", "orch:read")});
  ASSERT_EQ(sse.status(), 200);
  writer.append(row("metrics-tenant"));
  ASSERT_TRUE(sse.nextSse());
  HttpClient http(engine_->restPort());
  const Reply metrics = http.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* name : {"jobengine_outbox_published_total", "jobengine_outbox_lag_seconds",
                           "jobengine_stream_subscribers", "jobengine_stream_dropped_total"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
  }
}

TEST_F(StreamAccessTest, WebSocketDeliversAndResumesWithAfter) {
  const std::string t = "ws-tenant";
  const std::string auth = "Authorization: Bearer " + devToken(t, "orch:read");
  OutboxWriter writer(engine_->databaseDsn());
  std::vector<uint64_t> written;
  auto ws = std::make_unique<StreamConnection>(engine_->streamPort(), "/api/v1/jobengine/ws",
                                               std::vector<std::string>{auth}, true);
  ASSERT_EQ(ws->status(), 101);
  for (int i = 0; i < 3; ++i) {
    written.push_back(writer.append(row(t)));
  }
  auto got = readWs(*ws, 3);
  ws->close();
  for (int i = 0; i < 3; ++i) {
    written.push_back(writer.append(row(t)));
  }
  StreamConnection resumed(engine_->streamPort(),
                           "/api/v1/jobengine/ws?after=" + std::to_string(got.back()), {auth},
                           true);
  ASSERT_EQ(resumed.status(), 101);
  const auto rest = readWs(resumed, 3);
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, written);
}

TEST_F(StreamAccessTest, StreamTokenFromRestIsAcceptedAsAccessToken) {
  const std::string t = "token-tenant";
  HttpClient http(engine_->restPort());
  const Reply reply =
      http.post("/api/v1/jobengine/stream/tokens", nlohmann::json::object(),
                {"Authorization: Bearer " + devToken(t, "orch:read"), "X-StellaOps-Tenant: " + t});
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto body = reply.json();
  const std::string token = body["token"].get<std::string>();
  EXPECT_FALSE(body["expiresAt"].get<std::string>().empty());
  const std::string port = std::to_string(engine_->streamPort());
  EXPECT_EQ(body["streamUrl"], "http://127.0.0.1:" + port + "/api/v1/jobengine/stream");
  EXPECT_EQ(body["wsUrl"], "ws://127.0.0.1:" + port + "/api/v1/jobengine/ws");

  StreamConnection sse(engine_->streamPort(), "/api/v1/jobengine/stream?access_token=" + token);
  ASSERT_EQ(sse.status(), 200);
  OutboxWriter writer(engine_->databaseDsn());
  const uint64_t seq = writer.append(row(t));
  const auto e = sse.nextSse();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, std::to_string(seq));
  // A stream token is not an access token on the REST port.
  const Reply rest = http.get("/api/v1/jobengine/plugins", {"Authorization: Bearer " + token});
  EXPECT_EQ(rest.status, 401) << rest.body;
}

TEST_F(StreamAccessTest, StreamTokenRouteNeedsReadScope) {
  HttpClient http(engine_->restPort());
  const Reply none = http.post("/api/v1/jobengine/stream/tokens", nlohmann::json::object(),
                               {"X-StellaOps-Tenant: x"});
  EXPECT_EQ(none.status, 401) << none.body;
  const Reply no_scope = http.post(
      "/api/v1/jobengine/stream/tokens", nlohmann::json::object(),
      {"Authorization: Bearer " + devToken("x", "orch:operate"), "X-StellaOps-Tenant: x"});
  EXPECT_EQ(no_scope.status, 403) << no_scope.body;
}

TEST_F(StreamAccessTest, RestPortRedirectsStreamPathsToTheStreamListener) {
  HttpClient http(engine_->restPort());
  const std::string port = std::to_string(engine_->streamPort());
  const Reply sse = http.get("/api/v1/jobengine/stream?types=job.*&after=5");
  EXPECT_EQ(sse.status, 307);
  // Pistache hands the query over parsed, so parameter order is not kept; the set is.
  const std::string location = sse.header("location");
  const std::string base = "http://127.0.0.1:" + port + "/api/v1/jobengine/stream?";
  ASSERT_EQ(location.substr(0, base.size()), base) << location;
  const std::string query = location.substr(base.size());
  EXPECT_TRUE(query == "types=job.*&after=5" || query == "after=5&types=job.*") << location;
  const Reply ws = http.get("/api/v1/jobengine/ws");
  EXPECT_EQ(ws.status, 307);
  EXPECT_EQ(ws.header("location"), "http://127.0.0.1:" + port + "/api/v1/jobengine/ws");
}

}  // namespace
}  // namespace jobengine::testing
