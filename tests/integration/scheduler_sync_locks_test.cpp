// Lock keys on the real engine (je.sources, issue 15; plugins/scheduler/README.md "Sync DAGs
// and lock keys"): syncs of the sources sharing a lockKey never overlap. A second manual sync
// or trigger is 409 SYNC_IN_PROGRESS naming the active run, a backfill is refused while a
// sync is active and chains its own windows (each waits for the previous one), lockKey is
// validated and cleared with null, and a source without one keeps the old behaviour.
// Kind "example": no plugin registers example.fetch, so sync jobs stay queued (active).
#include <gtest/gtest.h>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

class SyncLocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("sync_locks");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& extra = {}) {
    auto h = ops_->headers("t1", extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
  std::string createSource(const nlohmann::json& body) {
    const Reply created = call("POST", "/sources", body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.json()["id"].get<std::string>() : "";
  }
};
OpsEngine* SyncLocksTest::ops_ = nullptr;

TEST_F(SyncLocksTest, SourcesSharingALockKeyNeverSyncAtOnce) {
  const std::string a =
      createSource({{"name", "example:a"}, {"kind", "example"}, {"lockKey", "example:shared"}});
  const std::string b =
      createSource({{"name", "example:b"}, {"kind", "example"}, {"lockKey", "example:shared"}});
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(call("GET", "/sources/" + a).json()["lockKey"], "example:shared");

  const Reply first = call("POST", "/sources/" + a + "/sync", "{}");
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string run_id = first.json()["runId"];
  for (const std::string& id : {a, b}) {
    const Reply busy = call("POST", "/sources/" + id + "/sync", "{}");
    EXPECT_EQ(busy.status, 409) << busy.body;
    EXPECT_EQ(busy.json()["error"]["code"], "SYNC_IN_PROGRESS") << busy.body;
    EXPECT_EQ(busy.json()["error"]["details"]["runId"], run_id) << busy.body;
    EXPECT_NE(busy.json()["error"]["message"].get<std::string>().find("example:shared"),
              std::string::npos);
  }
  // Only the first sync's run exists for the key.
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.runs WHERE source_id IN ('" + a +
                          "', '" + b + "')) = 1"));

  // Once the run is over, the other source may sync.
  const Reply canceled = call("POST", "/runs/" + run_id + "/cancel", "{}");
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  const Reply next = call("POST", "/sources/" + b + "/sync", "{}");
  EXPECT_EQ(next.status, 202) << next.body;
}

TEST_F(SyncLocksTest, ASourceWithoutLockKeySyncsAsOftenAsAsked) {
  const std::string id = createSource({{"name", "example:free"}, {"kind", "example"}});
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(call("GET", "/sources/" + id).json()["lockKey"].is_null());
  EXPECT_EQ(call("POST", "/sources/" + id + "/sync", "{}").status, 202);
  EXPECT_EQ(call("POST", "/sources/" + id + "/sync", "{}").status, 202);
}

TEST_F(SyncLocksTest, ABackfillChainsItsWindowsAndWaitsForNoOne) {
  const std::string id =
      createSource({{"name", "example:bf"}, {"kind", "example"}, {"lockKey", "example:bf"}});
  ASSERT_FALSE(id.empty());
  const std::vector<std::string> operator_headers = {"X-StellaOps-Operator-Reason: re-ingest",
                                                     "X-StellaOps-Operator-Ticket: OPS-1"};
  const nlohmann::json body = {{"sourceId", id},
                               {"from", "2026-01-01T00:00:00Z"},
                               {"to", "2026-01-01T03:00:00Z"},
                               {"windowMinutes", 60}};
  const Reply created = call("POST", "/backfills", body.dump(), operator_headers);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string backfill = created.json()["id"];
  // Three windows: the first window's job is queued, each later one waits for the one before.
  EXPECT_TRUE(ops_->holds(
      "(SELECT array_agg(j.status || ':' || j.parents_pending ORDER BY r.window_from) FROM "
      "scheduler.runs r JOIN scheduler.jobs j ON j.run_id = r.id WHERE r.backfill_id = '" +
      backfill + "') = ARRAY['queued:0', 'pending:1', 'pending:1']"));
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(*) FROM scheduler.dag_edges e JOIN scheduler.jobs c ON c.id = e.child_id "
      "JOIN scheduler.runs r ON r.id = c.run_id WHERE r.backfill_id = '" +
      backfill + "') = 2"));

  // While it runs, a manual sync and a second backfill of the key are refused.
  const Reply sync = call("POST", "/sources/" + id + "/sync", "{}");
  EXPECT_EQ(sync.status, 409) << sync.body;
  EXPECT_EQ(sync.json()["error"]["code"], "SYNC_IN_PROGRESS");
  nlohmann::json later = body;
  later["from"] = "2026-02-01T00:00:00Z";
  later["to"] = "2026-02-01T01:00:00Z";
  const Reply second = call("POST", "/backfills", later.dump(), operator_headers);
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(second.json()["error"]["code"], "SYNC_IN_PROGRESS");

  // Canceling the backfill cancels every window; the key is free again.
  const Reply canceled = call("POST", "/backfills/" + backfill + "/cancel", "{}", operator_headers);
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(call("POST", "/sources/" + id + "/sync", "{}").status, 202);
}

TEST_F(SyncLocksTest, LockKeyIsValidatedAndClearedWithNull) {
  const Reply bad =
      call("POST", "/sources", R"({"name":"example:bad","kind":"example","lockKey":"Not A Key"})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  // The OpenAPI request validator refuses it before the route (the route checks the same).
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "$.lockKey") << bad.body;

  const std::string id =
      createSource({{"name", "example:clear"}, {"kind", "example"}, {"lockKey", "example:c"}});
  ASSERT_FALSE(id.empty());
  const Reply cleared = call("PATCH", "/sources/" + id, R"({"lockKey":null})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json()["lockKey"].is_null());
  EXPECT_EQ(call("POST", "/sources/" + id + "/sync", "{}").status, 202);
  EXPECT_EQ(call("POST", "/sources/" + id + "/sync", "{}").status, 202);
}

}  // namespace
}  // namespace jobengine::testing
