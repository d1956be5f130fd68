// Retention of terminal jobs, their history and events (SPEC §9, issue 16) on the real binary
// (real PostgreSQL, real plugins, real HTTP and streams), with retention_days = 1 for the host's
// outbox and the scheduler's jobs and a pruning interval of one second. "Old" jobs are made by
// backdating rows in the database (finished_at, the outbox's occurred_at): the test touches the
// database directly, the engine does not know.
//
// Without the audit plugin: old terminal jobs, their DAG edges, artifact records and events are
// pruned; queued and recent terminal jobs, and an open stream, are unaffected; a resume from a
// pruned position answers 410 POSITION_PRUNED naming the oldest available position (GET
// /events, SSE Last-Event-ID, WebSocket ?after=); the pruned rows are counted in
// jobengine_retention_pruned_rows_total.
// With the audit plugin: nothing is pruned until an export covering it succeeded, then it is.
// Waits are bounded polls; the one fixed wait gives the pruner several rounds to (wrongly)
// prune what the audit guard must hold back.
#include <pqxx/pqxx>

#include <algorithm>
#include <ctime>

#include "dev_token.hpp"
#include "paging.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"
#include "stream_client.hpp"
#include "utc_now.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

constexpr const char* kStreamPath = "/api/v1/jobengine/stream";
constexpr const char* kWsPath = "/api/v1/jobengine/ws";
constexpr const char* kRetentionToml =
    "retention_days = 1\nretention_interval_seconds = 1\n"
    "[retention]\ndays = 1\ninterval_seconds = 1\n";

