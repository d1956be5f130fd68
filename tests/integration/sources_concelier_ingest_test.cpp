// Concelier ingestion end to end on the real engine (issue 15, SPEC §8): connectors registered
// through the API become scheduler sources; a sync is a run fetch -> parse -> map through the
// scheduler, the rate limiter and the adapter kit; observations carry digests and provenance.
// Upstreams: the file:// input mirror tests/fixtures/feeds, and FeedUpstream (tests/support)
// serving a copy of it over HTTP with conditional requests, 429s and malformed bodies.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "feed_upstream.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kMirror = fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds";

class ConcelierIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("concelier_ingest");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& extra = {}, const std::string& tenant = "t1") {
    auto h = ops_->headers(tenant, extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
  // Registers a connector; returns it (the test fails on anything but 201).
  json connector(const json& body, const std::string& tenant = "t1") {
    const Reply r = call("POST", "/concelier/connectors", body.dump(), {}, tenant);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json() : json::object();
  }
  // Starts a sync of the connector's source and waits for its run to end; returns the run.
  json sync(const json& connector, const std::string& tenant = "t1") {
    const Reply started = call(
        "POST", "/sources/" + connector["sourceId"].get<std::string>() + "/sync", "{}", {}, tenant);
    EXPECT_EQ(started.status, 202) << started.body;
    if (started.status != 202) {
      return json::object();
    }
    return waitForRun(started.json()["runId"].get<std::string>(), tenant);
  }
  // Backfills [from, to) of the connector's source in windows of `window_minutes` and waits for
  // the backfill to end; returns it.
  json backfill(const json& connector, const std::string& from, const std::string& to,
                int window_minutes) {
    const json body = {{"sourceId", connector["sourceId"]},
                       {"from", from},
                       {"to", to},
                       {"windowMinutes", window_minutes}};
    const Reply created = call("POST", "/backfills", body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) {
      return json::object();
    }
    return pollUntil(
        [&] { return call("GET", "/backfills/" + created.json()["id"].get<std::string>()).json(); },
        [](const json& b) {
          return b.value("status", "") == "succeeded" || b.value("status", "") == "failed";
        },
        std::chrono::seconds(60));
  }
  json waitForRun(const std::string& run_id, const std::string& tenant = "t1") {
    const json run =
        pollUntil([&] { return call("GET", "/runs/" + run_id, "", {}, tenant).json(); },
                  [](const json& r) {
                    const std::string status = r.value("status", "");
                    return status == "succeeded" || status == "failed" || status == "canceled";
                  },
                  std::chrono::seconds(90));
    EXPECT_TRUE(run.value("finishedAt", json()).is_string()) << "run did not end: " << run.dump();
    return run;
  }
  json jobsOf(const std::string& run_id) {
    return call("GET", "/jobs?runId=" + run_id).json()["items"];
  }
  json observations(const std::string& query) {
    const Reply r = call("GET", "/concelier/observations?page_size=500&" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["observations"];
  }
  static json httpConnector(const std::string& id, const std::string& source,
                            const std::string& base, const FeedUpstream& upstream) {
    return {
        {"connectorId", id},
        {"source", source},
        {"baseUri", base},
        {"ratePolicy", {{"rpm", 6000}, {"burst", 100}, {"cooldownSeconds", 1}}},
        {"egressGuard",
         {{"allowlist", {"127.0.0.1:" + std::to_string(upstream.port())}}, {"airgapMode", false}}}};
  }
};
OpsEngine* ConcelierIngestTest::ops_ = nullptr;

// A private copy of the mirror a test may change.
fs::path copyOfMirror(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("je-feeds-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(kMirror, dir, fs::copy_options::recursive);
  return dir;
}

TEST_F(ConcelierIngestTest, EveryFormatIngestsFromTheFileMirrorThroughTheSyncDag) {
  const std::vector<std::tuple<std::string, std::string, size_t>> feeds = {
      {"osv", "file://" + (kMirror / "osv" / "PyPI").string() + "/", 6},
      {"nvd", "file://" + (kMirror / "nvd").string() + "/", 5},
      {"kev", "file://" + (kMirror / "kev" / "known_exploited_vulnerabilities.json").string(), 4}};
  for (const auto& [source, base, expected] : feeds) {
    SCOPED_TRACE(source);
    const json c =
        connector({{"connectorId", "mirror-" + source}, {"source", source}, {"baseUri", base}});
    ASSERT_TRUE(c.contains("sourceId"));
    EXPECT_EQ(c["lockKey"], "concelier:t1:mirror-" + source);
    // The connector is a scheduler source of kind concelier.<source> with its lock key.
    const json src = call("GET", "/sources/" + c["sourceId"].get<std::string>()).json();
    EXPECT_EQ(src["kind"], "concelier." + source);
    EXPECT_EQ(src["lockKey"], c["lockKey"]);

    const json run = sync(c);
    ASSERT_EQ(run["status"], "succeeded") << run.dump() << jobsOf(run["id"]).dump();
    // The run is the DAG fetch -> parse -> map.
    std::set<std::string> types;
    for (const auto& job : jobsOf(run["id"])) {
      types.insert(job["type"].get<std::string>());
    }
    EXPECT_EQ(types,
              (std::set<std::string>{"concelier.fetch", "concelier.parse", "concelier.map"}));
    const json items = observations("connectorId=mirror-" + source);
    ASSERT_EQ(items.size(), expected) << items.dump();
    for (const auto& o : items) {
      EXPECT_EQ(o["digest"].get<std::string>().rfind("sha256:", 0), 0U);
      EXPECT_EQ(o["provenance"]["runId"], run["id"]);
      EXPECT_EQ(o["provenance"]["uri"].get<std::string>().rfind("file://", 0), 0U);
    }
    // The watermark moved to the run's window end.
    const json marks =
        call("GET", "/sources/" + c["sourceId"].get<std::string>() + "/watermarks").json();
    ASSERT_EQ(marks["watermarks"].size(), 1U) << marks.dump();
  }
  // The advisory filter finds an id by one of its aliases too.
  const json all = observations("connectorId=mirror-osv");
  std::string alias;
  for (const auto& o : all) {
    if (!o["aliases"].empty()) {
      alias = o["aliases"][0];
    }
  }
  ASSERT_FALSE(alias.empty());
  EXPECT_GE(observations("advisoryId=" + alias).size(), 1U);
}

TEST_F(ConcelierIngestTest, ReingestingTheSameBytesCreatesNothingNew) {
  const json c = connector({{"connectorId", "nvd-again"},
                            {"source", "nvd"},
                            {"baseUri", "file://" + (kMirror / "nvd").string() + "/"}});
  ASSERT_EQ(sync(c)["status"], "succeeded");
  ASSERT_TRUE(ops_->holds(
      "(SELECT count(*) FROM concelier.observations WHERE connector_id = 'nvd-again') = 5"));
  ops_->sql(
      "DROP TABLE IF EXISTS raw_before; CREATE TABLE raw_before AS SELECT count(*) AS n FROM "
      "concelier.raw_documents");
  // NVD pages carry no validators: the second sync fetches and parses every page again.
  const json again = sync(c);
  ASSERT_EQ(again["status"], "succeeded");
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(*) FROM concelier.observations WHERE connector_id = 'nvd-again') = 5"));
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM concelier.raw_documents) = (SELECT n FROM raw_before)"));
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM concelier.fetched_documents WHERE run_id = '" +
                          again["id"].get<std::string>() + "' AND status = 'mapped') = 3"));
}

