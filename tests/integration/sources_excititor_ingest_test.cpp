// Excititor ingestion end to end on the real engine (issue 15, SPEC §8): providers registered
// through the API become scheduler sources; a sync is a run fetch -> normalize through the
// scheduler, the rate limiter and the adapter kit; statements carry digests and provenance.
// Upstreams: the file:// input mirror tests/fixtures/feeds (openvex/, csaf/, cyclonedx/, each
// with its changes.csv), and FeedUpstream (tests/support) serving it over HTTP with conditional
// requests and malformed bodies. The same fixture pattern as sources_concelier_ingest_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "feed_upstream.hpp"
#include "prometheus_text.hpp"
#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kMirror = fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds";

class ExcititorIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("excititor_ingest");
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
  // Registers a provider; returns it (the test fails on anything but 201).
  json provider(const json& body, const std::string& tenant = "t1") {
    const Reply r = call("POST", "/excititor/providers", body.dump(), {}, tenant);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json() : json::object();
  }
  // Starts a sync of the provider's source and waits for its run to end; returns the run.
  json sync(const json& provider, const std::string& tenant = "t1") {
    const Reply started = call(
        "POST", "/sources/" + provider["sourceId"].get<std::string>() + "/sync", "{}", {}, tenant);
    EXPECT_EQ(started.status, 202) << started.body;
    if (started.status != 202) {
      return json::object();
    }
    return waitForRun(started.json()["runId"].get<std::string>(), tenant);
  }
  json waitForRun(const std::string& run_id, const std::string& tenant = "t1") {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    json run;
    while (std::chrono::steady_clock::now() < deadline) {
      run = call("GET", "/runs/" + run_id, "", {}, tenant).json();
      const std::string status = run.value("status", "");
      if (status == "succeeded" || status == "failed" || status == "canceled") {
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "run " << run_id << " did not end: " << run.dump();
    return run;
  }
  json jobsOf(const std::string& run_id) {
    return call("GET", "/jobs?runId=" + run_id).json()["items"];
  }
  json statements(const std::string& query) {
    const Reply r = call("GET", "/excititor/statements?page_size=500&" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["statements"];
  }
  static std::string mirrorUri(const std::string& source) {
    return "file://" + (kMirror / source).string() + "/";
  }
  static json httpProvider(const std::string& id, const std::string& source,
                           const std::string& base, const FeedUpstream& upstream) {
    return {
        {"providerId", id},
        {"source", source},
        {"baseUri", base},
        {"ratePolicy", {{"rpm", 6000}, {"burst", 100}, {"cooldownSeconds", 1}}},
        {"egressGuard",
         {{"allowlist", {"127.0.0.1:" + std::to_string(upstream.port())}}, {"airgapMode", false}}}};
  }
};
OpsEngine* ExcititorIngestTest::ops_ = nullptr;

TEST_F(ExcititorIngestTest, EveryFormatIngestsFromTheFileMirrorThroughTheSyncDag) {
  // Statements per format in the fixtures (tests/fixtures/feeds/README.md): OpenVEX 4 + 3,
  // CSAF 4 + 2, CycloneDX 4 + 3.
  const std::vector<std::pair<std::string, size_t>> feeds = {
      {"openvex", 7}, {"csaf", 6}, {"cyclonedx", 7}};
  for (const auto& [source, expected] : feeds) {
    SCOPED_TRACE(source);
    const json p = provider(
        {{"providerId", "mirror-" + source}, {"source", source}, {"baseUri", mirrorUri(source)}});
    ASSERT_TRUE(p.contains("sourceId"));
    EXPECT_EQ(p["lockKey"], "excititor:t1:mirror-" + source);
    // The provider is a scheduler source excititor:<id> of kind excititor.<source>.
    const json src = call("GET", "/sources/" + p["sourceId"].get<std::string>()).json();
    EXPECT_EQ(src["name"], "excititor:mirror-" + source);
    EXPECT_EQ(src["kind"], "excititor." + source);
    EXPECT_EQ(src["lockKey"], p["lockKey"]);

    const json run = sync(p);
    ASSERT_EQ(run["status"], "succeeded") << run.dump() << jobsOf(run["id"]).dump();
    // The run is the DAG fetch -> normalize.
    std::set<std::string> types;
    for (const auto& job : jobsOf(run["id"])) {
      types.insert(job["type"].get<std::string>());
    }
    EXPECT_EQ(types, (std::set<std::string>{"excititor.fetch", "excititor.normalize"}));
    const json items = statements("providerId=mirror-" + source);
    ASSERT_EQ(items.size(), expected) << items.dump();
    for (const auto& s : items) {
      EXPECT_EQ(s["source"], source);
      EXPECT_EQ(s["digest"].get<std::string>().rfind("sha256:", 0), 0U);
      EXPECT_EQ(s["provenance"]["runId"], run["id"]);
      EXPECT_EQ(s["provenance"]["uri"].get<std::string>().rfind("file://", 0), 0U);
      EXPECT_TRUE(s["provenance"]["upstreamEtag"].is_string()) << s.dump();
    }
    const json marks =
        call("GET", "/sources/" + p["sourceId"].get<std::string>() + "/watermarks").json();
    ASSERT_EQ(marks["watermarks"].size(), 1U) << marks.dump();
  }
  // One statement in full, and the filters.
  // CVE-2026-21807: one statement of adt-vex-2026-0003 naming two products, one of
  // nw-vex-2026-0011.
  const json cve = statements("providerId=mirror-openvex&vulnerability=CVE-2026-21807");
  ASSERT_EQ(cve.size(), 3U) << cve.dump();
  int gateway = 0;
  for (const auto& s : cve) {
    EXPECT_EQ(s["status"], "not_affected");
    EXPECT_EQ(s["statusRaw"], "not_affected");
    if (s["documentId"] == "https://vex.example.com/adatum/ADT-VEX-2026-0003") {
      ++gateway;
      EXPECT_EQ(s["justification"], "vulnerable_code_not_in_execute_path");
      EXPECT_EQ(s["modified"], "2026-03-19T22:40:00Z");
    }
  }
  EXPECT_EQ(gateway, 2);
  const json fixed = statements("vulnerability=CVE-2026-23001&status=fixed");
  ASSERT_EQ(fixed.size(), 1U) << fixed.dump();
  const json csaf = statements("providerId=mirror-csaf&status=not_affected");
  bool found = false;
  for (const auto& s : csaf) {
    if (s["product"] == "pkg:generic/contoso/cloud-agent@2.2.5") {
      found = true;
      EXPECT_EQ(s["statusRaw"], "known_not_affected");
      EXPECT_EQ(s["justification"], "vulnerable_code_not_present");
      EXPECT_EQ(s["modified"], "2026-03-03T11:30:00Z");
    }
  }
  EXPECT_TRUE(found) << csaf.dump();
  const json exploitable = statements("providerId=mirror-cyclonedx&status=affected");
  bool named = false;
  for (const auto& s : exploitable) {
    named = named || (s["statusRaw"] == "exploitable" && s["justification"].is_null());
  }
  EXPECT_TRUE(named) << exploitable.dump();
  // Filters are checked.
  EXPECT_EQ(call("GET", "/excititor/statements?status=vulnerable").status, 400);
  EXPECT_EQ(call("GET", "/excititor/statements?modifiedSince=yesterday").status, 400);
  // Only the adt-vex-2026-0003 statement without a timestamp of its own (last_updated 03-21).
  EXPECT_EQ(statements("modifiedSince=2026-03-20T00:00:00Z&providerId=mirror-openvex").size(), 1U);
}

TEST_F(ExcititorIngestTest, ReingestingTheSameBytesCreatesNothingNew) {
  const json p = provider(
      {{"providerId", "openvex-again"}, {"source", "openvex"}, {"baseUri", mirrorUri("openvex")}});
  ASSERT_EQ(sync(p)["status"], "succeeded");
  ASSERT_TRUE(ops_->holds(
      "(SELECT count(*) FROM excititor.statements WHERE provider_id = 'openvex-again') = 7"));
  ops_->sql(
      "DROP TABLE IF EXISTS raw_before; CREATE TABLE raw_before AS SELECT count(*) AS n FROM "
      "excititor.raw_documents");
  // A backfill of the fixtures' months fetches every document again (a backfill's listing is
  // never conditional) and normalizes the same bytes.
  const Reply created = call("POST", "/backfills",
                             json{{"sourceId", p["sourceId"]},
                                  {"from", "2026-01-01T00:00:00Z"},
                                  {"to", "2026-04-01T00:00:00Z"},
                                  {"windowMinutes", 525600}}
                                 .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string backfill = created.json()["id"].get<std::string>();
  json state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    state = call("GET", "/backfills/" + backfill).json();
    if (state["status"] == "succeeded" || state["status"] == "failed" ||
        state["status"] == "canceled") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(state["status"], "succeeded") << state.dump();
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(*) FROM excititor.statements WHERE provider_id = 'openvex-again') = 7"));
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM excititor.raw_documents) = (SELECT n FROM raw_before)"));
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(DISTINCT run_id) FROM excititor.fetched_documents WHERE provider_id = "
      "'openvex-again' AND status = 'normalized') = 2"));
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(*) FROM excititor.fetched_documents WHERE provider_id = 'openvex-again' AND "
      "status = 'normalized') = 4"));
}

