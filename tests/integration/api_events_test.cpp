// GET /api/v1/jobengine/events on the real binary: the tenant's orch.event.v1 envelopes in
// seq order, keyset-paginated, stable while events are appended concurrently (no event
// skipped, none twice), tenant-isolated; plus `jobengine token mint` (dev only).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "api_support.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

constexpr const char* kEvents = "/api/v1/jobengine/events";

class ApiEventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new EngineProcess(goodFixtureEngine("apievents"));
    engine_->start();
    token_ = engine_->mintToken("t1", "orch:read orch:operate");
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static Reply addNote(HttpClient& http, const std::string& text,
                       const std::string& tenant = "t1") {
    const std::string token = tenant == "t1" ? token_ : engine_->mintToken(tenant, "orch:operate");
    return http.post(kNotesPath, {{"text", text}},
                     authHeaders(token, tenant, {"X-StellaOps-Operator-Reason: events test"}));
  }
  static EngineProcess* engine_;
  static std::string token_;
};

EngineProcess* ApiEventsTest::engine_ = nullptr;
std::string ApiEventsTest::token_;

TEST_F(ApiEventsTest, EnvelopeCarriesTheHostFields) {
  HttpClient http(engine_->restPort());
  const Reply added = addNote(http, "envelope");
  ASSERT_EQ(added.status, 201) << added.body;
  const Reply page = http.get(std::string(kEvents) + "?page_size=500", authHeaders(token_, "t1"));
  ASSERT_EQ(page.status, 200) << page.body;
  bool found = false;
  const auto items = page.json()["items"];
  for (const auto& e : items) {
    if (e["eventId"] == added.json()["eventId"]) {
      found = true;
      EXPECT_EQ(e["schemaVersion"], "orch.event.v1");
      EXPECT_EQ(e["eventType"], "fixture.note");
      EXPECT_EQ(e["tenantId"], "t1");
      EXPECT_EQ(e["data"]["text"], "envelope");
      EXPECT_TRUE(e["seq"].is_number_integer());
      const std::string at = e["occurredAt"];
      EXPECT_EQ(at.back(), 'Z') << at;
    }
  }
  EXPECT_TRUE(found) << added.body << "\n" << page.body;
}

TEST_F(ApiEventsTest, PagesAreStableWhileEventsAreAppended) {
  HttpClient http(engine_->restPort());
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(addNote(http, "seed-" + std::to_string(i)).status, 201);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> inserted{0};
  std::thread writer([&] {
    HttpClient w(engine_->restPort());
    while (!stop.load()) {
      if (addNote(w, "live-" + std::to_string(inserted.load())).status == 201) {
        ++inserted;
      }
    }
  });
  std::vector<int64_t> seqs;
  std::string token;
  int pages = 0;
  do {
    std::string url = std::string(kEvents) + "?page_size=3";
    if (!token.empty()) {
      url += "&page_token=" + token;
    }
    const Reply r = http.get(url, authHeaders(token_, "t1"));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    EXPECT_LE(body["items"].size(), 3u);
    for (const auto& e : body["items"]) {
      seqs.push_back(e["seq"].get<int64_t>());
    }
    token = body.value("nextPageToken", "");
    ++pages;
  } while (!token.empty() && pages < 200);
  // Let the writer add a few more while we catch up with ?after=.
  while (inserted.load() < 5) {
    std::this_thread::yield();
  }
  stop = true;
  writer.join();
  ASSERT_FALSE(seqs.empty());
  // Catch up from the last seq seen until every committed event was read.
  const long long total =
      scalar(*engine_, "SELECT count(*) FROM jobengine.events WHERE tenant_id = 't1'");
  for (int attempt = 0; attempt < 100 && static_cast<long long>(seqs.size()) < total; ++attempt) {
    const Reply r =
        http.get(std::string(kEvents) + "?page_size=500&after=" + std::to_string(seqs.back()),
                 authHeaders(token_, "t1"));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto items = r.json()["items"];
    for (const auto& e : items) {
      seqs.push_back(e["seq"].get<int64_t>());
    }
  }
  for (size_t i = 1; i < seqs.size(); ++i) {
    ASSERT_LT(seqs[i - 1], seqs[i]) << "seq order broken at " << i;
  }
  EXPECT_EQ(static_cast<long long>(seqs.size()), total) << "an event was skipped";
  EXPECT_EQ(static_cast<long long>(std::set<int64_t>(seqs.begin(), seqs.end()).size()), total);
}