TEST_F(ConcelierIngestTest, ResumesFromTheWatermarkWithConditionalRequests) {
  const fs::path mirror = copyOfMirror("resume");
  FeedUpstream upstream(mirror);
  upstream.start();
  const json c = connector(httpConnector("osv-http", "osv", upstream.url("osv/PyPI/"), upstream));
  ASSERT_EQ(sync(c)["status"], "succeeded");
  EXPECT_EQ(observations("connectorId=osv-http").size(), 6U);

  // Nothing changed upstream: the listing answers 304 to the stored validators.
  upstream.clearLog();
  ASSERT_EQ(sync(c)["status"], "succeeded");
  auto log = upstream.requests();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].target, "/osv/PyPI/modified_id.csv");
  EXPECT_TRUE(log[0].if_none_match.has_value());
  EXPECT_EQ(log[0].status, 304);

  // One new record, modified now: the next sync fetches the listing and that record only. The
  // time is written in whole seconds, so wait one: the record must be newer than the last
  // sync's window end (the watermark), which has microseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char now_text[32];
  std::strftime(now_text, sizeof(now_text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  const std::string now = now_text;
  std::string index;
  {
    std::ifstream in(mirror / "osv" / "PyPI" / "modified_id.csv");
    index.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string record;
  const auto any = fs::directory_iterator(mirror / "osv" / "PyPI");
  for (const auto& entry : any) {
    if (entry.path().extension() == ".json") {
      std::ifstream in(entry.path());
      record.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      break;
    }
  }
  json doc = json::parse(record);
  doc["id"] = "GHSA-new0-new0-new0";
  doc["modified"] = now;
  doc.erase("aliases");
  std::ofstream(mirror / "osv" / "PyPI" / "GHSA-new0-new0-new0.json") << doc.dump();
  std::ofstream(mirror / "osv" / "PyPI" / "modified_id.csv") << now << ",GHSA-new0-new0-new0\n"
                                                             << index;
  upstream.clearLog();
  ASSERT_EQ(sync(c)["status"], "succeeded");
  log = upstream.requests();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[1].target, "/osv/PyPI/GHSA-new0-new0-new0.json");
  EXPECT_EQ(observations("connectorId=osv-http").size(), 7U);

  // A backfill of a past window asks for the listing unconditionally (a 304 would skip the
  // window), and the same bytes again create nothing.
  upstream.clearLog();
  const json done = backfill(c, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", 1440);
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  log = upstream.requests();
  ASSERT_GE(log.size(), 1U);
  EXPECT_EQ(log[0].target, "/osv/PyPI/modified_id.csv");
  EXPECT_FALSE(log[0].if_none_match.has_value());
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(observations("connectorId=osv-http").size(), 7U);
  fs::remove_all(mirror);
}

// Listing observations and connectors pages through nextPageToken (the kit's
// readStringKeyPage); a token whose key is not an observation id is refused.
TEST_F(ConcelierIngestTest, ObservationsAndConnectorsPageThroughTokens) {
  const json c = connector({{"connectorId", "osv-paged"},
                            {"source", "osv"},
                            {"baseUri", "file://" + (kMirror / "osv" / "PyPI").string() + "/"}});
  connector({{"connectorId", "osv-paged-2"},
             {"source", "osv"},
             {"baseUri", "file://" + (kMirror / "osv" / "PyPI").string() + "/"}});
  ASSERT_EQ(sync(c)["status"], "succeeded");
  std::set<std::string> seen;
  std::string path = "/concelier/observations?connectorId=osv-paged&page_size=2";
  for (int pages = 0; pages < 10; ++pages) {
    const Reply r = call("GET", path);
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& o : body["observations"]) {
      EXPECT_TRUE(seen.insert(o.dump()).second) << o.dump();
    }
    if (!body.contains("nextPageToken")) {
      break;
    }
    path = "/concelier/observations?connectorId=osv-paged&page_size=2&page_token=" +
           body["nextPageToken"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), observations("connectorId=osv-paged").size());
  EXPECT_GT(seen.size(), 2U);

  const Reply first = call("GET", "/concelier/connectors?page_size=1");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(first.json().contains("nextPageToken")) << first.body;
  const Reply second = call("GET", "/concelier/connectors?page_size=1&page_token=" +
                                       first.json()["nextPageToken"].get<std::string>());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(second.json()["connectors"][0]["connectorId"],
            first.json()["connectors"][0]["connectorId"]);
  // A connectors token names a connector id, not an observation id: refused, not misread.
  const Reply crossed = call("GET", "/concelier/observations?page_token=" +
                                        first.json()["nextPageToken"].get<std::string>());
  EXPECT_EQ(crossed.status, 400) << crossed.body;
}

// The NVD API refuses a lastMod range over 120 days (the test upstream too): a backfill of a year
// walks it as consecutive ranges, each paged through startIndex.
TEST_F(ConcelierIngestTest, AnNvdBackfillOfAYearAsksInRangesOfAtMostOneHundredTwentyDays) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  json body = httpConnector("nvd-http", "nvd", upstream.url("nvd/rest/json/cves/2.0"), upstream);
  body["options"] = {{"resultsPerPage", 2}};
  const json c = connector(body);
  upstream.clearLog();
  const json done = backfill(c, "2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z", 525600);
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  // The fixture's five CVEs were modified between 2026-01-08 and 2026-03-19: two in the second
  // range, three (two pages) in the third; the first and the last range are empty.
  std::vector<std::string> targets;
  for (const auto& r : upstream.requests()) {
    EXPECT_EQ(r.status, 200) << r.target;
    targets.push_back(r.target);
  }
  const std::string api = "/nvd/rest/json/cves/2.0?";
  const std::vector<std::string> expected = {
      api +
          "startIndex=0&resultsPerPage=2&lastModStartDate=2025-06-01T00:00:00.000Z"
          "&lastModEndDate=2025-09-29T00:00:00.000Z",
      api +
          "startIndex=0&resultsPerPage=2&lastModStartDate=2025-09-29T00:00:00.000Z"
          "&lastModEndDate=2026-01-27T00:00:00.000Z",
      api +
          "startIndex=0&resultsPerPage=2&lastModStartDate=2026-01-27T00:00:00.000Z"
          "&lastModEndDate=2026-05-27T00:00:00.000Z",
      api +
          "startIndex=2&resultsPerPage=2&lastModStartDate=2026-01-27T00:00:00.000Z"
          "&lastModEndDate=2026-05-27T00:00:00.000Z",
      api +
          "startIndex=0&resultsPerPage=2&lastModStartDate=2026-05-27T00:00:00.000Z"
          "&lastModEndDate=2026-06-01T00:00:00.000Z"};
  EXPECT_EQ(targets, expected);
  EXPECT_EQ(observations("connectorId=nvd-http").size(), 5U);
}

