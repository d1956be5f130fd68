// Audit exports on the real binary (real PostgreSQL, real plugins, real HTTP): a window's
// ledger, with a cancel made through the API with reason and ticket, exported by the
// audit.export job, downloaded, and verified offline by `jobengine audit verify` with the key
// GET /audit/keys serves; a second export of the same window is byte-identical; the bundle is
// 409 EXPORT_NOT_READY before the export succeeded (and 409 BUNDLE_ON_OTHER_REPLICA when
// another replica holds it), another tenant's export is 404, a bad window 422 naming the field,
// a caller without orch:operate 403. Waits are bounded polls.
#include <pqxx/pqxx>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "poll.hpp"
#include "scheduler_fixture.hpp"
#include "utc_now.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class AuditExportsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("audit_exports"); }
  void SetUp() override {
    SchedulerTest::SetUp();
    dir_ = engine_->dir() + "/exports-test-" + std::to_string(counter_++);
    fs::create_directories(dir_);
  }

  std::vector<std::string> operatorHeaders(const std::string& reason,
                                           const std::string& ticket) const {
    return {"Authorization: Bearer " + token(), "X-StellaOps-Tenant: " + tenant_,
            "X-StellaOps-Operator-Reason: " + reason, "X-StellaOps-Operator-Ticket: " + ticket};
  }
  std::string createJob(const std::string& type) {
    const Reply r = post("/jobs", {{"type", type}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<std::string>();
  }
  // The tenant's ledger, once it holds at least n entries (or after 30 s).
  json waitLedger(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json items = json::array();
    while (std::chrono::steady_clock::now() < deadline) {
      const Reply r = get("/audit?page_size=500");
      items = r.json()["items"];
      if (items.size() >= n) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return items;
  }
  std::string requestExport(const std::string& from, const std::string& to) {
    const Reply r = http_->post("/api/v1/jobengine/audit/exports", {{"from", from}, {"to", to}},
                                operatorHeaders("quarterly audit", "AUD-9"));
    EXPECT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.json()["status"], "queued") << r.body;
    return r.json().value("id", "");
  }
  // Polls the export until it ends (or 60 s); returns its last state.
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
        std::chrono::seconds(60));
  }

  static inline int counter_ = 0;
  std::string dir_;
};

TEST_F(AuditExportsTest, ExportDownloadAndVerifyOfflineAndASecondExportIsByteIdentical) {
  tenant_ = "audit-export";
  const std::string a = createJob("ext.audit.export");
  createJob("ext.audit.export");
  const Reply canceled = http_->post("/api/v1/jobengine/jobs/" + a + "/cancel", json::object(),
                                     operatorHeaders("stuck upstream", "OPS-77"));
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  ASSERT_GE(waitLedger(3).size(), 3U);
  // The window closes after every event above and before the exports' own events.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string to = utcNowRfc3339();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string from = "2000-01-01T00:00:00Z";
  const json ledger = get("/audit?page_size=500&to=" + to).json()["items"];
  ASSERT_GE(ledger.size(), 3U) << ledger.dump();

  const std::string id = requestExport(from, to);
  ASSERT_FALSE(id.empty());
  const json done = waitExport(id);
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["progress"]["entriesDone"], ledger.size()) << done.dump();
  EXPECT_EQ(done["progress"]["entriesTotal"], ledger.size()) << done.dump();
  EXPECT_EQ(done["reason"], "quarterly audit");
  EXPECT_EQ(done["ticket"], "AUD-9");

  const Reply bundle = get("/audit/exports/" + id + "/bundle");
  ASSERT_EQ(bundle.status, 200) << bundle.body.substr(0, 500);
  EXPECT_EQ(bundle.header("content-type"), "application/x-tar");
  EXPECT_EQ(bundle.body.size(), done["bundle"]["sizeBytes"].get<std::size_t>());
  const std::string tar = dir_ + "/bundle.tar";
  writeText(tar, bundle.body);

  const Reply keys = get("/audit/keys");
  ASSERT_EQ(keys.status, 200) << keys.body;
  ASSERT_EQ(keys.json()["keys"].size(), 1U) << keys.body;
  const json key = keys.json()["keys"][0];
  EXPECT_EQ(key["algorithm"], "ed25519");
  const std::string pem = dir_ + "/signer.pub";
  writeText(pem, key["publicKeyPem"].get<std::string>());

  const CommandResult verified = engine_->run({"audit", "verify", tar, "--public-key", pem});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(verified.out.rfind("audit verify: OK: tenant audit-export, window ", 0), 0U)
      << verified.out;
  EXPECT_NE(verified.out.find(std::to_string(ledger.size()) + " audit entries"), std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("key " + key["keyId"].get<std::string>()), std::string::npos)
      << verified.out;

  // The cancel is in the bundle's history with its reason and ticket.
  const CommandResult x =
      runCommand({"/bin/tar", "-xf", tar, "-C", dir_}, std::chrono::seconds(30));
  ASSERT_EQ(x.exit_code, 0) << x.err;
  const std::string history = readText(dir_ + "/history.jsonl");
  EXPECT_NE(history.find("\"ticket\":\"OPS-77\""), std::string::npos) << history;
  EXPECT_NE(history.find("\"reason\":\"stuck upstream\""), std::string::npos) << history;
  EXPECT_NE(readText(dir_ + "/jobs.jsonl").find(a), std::string::npos);

  // The same window again: the same bytes.
  const std::string again = requestExport(from, to);
  ASSERT_EQ(waitExport(again)["status"], "succeeded");
  const Reply second = get("/audit/exports/" + again + "/bundle");
  ASSERT_EQ(second.status, 200) << second.body.substr(0, 500);
  EXPECT_TRUE(second.body == bundle.body) << "two exports of the same window differ";

  // No signing_key_file: the engine generated the key on its first start and said so; the
  // audit plugin owns the export job type.
  EXPECT_NE(engine_->output().find("generated an Ed25519 signing key"), std::string::npos);
  EXPECT_TRUE(fs::exists(engine_->dir() + "/var/audit/signing_key.pem") ||
              engine_->output().find("/audit/signing_key.pem") != std::string::npos);
  const json plugins = get("/plugins").json();
  bool listed = false;
  for (const auto& p : plugins["plugins"]) {
    if (p["id"] == "audit") {
      listed = p["jobTypes"] == json::parse(R"([{"type": "audit.export", "mode": "in-process"}])");
    }
  }
  EXPECT_TRUE(listed) << plugins.dump();

  // A wrong key is refused by the verifier.
  const CommandResult wrong = engine_->run(
      {"audit", "verify", tar, "--public-key", dir_ + "/missing.pub"}, std::chrono::seconds(60));
  EXPECT_NE(wrong.exit_code, 0);
}

