// The audit ledger on the real binary (real PostgreSQL, real plugins, real HTTP): a control
// action through the API (cancel with reason and ticket) becomes an entry with its actor,
// reason and ticket; GET /audit filters and pages in position order and shows a tenant only
// its own chain; GET /audit/verify answers valid, and names the entry a superuser edited in the
// database; events committed while no engine runs are chained after a restart, and events
// committed while a replica is killed are chained by the one left, without gaps or duplicates.
// Waits are bounded polls (the appender works within ~200 ms of a commit).
#include <pqxx/pqxx>

#include <set>

#include "outbox_writer.hpp"
#include "paging.hpp"
#include "replicas.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class AuditLedgerTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("audit_ledger"); }

  // Every entry of the current tenant's ledger matching query: all pages of GET /audit.
  json entries(const std::string& query = "") {
    const std::string sep = query.find('?') == std::string::npos ? "?" : "&";
    return allPages([&](const std::string& token) {
      return get("/audit" + query + (token.empty() ? "" : sep + "page_token=" + token));
    });
  }
  // Polls GET /audit<query> until it holds at least n entries or 30 s pass.
  json waitEntries(const std::string& query, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json got = entries(query);
    while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      got = entries(query);
    }
    return got;
  }
  std::string createJob(const std::string& type) {
    const Reply r = post("/jobs", {{"type", type}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<std::string>();
  }
};

TEST_F(AuditLedgerTest, ACancelThroughTheApiBecomesAnEntryWithActorReasonAndTicket) {
  tenant_ = "audit-cancel";
  const std::string id = createJob("ext.audit");
  const Reply canceled = http_->post(
      "/api/v1/jobengine/jobs/" + id + "/cancel", json::object(),
      {"Authorization: Bearer " + token(), "X-StellaOps-Tenant: " + tenant_,
       "X-StellaOps-Operator-Reason: stuck upstream", "X-StellaOps-Operator-Ticket: OPS-4242"});
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  const json found = waitEntries("?action=job.canceled&subject=job:" + id, 1);
  ASSERT_EQ(found.size(), 1U) << found.dump();
  const json& e = found[0];
  EXPECT_EQ(e["tenantId"], tenant_);
  EXPECT_EQ(e["eventType"], "job.canceled");
  EXPECT_EQ(e["actor"]["subject"], "dev-operator") << e.dump();
  EXPECT_EQ(e["operator"]["reason"], "stuck upstream") << e.dump();
  EXPECT_EQ(e["operator"]["ticket"], "OPS-4242") << e.dump();
  EXPECT_EQ(e["subject"], (json{{"kind", "job"}, {"id", id}}));
  EXPECT_EQ(e["event"]["job"]["id"], id);
  EXPECT_EQ(e["hash"].get<std::string>().rfind("sha256:", 0), 0U);
  // The job's creation came first in the same chain, one position before or earlier.
  const json created = waitEntries("?action=job.created&subject=" + id, 1);
  ASSERT_EQ(created.size(), 1U);
  EXPECT_LT(created[0]["position"].get<int64_t>(), e["position"].get<int64_t>());
  EXPECT_EQ(created[0]["operator"]["reason"], "integration test");
}

TEST_F(AuditLedgerTest, FiltersAndPagesInPositionOrderAndRefusesBadFilters) {
  tenant_ = "audit-filters";
  for (int i = 0; i < 5; ++i) {
    createJob("ext.audit.filter");
  }
  const json all = waitEntries("?action=job.created", 5);
  ASSERT_EQ(all.size(), 5U) << all.dump();
  // Pages of two: every entry once, positions strictly increasing.
  const Reply first = get("/audit?action=job.*&page_size=2");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["items"].size(), 2U);
  ASSERT_TRUE(first.json().contains("nextPageToken"));
  const json paged = entries("?action=job.*&page_size=2");
  ASSERT_GE(paged.size(), 5U);
  for (std::size_t i = 0; i < paged.size(); ++i) {
    EXPECT_EQ(paged[i]["eventType"].get<std::string>().rfind("job.", 0), 0U) << paged[i].dump();
    if (i > 0) {
      EXPECT_GT(paged[i]["position"].get<int64_t>(), paged[i - 1]["position"].get<int64_t>());
    }
  }
  EXPECT_EQ(entries("?actor=dev-operator&action=job.created").size(), 5U);
  EXPECT_TRUE(entries("?actor=somebody-else").empty());
  EXPECT_TRUE(entries("?from=2200-01-01T00:00:00Z").empty());
  EXPECT_TRUE(entries("?to=2000-01-01T00:00:00Z").empty());
  EXPECT_EQ(entries("?from=2000-01-01T00:00:00Z&action=job.created").size(), 5U);
  const std::string id = all[2]["subject"]["id"].get<std::string>();
  const json one = entries("?subject=job:" + id);
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0]["position"], all[2]["position"]);

  // A page token is bound to its filters.
  const Reply other = get("/audit?action=job.created&page_token=" +
                          first.json()["nextPageToken"].get<std::string>());
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(other.json()["error"]["code"], "INVALID_PAGE_TOKEN");
  // Bad filters: 422 naming the field.
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"from=yesterday", "from"},
           {"to=2026-12-06T10:00:00Z&from=2026-12-06T11:00:00Z", "to"},
           {"action=Job.Created", "action"},
           {"subject=Job:1", "subject"},
           {"actor=", "actor"}}) {
    const Reply bad = get("/audit?" + query);
    EXPECT_EQ(bad.status, 422) << query << " " << bad.body;
    EXPECT_EQ(bad.json()["error"]["code"], "VALIDATION_FAILED") << bad.body;
    EXPECT_EQ(bad.json()["error"]["details"]["field"], field) << bad.body;
  }
  EXPECT_EQ(get("/audit?page_size=0").status, 400);
}

