// Who and why on every event (SPEC §6, ABI 1.2 "request metadata"): an event caused by an API
// request carries the token's subject and scopes, the operator's reason and ticket, the
// request id and the trace id, whichever code path wrote it (the scheduler's in-statement
// appends through jobengine.append_events_v1, its operator routes, the run statement), and an
// event the engine causes by itself carries actor "system:<plugin>" and nothing else. Real
// engine, real PostgreSQL, real HTTP.
#include <algorithm>
#include <set>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class EventMetadataTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("event-metadata"); }

  static constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

  std::vector<std::string> metaHeaders(const std::string& request_id) const {
    return {"Authorization: Bearer " + token(),
            "X-StellaOps-Tenant: " + tenant_,
            "X-StellaOps-Operator-Reason: rotate signing keys",
            "X-StellaOps-Operator-Ticket: CHG-4242",
            "X-Request-Id: " + request_id,
            "traceparent: 00-" + std::string(kTrace) + "-00f067aa0ba902b7-01"};
  }

  json historyItems(const std::string& id) {
    const Reply r = get("/jobs/" + id + "/history");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"];
  }

  // Every event of the tenant with one of these types, from the host's GET /events.
  json eventsOfType(const std::set<std::string>& types) {
    json out = json::array();
    std::string page;
    do {
      const Reply r = get("/events?page_size=500" + (page.empty() ? "" : "&page_token=" + page));
      EXPECT_EQ(r.status, 200) << r.body;
      const json body = r.json();
      for (const auto& e : body["items"]) {
        if (types.count(e["eventType"].get<std::string>()) != 0) {
          out.push_back(e);
        }
      }
      page = body.value("nextPageToken", "");
    } while (!page.empty());
    return out;
  }

  static void expectRequestMetadata(const json& e, const std::string& request_id) {
    EXPECT_EQ(e["actor"]["subject"], "dev-operator") << e.dump();
    const json scopes = e["actor"]["scopes"];
    ASSERT_TRUE(scopes.is_array()) << e.dump();
    EXPECT_NE(std::find(scopes.begin(), scopes.end(), "orch:operate"), scopes.end()) << e.dump();
    EXPECT_EQ(e["operator"]["reason"], "rotate signing keys") << e.dump();
    EXPECT_EQ(e["operator"]["ticket"], "CHG-4242") << e.dump();
    EXPECT_EQ(e["requestId"], request_id) << e.dump();
    EXPECT_EQ(e["traceId"], kTrace) << e.dump();
  }
};

TEST_F(EventMetadataTest, AnEnqueueCarriesWhoAndWhy) {
  const Reply r = http_->post("/api/v1/jobengine/jobs", {{"type", "meta.enqueue"}},
                              metaHeaders("req-meta-enqueue"));
  ASSERT_EQ(r.status, 201) << r.body;
  const json items = historyItems(r.json()["id"].get<std::string>());
  ASSERT_EQ(items.size(), 1u) << items.dump();
  EXPECT_EQ(items[0]["eventType"], "job.created");
  expectRequestMetadata(items[0], "req-meta-enqueue");
}

TEST_F(EventMetadataTest, ARunAndItsJobsCarryWhoAndWhy) {
  const json run = {{"jobs",
                     {{{"key", "a"}, {"type", "meta.dag"}},
                      {{"key", "b"}, {"type", "meta.dag"}, {"dependsOn", {"a"}}}}}};
  const Reply r = http_->post("/api/v1/jobengine/runs", run, metaHeaders("req-meta-run"));
  ASSERT_EQ(r.status, 201) << r.body;
  const json created = r.json();
  const std::string run_id = created["run"]["id"].get<std::string>();
  bool found = false;
  for (const auto& e : eventsOfType({"run.created"})) {
    if (e["run"]["id"] == run_id) {
      found = true;
      expectRequestMetadata(e, "req-meta-run");
      EXPECT_TRUE(e["eventId"].get<std::string>().rfind("urn:orch:event:", 0) == 0) << e.dump();
    }
  }
  EXPECT_TRUE(found) << "no run.created event for run " << run_id;
  // The run's jobs were created in the same request: their job.created events carry it too.
  for (const auto& j : created["jobs"]) {
    const json items = historyItems(j["id"].get<std::string>());
    ASSERT_FALSE(items.empty()) << j.dump();
    expectRequestMetadata(items[0], "req-meta-run");
  }
}

TEST_F(EventMetadataTest, AnOperatorRouteEventCarriesWhoAndWhy) {
  const json source = {{"name", "concelier:meta"}, {"kind", "concelier"}};
  const Reply r = http_->post("/api/v1/jobengine/sources", source, metaHeaders("req-meta-src"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"].get<std::string>();
  bool found = false;
  for (const auto& e : eventsOfType({"source.created"})) {
    if (e["data"]["source"]["id"] == id) {
      found = true;
      expectRequestMetadata(e, "req-meta-src");
    }
  }
  EXPECT_TRUE(found) << "no source.created event for source " << id;
}

TEST_F(EventMetadataTest, AnAppenderCannotForgeTheActor) {
  // A job's own fields never reach the host-owned ones: the actor is the token's.
  const Reply r = http_->post("/api/v1/jobengine/jobs",
                              {{"type", "meta.forge"}, {"payload", {{"actor", "someone-else"}}}},
                              metaHeaders("req-meta-forge"));
  ASSERT_EQ(r.status, 201) << r.body;
  const json items = historyItems(r.json()["id"].get<std::string>());
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0]["actor"]["subject"], "dev-operator");
}

TEST_F(EventMetadataTest, EngineMadeEventsCarryTheSystemActorOnly) {
  const Reply r = http_->post("/api/v1/jobengine/jobs", {{"type", "meta.expire"}},
                              metaHeaders("req-meta-expire"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"].get<std::string>();
  ASSERT_EQ(claim("meta.expire", 1, 1).size(), 1u);
  // The sweeper (no request) re-queues the job when its 1 s lease expired.
  const json requeued = waitJob(id, [](const json& j) { return j["status"] == "queued"; });
  ASSERT_EQ(requeued["status"], "queued") << requeued.dump();
  bool found = false;
  for (const auto& e : historyItems(id)) {
    if (e["eventType"] == "job.lease_expired") {
      found = true;
      EXPECT_EQ(e["actor"]["subject"], "system:scheduler") << e.dump();
      EXPECT_FALSE(e["actor"].contains("scopes")) << e.dump();
      EXPECT_FALSE(e.contains("operator")) << e.dump();
      EXPECT_FALSE(e.contains("requestId")) << e.dump();
      EXPECT_FALSE(e.contains("traceId")) << e.dump();
    }
  }
  EXPECT_TRUE(found) << historyItems(id).dump();
}

}  // namespace
}  // namespace jobengine::testing