TEST_F(ApiEventsTest, OtherTenantsSeeNothingAndBadQueriesAre400) {
  HttpClient http(engine_->restPort());
  ASSERT_EQ(addNote(http, "isolation").status, 201);
  const std::string other = engine_->mintToken("t2", "orch:read");
  const Reply r = http.get(kEvents, authHeaders(other, "t2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json()["items"].empty()) << r.body;
  EXPECT_FALSE(r.json().contains("nextPageToken"));
  EXPECT_EQ(http.get(std::string(kEvents) + "?page_size=0", authHeaders(token_, "t1")).status, 400);
  EXPECT_EQ(
      http.get(std::string(kEvents) + "?page_token=garbage", authHeaders(token_, "t1")).status,
      400);
  EXPECT_EQ(http.get(std::string(kEvents) + "?after=x", authHeaders(token_, "t1")).status, 400);
}

TEST_F(ApiEventsTest, TokenMintPrintsOnlyTheTokenAndRefusesProduction) {
  const CommandResult ok =
      engine_->run({"token", "mint", "--tenant", "t9", "--scopes", "orch:read", "--ttl", "60"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(std::count(ok.out.begin(), ok.out.end(), '.'), 2) << ok.out;
  EXPECT_EQ(ok.out.find('\n'), ok.out.size() - 1) << ok.out;
  const CommandResult prod = engine_->run({"token", "mint", "--tenant", "t9", "--scopes",
                                           "orch:read", "--set", "auth.mode=\"production\""});
  EXPECT_EQ(prod.exit_code, 1);
  EXPECT_TRUE(prod.out.empty()) << prod.out;
  EXPECT_EQ(std::count(prod.err.begin(), prod.err.end(), '\n'), 1) << prod.err;
}

}  // namespace
}  // namespace jobengine::testing

namespace jobengine::testing {
namespace {

// `make run` (serve --demo): the banner's commands work exactly as printed, run in one shell:
// the token export, the plugin list, a DAG run enqueued, the stream that shows it succeed, and
// the ingestion lines (200 even before the demo connectors' first sync).
TEST(ApiDemoBannerTest, PrintedCommandsEnqueueADagRunAndStreamIt) {
  EngineOptions options;
  options.name = "apidemo";
  options.args.push_back("--demo");
  EngineProcess engine(options);
  engine.start();
  std::string out;
  for (int i = 0; i < 100 && out.find("Ctrl-C stops") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out = engine.output();
  }
  std::string script = "set -e\n";
  int curls = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) {
      continue;
    }
    const std::string cmd = line.substr(first);
    if (cmd.rfind("export TOKEN=", 0) == 0) {
      script += cmd + "\n";
    } else if (cmd.rfind("curl -s ", 0) == 0 &&
               cmd.find("/api/v1/jobengine/") != std::string::npos) {
      script += "echo \"status $(" + cmd + " -o /dev/null -w '%{http_code}')\"\n";
      ++curls;
    } else if (cmd.rfind("curl -N ", 0) == 0) {
      script += cmd + " --max-time 5 || true\n";
      ++curls;
    }
  }
  // The plugin list, the DAG run, the stream, and the ingestion lines (observations,
  // connectors, statements).
  ASSERT_EQ(curls, 6) << out;
  const CommandResult r = runCommand({"/bin/sh", "-c", script}, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << script << r.err;
  EXPECT_NE(r.out.find("status 200"), std::string::npos) << r.out;  // plugins
  EXPECT_NE(r.out.find("status 201"), std::string::npos) << r.out;  // the DAG run
  EXPECT_NE(r.out.find("event: run.succeeded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("event: job.succeeded"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jobengine::testing