TEST_F(AuditLedgerTest, ATenantSeesNothingOfAnotherTenantsChain) {
  tenant_ = "audit-owner";
  const std::string id = createJob("ext.audit.private");
  ASSERT_EQ(waitEntries("?subject=job:" + id, 1).size(), 1U);
  tenant_ = "audit-stranger";
  EXPECT_TRUE(entries().empty());
  EXPECT_TRUE(entries("?subject=job:" + id).empty());
  const Reply verify = get("/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json(),
            (json{{"valid", true}, {"length", 0}, {"head", "sha256:" + std::string(64, '0')}}));
}

TEST_F(AuditLedgerTest, VerifyIsValidThenNamesTheEntryEditedInTheDatabase) {
  tenant_ = "audit-tamper";
  for (int i = 0; i < 3; ++i) {
    createJob("ext.audit.tamper");
  }
  const json all = waitEntries("", 3);
  ASSERT_EQ(all.size(), 3U);
  Reply verify = get("/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json()["valid"], true) << verify.body;
  EXPECT_EQ(verify.json()["length"], 3);
  EXPECT_EQ(verify.json()["head"], all[2]["hash"]);
  EXPECT_FALSE(verify.json().contains("firstBroken"));

  // A superuser rewrites the second entry's event type in place.
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(
        "UPDATE audit.entries SET entry = replace(entry, '\"job.created\"', '\"job.forged\"') "
        "WHERE tenant_id = 'audit-tamper' AND position = 2");
    ASSERT_EQ(r.affected_rows(), 1);
  }
  verify = get("/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.body;
  const json v = verify.json();
  EXPECT_EQ(v["valid"], false) << v.dump();
  EXPECT_EQ(v["length"], 1) << v.dump();
  EXPECT_EQ(v["head"], all[0]["hash"]);
  EXPECT_EQ(v["firstBroken"]["position"], 2) << v.dump();
  EXPECT_EQ(v["firstBroken"]["kind"], "changed") << v.dump();
  EXPECT_EQ(v["firstBroken"]["found"], all[1]["hash"]) << v.dump();

  // Removing the last entry is found too: the walk ends before the recorded head.
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    n.exec(
        "UPDATE audit.entries SET entry = replace(entry, '\"job.forged\"', '\"job.created\"') "
        "WHERE tenant_id = 'audit-tamper' AND position = 2");
    n.exec("DELETE FROM audit.entries WHERE tenant_id = 'audit-tamper' AND position = 3");
  }
  const json cut = get("/audit/verify").json();
  EXPECT_EQ(cut["valid"], false) << cut.dump();
  EXPECT_EQ(cut["length"], 2) << cut.dump();
  EXPECT_EQ(cut["firstBroken"]["kind"], "missing") << cut.dump();
}