class RetentionFixture : public SchedulerTest {
 protected:
  void sql(const std::string& statement) {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    n.exec(statement);
  }
  std::string createJob(const std::string& type) {
    const Reply r = post("/jobs", {{"type", type}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  // Makes jobs terminal (canceled) and finished ten days ago, with their events as old.
  void makeOld(const std::vector<std::string>& ids) {
    std::string list;
    for (const auto& id : ids) {
      list += (list.empty() ? "'" : ",'") + id + "'";
    }
    sql("UPDATE scheduler.jobs SET status = 'canceled', finished_at = now() - interval '10 days' "
        "WHERE tenant_id = '" +
        tenant_ + "' AND id IN (" + list + ")");
    sql("UPDATE jobengine.events SET occurred_at = now() - interval '10 days' WHERE tenant_id = '" +
        tenant_ + "' AND job_id IN (" + list + ")");
  }
  // Every event of the tenant (GET /events from the start, all pages).
  json events() {
    return allPages(
        [&](const std::string& token) {
          return get("/events?page_size=500" + (token.empty() ? "" : "&page_token=" + token));
        },
        100);
  }
  static bool hasJobEvent(const json& events, const std::string& job_id) {
    for (const auto& e : events) {
      if (e.contains("job") && e["job"].is_object() && e["job"].value("id", "") == job_id) {
        return true;
      }
    }
    return false;
  }
  long jobStatus(const std::string& id) { return get("/jobs/" + id).status; }
  bool waitGone(const std::string& id) {
    return pollUntil([&] { return jobStatus(id); }, [](long s) { return s == 404; },
                     std::chrono::seconds(60)) == 404;
  }
  std::string bearer() const { return "Authorization: Bearer " + token(); }
};

class RetentionTest : public RetentionFixture {
 protected:
  static void SetUpTestSuite() {
    startEngine("retention", std::string(kRetentionToml) + "[plugins.audit]\nenabled = false\n");
  }
};

TEST_F(RetentionTest, OldTerminalJobsAndTheirEventsArePrunedLiveOnesAndStreamsAreNot) {
  tenant_ = "retention-a";
  // Old jobs first, so their events form the oldest part of the tenant's outbox; one of them
  // is a run's DAG (parent -> child) with an artifact record.
  const std::string old1 = createJob("ext.retention");
  const std::string old2 = createJob("ext.retention");
  const Reply run =
      post("/runs", {{"jobs",
                      {{{"key", "a"}, {"type", "ext.retention"}},
                       {{"key", "b"}, {"type", "ext.retention"}, {"dependsOn", {"a"}}}}}});
  ASSERT_EQ(run.status, 201) << run.body;
  const json run_body = run.json();
  const std::string run_id = run_body["run"]["id"].get<std::string>();
  std::vector<std::string> run_jobs;
  for (const auto& j : run_body["jobs"]) {
    run_jobs.push_back(j["id"].get<std::string>());
  }
  ASSERT_EQ(run_jobs.size(), 2U) << run_body.dump();
  sql("INSERT INTO scheduler.artifacts (tenant_id, id, job_id, run_id, uri, digest) VALUES ('" +
      tenant_ + "', gen_random_uuid(), '" + run_jobs[0] + "', '" + run_id +
      "', 'file:///a', 'sha256:00')");
  sql("UPDATE scheduler.runs SET status = 'canceled', finished_at = now() - interval '10 days' "
      "WHERE tenant_id = '" +
      tenant_ + "' AND id = '" + run_id + "'");
  std::vector<std::string> old = {old1, old2, run_jobs[0], run_jobs[1]};
  const json before = events();
  ASSERT_FALSE(before.empty());
  const int64_t oldest_seq = before[0]["seq"].get<int64_t>();
  makeOld(old);
  sql("UPDATE jobengine.events SET occurred_at = now() - interval '10 days' WHERE tenant_id = '" +
      tenant_ + "' AND run_id = '" + run_id + "'");

  // Live and recent jobs after them: a queued one and one that finished just now.
  const std::string live = createJob("ext.retention");
  const std::string recent = createJob("ext.retention");
  sql("UPDATE scheduler.jobs SET status = 'canceled', finished_at = now() WHERE tenant_id = '" +
      tenant_ + "' AND id = '" + recent + "'");
  // A stream open while pruning happens.
  StreamConnection stream(engine_->streamPort(), std::string(kStreamPath) + "?types=job.*",
                          {bearer(), "X-StellaOps-Tenant: " + tenant_});
  ASSERT_EQ(stream.status(), 200);

  for (const auto& id : old) {
    EXPECT_TRUE(waitGone(id)) << "old job " << id << " was not pruned";
  }
  EXPECT_EQ(get("/runs/" + run_id).status, 404);
  const json after =
      pollUntil([&] { return events(); },
                [&](const json& e) {
                  return std::none_of(old.begin(), old.end(),
                                      [&](const std::string& id) { return hasJobEvent(e, id); });
                },
                std::chrono::seconds(60));
  for (const auto& id : old) {
    EXPECT_FALSE(hasJobEvent(after, id)) << "events of " << id << " were not pruned";
  }
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    EXPECT_EQ(
        n.exec("SELECT count(*) FROM scheduler.dag_edges WHERE tenant_id = '" + tenant_ + "'")[0][0]
            .as<int64_t>(),
        0);
    EXPECT_EQ(
        n.exec("SELECT count(*) FROM scheduler.artifacts WHERE tenant_id = '" + tenant_ + "'")[0][0]
            .as<int64_t>(),
        0);
  }

  // Live and recent jobs, and their history, are untouched.
  EXPECT_EQ(jobStatus(live), 200);
  EXPECT_EQ(job(live)["status"], "queued");
  EXPECT_EQ(jobStatus(recent), 200);
  EXPECT_TRUE(hasJobEvent(after, live)) << after.dump();
  EXPECT_TRUE(hasJobEvent(after, recent)) << after.dump();
  EXPECT_EQ(get("/jobs/" + live + "/history").status, 200);

  // The open stream goes on: a new job's event arrives.
  const std::string later = createJob("ext.retention");
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    const auto e = stream.nextSse();
    if (!e) {
      break;
    }
    seen = e->data.find(later) != std::string::npos;
  }
  EXPECT_TRUE(seen) << "the open stream did not deliver the new job's event";

  // A resume from a pruned position: 410 naming where to resume.
  const Reply gone = get("/events?after=" + std::to_string(oldest_seq));
  ASSERT_EQ(gone.status, 410) << gone.body;
  const json err = gone.json()["error"];
  EXPECT_EQ(err["code"], "POSITION_PRUNED") << gone.body;
  const int64_t through = err["details"]["prunedThrough"].get<int64_t>();
  EXPECT_GE(through, oldest_seq);
  EXPECT_NE(err["message"].get<std::string>().find("oldest available position is after=" +
                                                   std::to_string(through)),
            std::string::npos)
      << gone.body;
  EXPECT_EQ(get("/events?after=" + std::to_string(through)).status, 200);
  EXPECT_EQ(get("/events?after=0").status, 200);  // 0: from the oldest retained event

  StreamConnection sse(
      engine_->streamPort(), kStreamPath,
      {bearer(), "X-StellaOps-Tenant: " + tenant_, "Last-Event-ID: " + std::to_string(oldest_seq)});
  EXPECT_EQ(sse.status(), 410);
  EXPECT_NE(sse.readBody().find("POSITION_PRUNED"), std::string::npos);
  StreamConnection ws(engine_->streamPort(),
                      std::string(kWsPath) + "?after=" + std::to_string(oldest_seq),
                      {bearer(), "X-StellaOps-Tenant: " + tenant_}, true);
  EXPECT_EQ(ws.status(), 410);
  StreamConnection resumed(
      engine_->streamPort(), kStreamPath,
      {bearer(), "X-StellaOps-Tenant: " + tenant_, "Last-Event-ID: " + std::to_string(through)});
  EXPECT_EQ(resumed.status(), 200);

  const std::string metrics = http_->get("/metrics").body;
  EXPECT_GE(
      metricValue(metrics,
                  "jobengine_retention_pruned_rows_total{owner=\"scheduler\",table=\"scheduler."
                  "jobs\"}"),
      4.0)
      << metrics;
  EXPECT_GE(metricValue(metrics,
                        "jobengine_retention_pruned_rows_total{owner=\"host\",table=\"jobengine."
                        "events\"}"),
            4.0);
}

class RetentionAuditTest : public RetentionFixture {
 protected:
  static void SetUpTestSuite() { startEngine("retention_audit", kRetentionToml); }
};

TEST_F(RetentionAuditTest, NothingIsPrunedBeforeAnExportCoveringItSucceeded) {
  tenant_ = "retention-audited";
  const std::string old1 = createJob("ext.retention");
  const std::string old2 = createJob("ext.retention");
  // Wait until the ledger chained them (GET /audit lists their entries).
  const json chained =
      pollUntil([&] { return get("/audit?page_size=100").json(); },
                [](const json& b) { return b.contains("items") && b["items"].size() >= 2; },
                std::chrono::seconds(60));
  ASSERT_GE(chained["items"].size(), 2U) << chained.dump();
  makeOld({old1, old2});

  // Several pruning rounds (one a second) pass; no export covers the jobs: they stay.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(jobStatus(old1), 200);
  EXPECT_EQ(jobStatus(old2), 200);
  EXPECT_TRUE(hasJobEvent(events(), old1));

  // An export of everything so far succeeds; then they are pruned.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string to = utcNowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Reply r = http_->post("/api/v1/jobengine/audit/exports",
                              {{"from", "2000-01-01T00:00:00Z"}, {"to", to}}, headers());
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.json().value("id", "");
  const json done =
      pollUntil([&] { return get("/audit/exports/" + id).json(); },
                [](const json& s) {
                  return s.value("status", "") == "succeeded" || s.value("status", "") == "failed";
                },
                std::chrono::seconds(120));
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_TRUE(waitGone(old1));
  EXPECT_TRUE(waitGone(old2));
  const json after =
      pollUntil([&] { return events(); }, [&](const json& e) { return !hasJobEvent(e, old1); },
                std::chrono::seconds(60));
  EXPECT_FALSE(hasJobEvent(after, old1));
  EXPECT_FALSE(hasJobEvent(after, old2));
}

}  // namespace
}  // namespace jobengine::testing