TEST_F(ExcititorIngestTest, ASecondSyncIsConditional) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  const json p = provider(httpProvider("csaf-http", "csaf", upstream.url("csaf/"), upstream));
  ASSERT_EQ(sync(p)["status"], "succeeded");
  EXPECT_EQ(statements("providerId=csaf-http").size(), 6U);
  auto log = upstream.requests();
  ASSERT_EQ(log.size(), 3U);  // changes.csv and its two documents
  EXPECT_EQ(log[0].target, "/csaf/changes.csv");
  EXPECT_FALSE(log[0].if_none_match.has_value());

  // Nothing changed upstream: the listing answers 304 to the confirmed validators.
  upstream.clearLog();
  const json again = sync(p);
  ASSERT_EQ(again["status"], "succeeded");
  log = upstream.requests();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].target, "/csaf/changes.csv");
  EXPECT_TRUE(log[0].if_none_match.has_value());
  EXPECT_EQ(log[0].status, 304);
  EXPECT_EQ(statements("providerId=csaf-http").size(), 6U);
}

TEST_F(ExcititorIngestTest, AMalformedDocumentIsDeadLetteredAndTheRestGoesOn) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  upstream.overrideBody("/openvex/2026/nw-vex-2026-0011.json", "{\"@context\": ");
  const json p =
      provider(httpProvider("openvex-broken", "openvex", upstream.url("openvex/"), upstream));
  const json run = sync(p);
  ASSERT_EQ(run["status"], "succeeded") << jobsOf(run["id"]).dump();
  EXPECT_EQ(statements("providerId=openvex-broken").size(), 4U);  // adt-vex-2026-0003 only
  const json dead = call("GET", "/deadletter?page_size=100").json()["deadLetters"];
  bool found = false;
  for (const auto& d : dead) {
    if (d["runId"] == run["id"]) {
      found = true;
      EXPECT_EQ(d["subject"], "document");
      EXPECT_EQ(d["jobType"], "excititor.normalize");
      EXPECT_EQ(d["errorClass"], "permanent");
      EXPECT_EQ(d["errorCode"], "OPENVEX_INVALID_JSON");
      EXPECT_EQ(d["documentUri"], upstream.url("openvex/2026/nw-vex-2026-0011.json"));
      EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM excititor.raw_documents WHERE digest = '" +
                              d["payloadDigest"].get<std::string>() +
                              "' AND body = convert_to('{\"@context\": ', 'UTF8'))"));
    }
  }
  EXPECT_TRUE(found) << dead.dump();
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM excititor.fetched_documents WHERE run_id = '" +
                          run["id"].get<std::string>() + "' AND status = 'dead_lettered') = 1"));
  const std::string metrics = ops_->http().get("/metrics").body;
  const std::string labels = "{plugin=\"sources-excititor\",source=\"openvex\"}";
  EXPECT_GE(metricValue(metrics, "jobengine_excititor_documents_fetched_total" + labels), 2.0)
      << metrics;
  EXPECT_GE(metricValue(metrics, "jobengine_excititor_documents_dead_lettered_total" + labels), 1.0)
      << metrics;
  EXPECT_GE(metricValue(metrics, "jobengine_excititor_statements_total" + labels), 4.0) << metrics;
}