TEST_F(ConcelierIngestTest, SlowsDownOn429AndRecovers) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  upstream.failNext("/kev/", 429, 1, 1);
  const json c = connector(httpConnector(
      "kev-429", "kev", upstream.url("kev/known_exploited_vulnerabilities.json"), upstream));
  const json run = sync(c);
  ASSERT_EQ(run["status"], "succeeded") << jobsOf(run["id"]).dump();
  const auto log = upstream.requests();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].status, 429);
  EXPECT_EQ(log[1].status, 200);
  EXPECT_EQ(observations("connectorId=kev-429").size(), 4U);
  // The rate limiter heard the 429: the host's bucket runs below its configured rate.
  const json buckets = call("GET", "/ratelimit/buckets").json()["buckets"];
  bool found = false;
  for (const auto& b : buckets) {
    if (b["host"] == "127.0.0.1") {
      found = true;
      EXPECT_LT(b["currentPerMinute"].get<double>(), b["configuredPerMinute"].get<double>())
          << b.dump();
    }
  }
  EXPECT_TRUE(found) << buckets.dump();
}

TEST_F(ConcelierIngestTest, AMalformedDocumentIsDeadLetteredAndTheRestGoesOn) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  std::string victim;
  for (const auto& entry : fs::directory_iterator(kMirror / "osv" / "PyPI")) {
    if (entry.path().extension() == ".json") {
      victim = entry.path().filename().string();
      break;
    }
  }
  upstream.overrideBody("/osv/PyPI/" + victim, "{\"id\": \"broken\", ");
  const json c = connector(httpConnector("osv-broken", "osv", upstream.url("osv/PyPI/"), upstream));
  const json run = sync(c);
  ASSERT_EQ(run["status"], "succeeded") << jobsOf(run["id"]).dump();
  EXPECT_EQ(observations("connectorId=osv-broken").size(), 5U);
  const json dead = call("GET", "/deadletter?page_size=100").json()["deadLetters"];
  bool found = false;
  for (const auto& d : dead) {
    if (d["runId"] == run["id"]) {
      found = true;
      EXPECT_EQ(d["subject"], "document");
      EXPECT_EQ(d["jobType"], "concelier.parse");
      EXPECT_EQ(d["errorClass"], "permanent");
      EXPECT_EQ(d["errorCode"], "OSV_INVALID_JSON");
      EXPECT_EQ(d["documentUri"], upstream.url("osv/PyPI/" + victim));
      EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM concelier.raw_documents WHERE digest = '" +
                              d["payloadDigest"].get<std::string>() +
                              "' AND body = convert_to('{\"id\": \"broken\", ', 'UTF8'))"));
    }
  }
  EXPECT_TRUE(found) << dead.dump();
  const std::string metrics = ops_->http().get("/metrics").body;
  EXPECT_GE(metricValue(metrics,
                        "jobengine_concelier_documents_dead_lettered_total{plugin=\"sources-"
                        "concelier\",source=\"osv\"}"),
            1.0);
  EXPECT_GE(
      metricValue(
          metrics,
          "jobengine_concelier_observations_total{plugin=\"sources-concelier\",source=\"osv\"}"),
      5.0)
      << metrics;
}