// The tenant's whole chain as `engine` serves it (all pages), once it holds at least n entries
// or after 60 s.
json waitChain(EngineProcess& engine, const std::string& tenant, std::size_t n) {
  HttpClient http(engine.restPort());
  const std::vector<std::string> h = {
      "Authorization: Bearer " + engine.mintToken(tenant, "orch:read"),
      "X-StellaOps-Tenant: " + tenant};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    const json got = allPages([&](const std::string& token) {
      return http.get(
          "/api/v1/jobengine/audit?page_size=500" + (token.empty() ? "" : "&page_token=" + token),
          h);
    });
    if (got.size() >= n || std::chrono::steady_clock::now() > deadline) {
      return got;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Positions 1..n in order, each outbox seq once and ascending, and /audit/verify agreeing.
void expectWholeChain(EngineProcess& engine, const std::string& tenant, const json& chain,
                      std::size_t n) {
  ASSERT_EQ(chain.size(), n);
  std::set<int64_t> seqs;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i]["position"], static_cast<int64_t>(i + 1));
    seqs.insert(chain[i]["eventSeq"].get<int64_t>());
    if (i > 0) {
      EXPECT_GT(chain[i]["eventSeq"].get<int64_t>(), chain[i - 1]["eventSeq"].get<int64_t>());
    }
  }
  EXPECT_EQ(seqs.size(), n);  // no event chained twice
  HttpClient http(engine.restPort());
  const Reply verify = http.get("/api/v1/jobengine/audit/verify",
                                {"Authorization: Bearer " + engine.mintToken(tenant, "orch:read"),
                                 "X-StellaOps-Tenant: " + tenant});
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json()["valid"], true) << verify.body;
  EXPECT_EQ(verify.json()["length"], static_cast<int64_t>(n));
  EXPECT_EQ(verify.json()["head"], chain[n - 1]["hash"]);
}

// Its own engines: stopped and started on one database.
TEST(AuditLedgerRestartTest, EventsCommittedWhileNoEngineRunsAreChainedAfterARestart) {
  EngineOptions options;
  options.name = "audit_restart";
  auto engine = std::make_unique<EngineProcess>(options);
  engine->start();
  const std::string dsn = engine->databaseDsn();
  const std::string tenant = "audit-restart";
  OutboxWriter writer(dsn);
  OutboxRow row;
  row.tenant = tenant;
  row.type = "source.paused";
  for (int i = 0; i < 3; ++i) {
    writer.append(row);
  }
  ASSERT_EQ(waitChain(*engine, tenant, 3).size(), 3U);
  engine->stop();
  engine.reset();
  for (int i = 0; i < 2500; ++i) {  // more than one round's batch, while no engine runs
    writer.append(row);
  }
  options.database_dsn = dsn;
  engine = std::make_unique<EngineProcess>(options);
  engine->start();
  expectWholeChain(*engine, tenant, waitChain(*engine, tenant, 2503), 2503);
}

// Two replicas on one database; one is killed (SIGKILL) while events commit. Only the leader
// appends; whichever replica led, the one left chains everything once.
TEST(AuditLedgerReplicasTest, AKilledReplicaLeavesNoGapAndNoDuplicate) {
  Replicas replicas("audit_replicas", 2);
  const std::string tenant = "audit-replicas";
  OutboxWriter writer(replicas.dsn());
  OutboxRow row;
  row.tenant = tenant;
  row.type = "quota.updated";
  for (int i = 0; i < 1000; ++i) {
    writer.append(row);
  }
  replicas[0].stop(9);
  for (int i = 0; i < 1000; ++i) {
    writer.append(row);
  }
  expectWholeChain(replicas[1], tenant, waitChain(replicas[1], tenant, 2000), 2000);
}

}  // namespace
}  // namespace jobengine::testing