TEST_F(AuditExportsTest, TheBundleIsNotReadyBeforeTheExportSucceeded) {
  tenant_ = "audit-export-early";
  const std::string id = "0193a5d0-1a2b-7c3d-8e4f-5a6b7c8d9e0f";
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    n.exec(
        "INSERT INTO audit.exports (id, tenant_id, window_from, window_to, status, requested_by, "
        "reason) VALUES ('" +
        id + "', 'audit-export-early', '2026-01-01Z', '2026-01-02Z', 'running', 'alice', 'test')");
  }
  const Reply r = get("/audit/exports/" + id + "/bundle");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "EXPORT_NOT_READY") << r.body;
  const Reply s = get("/audit/exports/" + id);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json()["status"], "running");

  // Succeeded, but built by another replica: the answer names it.
  {
    pqxx::connection c(engine_->databaseDsn());
    pqxx::nontransaction n(c);
    n.exec(
        "UPDATE audit.exports SET status = 'succeeded', bundle_path = '/nowhere/b.tar', "
        "bundle_sha256 = 'sha256:00', bundle_size = 10240, replica = 'other-host:/srv/je' "
        "WHERE id = '" +
        id + "'");
  }
  const Reply other = get("/audit/exports/" + id + "/bundle");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(other.json()["error"]["code"], "BUNDLE_ON_OTHER_REPLICA") << other.body;
  EXPECT_EQ(other.json()["error"]["details"]["replica"], "other-host:/srv/je") << other.body;
}

TEST_F(AuditExportsTest, AnotherTenantsExportIsNotFound) {
  tenant_ = "audit-export-owner";
  const std::string id = requestExport("2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z");
  ASSERT_EQ(waitExport(id)["status"], "succeeded");
  tenant_ = "audit-export-stranger";
  const Reply r = get("/audit/exports/" + id);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND") << r.body;
  EXPECT_EQ(get("/audit/exports/" + id + "/bundle").status, 404);
}

TEST_F(AuditExportsTest, ABadWindowIs422NamingTheField) {
  tenant_ = "audit-export-bad";
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"from", "2026-12-02T00:00:00Z"}, {"to", "2026-12-01T00:00:00Z"}}, "to"},
           {{{"from", "2026-12-01T00:00:00Z"}, {"to", "2026-12-01T00:00:00Z"}}, "to"},
           {{{"from", "yesterday"}, {"to", "2026-12-01T00:00:00Z"}}, "from"},
           {{{"to", "2026-12-01T00:00:00Z"}}, "from"}}) {
    const Reply r =
        http_->post("/api/v1/jobengine/audit/exports", body, operatorHeaders("audit", "AUD-1"));
    // A time that is not RFC 3339 or a missing one is refused by the host against the
    // operation's body schema (details.field a JSON path, "$.from"); from >= to by the route.
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "VALIDATION_FAILED") << r.body;
    const std::string got = r.json()["error"]["details"].value("field", "");
    EXPECT_TRUE(got == field || got == "$." + field) << body.dump() << " " << r.body;
  }
  // from >= to is the route's own check: always 422 naming "to".
  const Reply r = http_->post("/api/v1/jobengine/audit/exports",
                              {{"from", "2026-12-02T00:00:00Z"}, {"to", "2026-12-01T00:00:00Z"}},
                              operatorHeaders("audit", "AUD-1"));
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_F(AuditExportsTest, ExportingNeedsOrchOperateAndAReason) {
  tenant_ = "audit-export-scope";
  const std::string read_only = engine_->mintToken(tenant_, "orch:read");
  const Reply r =
      http_->post("/api/v1/jobengine/audit/exports",
                  {{"from", "2026-12-01T00:00:00Z"}, {"to", "2026-12-02T00:00:00Z"}},
                  {"Authorization: Bearer " + read_only, "X-StellaOps-Tenant: " + tenant_,
                   "X-StellaOps-Operator-Reason: audit"});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "SCOPE_MISSING") << r.body;
  const Reply no_reason =
      http_->post("/api/v1/jobengine/audit/exports",
                  {{"from", "2026-12-01T00:00:00Z"}, {"to", "2026-12-02T00:00:00Z"}},
                  {"Authorization: Bearer " + token(), "X-StellaOps-Tenant: " + tenant_});
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_EQ(no_reason.json()["error"]["code"], "OPERATOR_REASON_REQUIRED") << no_reason.body;
  // Reads need orch:read only.
  const Reply keys =
      http_->get("/api/v1/jobengine/audit/keys",
                 {"Authorization: Bearer " + read_only, "X-StellaOps-Tenant: " + tenant_});
  EXPECT_EQ(keys.status, 200) << keys.body;
}

}  // namespace
}  // namespace jobengine::testing
