// Audit ledger retention on the real binary (real PostgreSQL, real plugins, real HTTP), with
// retention_days = 0.00005 (about 4.3 s) and prune_interval_seconds = 1: entries older than the
// retention stay until a succeeded export covers them; then the leader prunes exactly the
// exported slice (never the head, nothing the export did not hold), records it as an
// audit.pruned entry naming the pruned head, GET /audit/verify walks the retained chain from
// that anchor, a later export starts at the first retained entry and verifies offline with
// `jobengine audit verify`, a tenant with no export keeps every entry, and an anchor edited in the
// database makes GET /audit/verify name the first retained entry as a broken link. Waits are
// bounded polls with generous deadlines; the only sleeps make entries older than the retention or
// put a window's end between two sets of events.
#include <pqxx/pqxx>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>

#include "paging.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"
#include "utc_now.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 0.00005 days = 4.32 s; entries are waited on for longer than that before they are exported.
constexpr auto kOlderThanRetention = std::chrono::milliseconds(6000);

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class AuditRetentionTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() {
    startEngine("audit_retention",
                "[plugins.audit]\nretention_days = 0.00005\nprune_interval_seconds = 1\n");
  }

  // Every entry of the current tenant's ledger: all pages of GET /audit.
  json entries() {
    return allPages([&](const std::string& token) {
      return get("/audit?page_size=500" + (token.empty() ? "" : "&page_token=" + token));
    });
  }
  // Polls the ledger until pred holds or 60 s pass; returns the last listing.
  json waitEntries(const std::function<bool(const json&)>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    json got = entries();
    while (!pred(got) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      got = entries();
    }
    return got;
  }
  static json ofType(const json& items, const std::string& type) {
    json out = json::array();
    for (const auto& e : items) {
      if (e["eventType"] == type) {
        out.push_back(e);
      }
    }
    return out;
  }
  std::string createJob() {
    const Reply r = post("/jobs", {{"type", "ext.audit.retention"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  // A closed window [2000-01-01, now): a second passes before and after its end, so events
  // committed before the call are inside it and the export's own events are not.
  std::string closeWindow() {
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const std::string to = utcNowRfc3339();
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    return to;
  }
  std::string requestExport(const std::string& to) {
    const Reply r = http_->post(
        "/api/v1/jobengine/audit/exports", {{"from", "2000-01-01T00:00:00Z"}, {"to", to}},
        {"Authorization: Bearer " + token(), "X-StellaOps-Tenant: " + tenant_,
         "X-StellaOps-Operator-Reason: retention test"});
    EXPECT_EQ(r.status, 202) << r.body;
    return r.json().value("id", "");
  }
  json waitExport(const std::string& id) {
    return pollUntil(
        [&] {
          const Reply r = get("/audit/exports/" + id);
          EXPECT_EQ(r.status, 200) << r.body;
          return r.json();
        },
        [](const json& state) {
          const std::string status = state.value("status", "");
          return status == "succeeded" || status == "failed";
        },
        std::chrono::seconds(120));
  }
  json verify() {
    const Reply r = get("/audit/verify");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  double metric(const std::string& name) { return metricValue(http_->get("/metrics").body, name); }
};

TEST_F(AuditRetentionTest, ExportedOldEntriesArePrunedBehindAnAnchorAndTheChainStillVerifies) {
  // Tenant b: old entries, never exported.
  tenant_ = "retention-kept";
  createJob();
  createJob();
  ASSERT_GE(waitEntries([](const json& e) { return e.size() >= 2; }).size(), 2U);

  // Tenant a: old entries, then an export of them.
  tenant_ = "retention-pruned";
  createJob();
  createJob();
  createJob();
  const json before = waitEntries([](const json& e) { return e.size() >= 3; });
  ASSERT_GE(before.size(), 3U) << before.dump();
  std::this_thread::sleep_for(kOlderThanRetention);
  // Older than the retention, pruning due every second, but no export covers them: kept.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  json listed = entries();
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed[0]["position"], 1) << "pruned without an export: " << listed[0].dump();
  EXPECT_FALSE(verify().contains("anchor"));

  const std::string to = closeWindow();
  const json window = entries();
  // Nothing happened in this tenant since its jobs were created: the window holds it all.
  ASSERT_FALSE(window.empty());
  const int64_t covered_last = window.back()["position"].get<int64_t>();
  const std::string covered_hash = window.back()["hash"].get<std::string>();
  ASSERT_GE(covered_last, 3) << window.dump();
  // Two more jobs after the window's end: as old as the rest when the export succeeds, but in
  // no bundle, so they must stay.
  createJob();
  createJob();
  ASSERT_GE(waitEntries([&](const json& e) {
              return !e.empty() && e.back()["position"].get<int64_t>() >= covered_last + 2;
            }).size(),
            static_cast<std::size_t>(covered_last + 2));
  std::this_thread::sleep_for(kOlderThanRetention);  // every entry so far is old when exported
  const double pruned_before = metric("jobengine_audit_pruned_entries_total");

  const std::string id = requestExport(to);
  ASSERT_FALSE(id.empty());
  const json done = waitExport(id);
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["progress"]["entriesDone"], covered_last) << done.dump();
  EXPECT_EQ(done["bundle"]["positions"], (json{{"first", 1}, {"last", covered_last}}))
      << done.dump();

  // The leader prunes exactly the exported slice and records it in the chain.
  const json after = waitEntries([](const json& e) { return !ofType(e, "audit.pruned").empty(); });
  const json pruned = ofType(after, "audit.pruned");
  ASSERT_EQ(pruned.size(), 1U) << after.dump();
  const json& data = pruned[0]["event"]["data"];
  EXPECT_EQ(data["prunedFrom"], 1) << data.dump();
  EXPECT_EQ(data["prunedThrough"], covered_last) << data.dump();
  EXPECT_EQ(data["prunedHead"], covered_hash) << data.dump();
  EXPECT_EQ(data["entries"], covered_last) << data.dump();
  EXPECT_EQ(data["exportIds"], json::array({id})) << data.dump();
  EXPECT_TRUE(data["cutoff"].is_string()) << data.dump();
  EXPECT_EQ(pruned[0]["actor"]["subject"], "system:audit") << pruned[0].dump();
  // GET /audit lists the retained entries only: from the one after the pruned head, unbroken
  // (the old job.created entries after the window, and the export's own events, are kept).
  ASSERT_GE(after.size(), 2U);
  EXPECT_EQ(after[0]["position"], covered_last + 1) << after[0].dump();
  EXPECT_EQ(after[0]["prevHash"], covered_hash) << after[0].dump();
  EXPECT_EQ(after[0]["eventType"], "job.created") << after[0].dump();
  EXPECT_EQ(after[1]["eventType"], "job.created") << after[1].dump();
  for (std::size_t i = 1; i < after.size(); ++i) {
    EXPECT_EQ(after[i]["position"], after[i - 1]["position"].get<int64_t>() + 1);
  }
  EXPECT_GE(metric("jobengine_audit_pruned_entries_total"),
            pruned_before + static_cast<double>(covered_last));

  // The retained chain verifies from its anchor; length is still the head's position.
  const json verified = verify();
  EXPECT_EQ(verified["valid"], true) << verified.dump();
  EXPECT_EQ(verified["anchor"], (json{{"position", covered_last}, {"hash", covered_hash}}))
      << verified.dump();
  EXPECT_GE(verified["length"], after.back()["position"]) << verified.dump();

  // The tenant without an export kept everything, though its entries are as old.
  tenant_ = "retention-kept";
  listed = entries();
  ASSERT_GE(listed.size(), 2U);
  EXPECT_EQ(listed[0]["position"], 1) << listed[0].dump();
  EXPECT_TRUE(ofType(listed, "audit.pruned").empty()) << listed.dump();
  EXPECT_FALSE(verify().contains("anchor"));
  EXPECT_EQ(verify()["valid"], true);

  // A later window that reaches back over the pruned entries starts at the first retained one,
  // and its bundle verifies offline.
  tenant_ = "retention-pruned";
  const std::string to2 = closeWindow();
  const std::string id2 = requestExport(to2);
  const json done2 = waitExport(id2);
  ASSERT_EQ(done2["status"], "succeeded") << done2.dump();
  const Reply bundle = get("/audit/exports/" + id2 + "/bundle");
  ASSERT_EQ(bundle.status, 200) << bundle.body.substr(0, 500);
  const std::string dir = engine_->dir() + "/retention-test";
  fs::create_directories(dir);
  writeFile(dir + "/later.tar", bundle.body);
  const Reply keys = get("/audit/keys");
  ASSERT_EQ(keys.status, 200) << keys.body;
  writeFile(dir + "/signer.pub", keys.json()["keys"][0]["publicKeyPem"].get<std::string>());
  const CommandResult checked =
      engine_->run({"audit", "verify", dir + "/later.tar", "--public-key", dir + "/signer.pub"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("(positions " + std::to_string(covered_last + 1) + ".."),
            std::string::npos)
      << checked.out;

  // That export covers the retained entries up to the first audit.pruned one: once they are
  // old, they are pruned too (that record included: the bundle holds it), behind a new
  // audit.pruned entry, and the chain still verifies from the moved anchor.
  const auto second_pruning = [covered_last](const json& items) {
    for (const auto& e : ofType(items, "audit.pruned")) {
      if (e["event"]["data"]["prunedFrom"] == covered_last + 1) {
        return e;
      }
    }
    return json();
  };
  const json later = waitEntries([&](const json& e) { return !second_pruning(e).is_null(); });
  const json second = second_pruning(later);
  ASSERT_FALSE(second.is_null()) << later.dump();
  const json& data2 = second["event"]["data"];
  EXPECT_EQ(data2["exportIds"], json::array({id2})) << data2.dump();
  EXPECT_GE(data2["prunedThrough"].get<int64_t>(), covered_last + 1) << data2.dump();
  EXPECT_GE(later[0]["position"].get<int64_t>(), data2["prunedThrough"].get<int64_t>() + 1)
      << later.dump();
  // Once every entry of that export is old, the anchor is its last one exactly (what follows is
  // in no bundle), and the chain verifies from it.
  const int64_t slice2_last = covered_last + done2["progress"]["entriesDone"].get<int64_t>();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  json verified2 = verify();
  while (verified2["anchor"]["position"] != slice2_last &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    verified2 = verify();
  }
  EXPECT_EQ(verified2["valid"], true) << verified2.dump();
  EXPECT_EQ(verified2["anchor"]["position"], slice2_last) << verified2.dump();

  // An anchor edited in the database no longer leads to the first retained entry.
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    n.exec(
        "UPDATE audit.chain_anchors SET hash = 'sha256:' || repeat('1', 64) "
        "WHERE tenant_id = 'retention-pruned'");
  }
  const json broken = verify();
  EXPECT_EQ(broken["valid"], false) << broken.dump();
  EXPECT_EQ(broken["firstBroken"]["kind"], "broken_link") << broken.dump();
  EXPECT_EQ(broken["firstBroken"]["position"], slice2_last + 1) << broken.dump();
}

}  // namespace
}  // namespace jobengine::testing
