// Runs (DAGs) on the real binary: submission with dependencies, the stored plan, DAG order
// enforced by claims, run status derived from its jobs, cycles refused with 422 naming the
// cycle, cascade cancel of descendants when a parent fails, and run cancel.
#include <map>
#include <set>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class SchedulerRunsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("sched_runs"); }

  // key -> job id of a run creation answer.
  static std::map<std::string, std::string> ids(const json& created) {
    std::map<std::string, std::string> out;
    for (const auto& j : created["jobs"]) {
      out[j["key"].get<std::string>()] = j["id"].get<std::string>();
    }
    return out;
  }
  std::set<std::string> claimAll(const std::string& type, size_t want) {
    std::set<std::string> out;
    for (const auto& g : claim(type, 10, 30, want)) {
      out.insert(g["jobId"].get<std::string>());
      leases_[g["jobId"].get<std::string>()] = g["leaseId"].get<std::string>();
    }
    return out;
  }
  Reply complete(const std::string& id, const json& extra = {{"status", "succeeded"}}) {
    json body = extra;
    body["leaseId"] = leases_[id];
    return post("/worker/jobs/" + id + "/complete", body);
  }
  std::map<std::string, std::string> leases_;
};

TEST_F(SchedulerRunsTest, DiamondRunsInDagOrderAndSucceeds) {
  const Reply created = post(
      "/runs",
      {{"jobs",
        {{{"key", "a"}, {"type", "ext.dag"}},
         {{"key", "b"}, {"type", "ext.dag"}, {"dependsOn", {"a"}}},
         {{"key", "c"}, {"type", "ext.dag"}, {"dependsOn", {"a"}}},
         {{"key", "d"}, {"type", "ext.dag"}}}},
       {"dependencies", {{{"parent", "b"}, {"child", "d"}}, {{"parent", "c"}, {"child", "d"}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string run_id = created.json()["run"]["id"].get<std::string>();
  auto id = ids(created.json());
  EXPECT_EQ(created.json()["run"]["status"], "queued");

  const Reply plan = get("/runs/" + run_id + "/plan");
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(plan.json()["order"], json({"a", "b", "c", "d"}));
  EXPECT_EQ(plan.json()["depth"]["d"], 2);
  EXPECT_EQ(plan.json()["criticalPath"].size(), 3u);
  EXPECT_EQ(plan.json()["jobs"]["b"]["status"], "pending");

  EXPECT_EQ(claimAll("ext.dag", 1), (std::set<std::string>{id["a"]}));
  EXPECT_EQ(get("/runs/" + run_id).json()["status"], "running");
  ASSERT_EQ(complete(id["a"]).status, 200);
  EXPECT_EQ(claimAll("ext.dag", 2), (std::set<std::string>{id["b"], id["c"]}));
  ASSERT_EQ(complete(id["b"]).status, 200);
  EXPECT_EQ(job(id["d"])["status"], "pending");
  ASSERT_EQ(complete(id["c"]).status, 200);
  EXPECT_EQ(claimAll("ext.dag", 1), (std::set<std::string>{id["d"]}));
  ASSERT_EQ(complete(id["d"]).status, 200);

  const json run = get("/runs/" + run_id).json();
  EXPECT_EQ(run["status"], "succeeded") << run.dump();
  EXPECT_EQ(run["counts"]["succeeded"], 4);
  EXPECT_EQ(run["jobs"].size(), 4u);
  const Reply list = get("/runs?status=succeeded");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["items"][0]["id"], run_id);
}

TEST_F(SchedulerRunsTest, CycleIsRefusedNamingIt) {
  const Reply r = post("/runs", {{"jobs",
                                  {{{"key", "a"}, {"type", "ext.cyc"}, {"dependsOn", {"b"}}},
                                   {{"key", "b"}, {"type", "ext.cyc"}, {"dependsOn", {"a"}}}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "DAG_CYCLE");
  EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("a -> b -> a"), std::string::npos)
      << r.body;
  EXPECT_EQ(get("/jobs?type=ext.cyc").json()["items"].size(), 0u);
}

TEST_F(SchedulerRunsTest, FailedParentCascadeCancelsDescendants) {
  const Reply created =
      post("/runs", {{"jobs",
                      {{{"key", "a"}, {"type", "ext.casc"}, {"maxAttempts", 1}},
                       {{"key", "b"}, {"type", "ext.casc"}, {"dependsOn", {"a"}}},
                       {{"key", "c"}, {"type", "ext.casc"}, {"dependsOn", {"b"}}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto id = ids(created.json());
  const std::string run_id = created.json()["run"]["id"].get<std::string>();
  ASSERT_EQ(claimAll("ext.casc", 1), (std::set<std::string>{id["a"]}));
  const Reply r =
      complete(id["a"], {{"status", "failed"}, {"error", {{"code", "BOOM"}, {"message", "x"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* k : {"b", "c"}) {
    const json j = job(id[k]);
    EXPECT_EQ(j["status"], "canceled") << k;
    EXPECT_EQ(j["reason"], "upstream_failed") << k;
  }
  EXPECT_EQ(get("/runs/" + run_id).json()["status"], "failed");
}

TEST_F(SchedulerRunsTest, RunCancelCancelsEveryOpenJob) {
  const Reply created =
      post("/runs", {{"jobs",
                      {{{"key", "x"}, {"type", "ext.rc"}},
                       {{"key", "y"}, {"type", "ext.rc"}, {"dependsOn", {"x"}}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string run_id = created.json()["run"]["id"].get<std::string>();
  const Reply r = post("/runs/" + run_id + "/cancel", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "canceled") << r.body;
  const json canceled = r.json();
  for (const auto& j : canceled["jobs"]) {
    EXPECT_EQ(j["status"], "canceled");
  }
  EXPECT_EQ(post("/runs/" + run_id + "/cancel", json::object()).status, 200);
  EXPECT_EQ(get("/runs/0190b1a2-0000-7000-8000-000000000000").status, 404);
}

}  // namespace
}  // namespace jobengine::testing