TEST_F(ConcelierIngestTest, EgressOutsideTheAllowlistOrInAirGapNeverConnects) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  json outside = httpConnector("kev-outside", "kev",
                               upstream.url("kev/known_exploited_vulnerabilities.json"), upstream);
  outside["egressGuard"]["allowlist"] = {"example.org"};
  json airgap = httpConnector("kev-airgap", "kev",
                              upstream.url("kev/known_exploited_vulnerabilities.json"), upstream);
  airgap["egressGuard"]["airgapMode"] = true;
  for (const auto& [body, code] : std::vector<std::pair<json, std::string>>{
           {outside, "EGRESS_NOT_ALLOWED"}, {airgap, "EGRESS_AIRGAP"}}) {
    SCOPED_TRACE(code);
    const json run = sync(connector(body));
    EXPECT_EQ(run["status"], "failed");
    bool named = false;
    for (const auto& job : jobsOf(run["id"])) {
      if (job["type"] == "concelier.fetch") {
        const json full = call("GET", "/jobs/" + job["id"].get<std::string>()).json();
        EXPECT_EQ(full["status"], "failed") << full.dump();
        EXPECT_EQ(full["lastError"]["code"], code) << full.dump();
        EXPECT_EQ(full["attempts"], 1) << "a permanent error is not retried: " << full.dump();
        named = true;
      }
    }
    EXPECT_TRUE(named);
  }
  EXPECT_EQ(upstream.acceptedConnections(), 0);
}