TEST_F(ExcititorIngestTest, EgressOutsideTheAllowlistOrInAirGapNeverConnects) {
  FeedUpstream upstream(kMirror);
  upstream.start();
  json outside = httpProvider("cdx-outside", "cyclonedx", upstream.url("cyclonedx/"), upstream);
  outside["egressGuard"]["allowlist"] = {"example.org"};
  json airgap = httpProvider("cdx-airgap", "cyclonedx", upstream.url("cyclonedx/"), upstream);
  airgap["egressGuard"]["airgapMode"] = true;
  for (const auto& [body, code] : std::vector<std::pair<json, std::string>>{
           {outside, "EGRESS_NOT_ALLOWED"}, {airgap, "EGRESS_AIRGAP"}}) {
    SCOPED_TRACE(code);
    const json run = sync(provider(body));
    EXPECT_EQ(run["status"], "failed");
    bool named = false;
    for (const auto& job : jobsOf(run["id"])) {
      if (job["type"] == "excititor.fetch") {
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

TEST_F(ExcititorIngestTest, TheRegistryValidatesAndVersionsProviders) {
  const Reply bad = call("POST", "/excititor/providers",
                         R"({"providerId":"x","source":"openvex","baseUri":"ftp://example.org/"})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "baseUri") << bad.body;
  const Reply format = call("POST", "/excititor/providers",
                            R"({"providerId":"x","source":"spdx","baseUri":"file:///tmp/x/"})");
  EXPECT_EQ(format.status, 422) << format.body;
  // The host refuses it against the OpenAPI enum first and names the field its way ("$.source").
  EXPECT_NE(format.body.find("source"), std::string::npos) << format.body;
  const Reply secretless = call(
      "POST", "/excititor/providers",
      R"({"providerId":"y","source":"csaf","baseUri":"https://vex.example.com/csaf/","authRef":"hunter2"})");
  EXPECT_EQ(secretless.status, 422) << secretless.body;
  EXPECT_EQ(secretless.json()["error"]["details"]["field"], "authRef") << secretless.body;

  const json body = {{"providerId", "versioned"},
                     {"source", "csaf"},
                     {"baseUri", "https://vex.example.com/csaf/"},
                     {"schedule", {{"cron", "0 * * * *"}}}};
  const json created = provider(body);
  const Reply duplicate = call("POST", "/excititor/providers", body.dump());
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  EXPECT_EQ(duplicate.json()["error"]["code"], "PROVIDER_EXISTS") << duplicate.body;
  EXPECT_EQ(call("GET", "/excititor/providers/versioned", "", {"If-None-Match: \"v1\""}).status,
            304);
  json changed = body;
  changed["schedule"] = {{"cron", "*/30 * * * *"}};
  EXPECT_EQ(
      call("PUT", "/excititor/providers/versioned", changed.dump(), {"If-Match: \"v9\""}).status,
      412);
  const Reply put =
      call("PUT", "/excititor/providers/versioned", changed.dump(), {"If-Match: \"v1\""});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["version"], 2);
  EXPECT_EQ(put.header("etag"), "\"v2\"");
  // The scheduler source follows: its schedule is the new cron.
  const json src = call("GET", "/sources/" + created["sourceId"].get<std::string>()).json();
  EXPECT_EQ(src["schedule"]["cron"], "*/30 * * * *") << src.dump();
  json renamed = changed;
  renamed["source"] = "openvex";
  const Reply immutable = call("PUT", "/excititor/providers/versioned", renamed.dump());
  EXPECT_EQ(immutable.status, 422) << immutable.body;
  EXPECT_EQ(immutable.json()["error"]["details"]["field"], "source") << immutable.body;
  // A bad cron is the scheduler's refusal, named.
  json bad_cron = changed;
  bad_cron["schedule"] = {{"cron", "61 * * * *"}};
  const Reply refused = call("PUT", "/excititor/providers/versioned", bad_cron.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("cron"), std::string::npos) << refused.body;
  // The list shows it; another tenant sees none of it.
  const json list = call("GET", "/excititor/providers?page_size=100").json()["providers"];
  bool listed = false;
  for (const auto& item : list) {
    listed = listed || item["providerId"] == "versioned";
  }
  EXPECT_TRUE(listed) << list.dump();
  EXPECT_EQ(call("GET", "/excititor/providers/versioned", "", {}, "t2").status, 404);
}

}  // namespace
}  // namespace jobengine::testing