TEST_F(ConcelierIngestTest, TheRegistryValidatesAndVersionsConnectors) {
  const Reply bad = call("POST", "/concelier/connectors",
                         R"({"connectorId":"x","source":"osv","baseUri":"ftp://example.org/"})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "baseUri") << bad.body;
  const Reply secretless = call(
      "POST", "/concelier/connectors",
      R"({"connectorId":"y","source":"nvd","baseUri":"https://services.nvd.nist.gov/rest/json/cves/2.0","authRef":"hunter2"})");
  EXPECT_EQ(secretless.status, 422) << secretless.body;

  const json body = {{"connectorId", "versioned"},
                     {"source", "kev"},
                     {"baseUri", "https://www.cisa.gov/kev.json"},
                     {"schedule", {{"cron", "0 * * * *"}}}};
  const json created = connector(body);
  EXPECT_EQ(call("POST", "/concelier/connectors", body.dump()).status, 409);
  EXPECT_EQ(call("GET", "/concelier/connectors/versioned", "", {"If-None-Match: \"v1\""}).status,
            304);
  json changed = body;
  changed["schedule"] = {{"cron", "*/30 * * * *"}};
  EXPECT_EQ(
      call("PUT", "/concelier/connectors/versioned", changed.dump(), {"If-Match: \"v9\""}).status,
      412);
  const Reply put =
      call("PUT", "/concelier/connectors/versioned", changed.dump(), {"If-Match: \"v1\""});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["version"], 2);
  // The scheduler source follows: its schedule is the new cron.
  const json src = call("GET", "/sources/" + created["sourceId"].get<std::string>()).json();
  EXPECT_EQ(src["schedule"]["cron"], "*/30 * * * *") << src.dump();
  json renamed = changed;
  renamed["source"] = "osv";
  EXPECT_EQ(call("PUT", "/concelier/connectors/versioned", renamed.dump()).status, 422);
  // A bad cron is the scheduler's refusal, named.
  json bad_cron = changed;
  bad_cron["schedule"] = {{"cron", "61 * * * *"}};
  const Reply refused = call("PUT", "/concelier/connectors/versioned", bad_cron.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("cron"), std::string::npos) << refused.body;
  // Another tenant sees none of it.
  EXPECT_EQ(call("GET", "/concelier/connectors/versioned", "", {}, "t2").status, 404);
  // A tenant id with upper case still makes a valid lock key.
  const json upper = connector(body, "Acme-Corp");
  EXPECT_EQ(upper["lockKey"], "concelier:Acme-Corp:versioned") << upper.dump();
}

}  // namespace
}  // namespace jobengine::testing
