// The event streams end to end on the real binary: events committed into the outbox (by a
// separate PostgreSQL connection, as je.events.append will) reach SSE and WebSocket clients in
// seq order, filtered, isolated per tenant, resumable without gaps or duplicates, and held
// back by the delivery horizon until an older transaction commits (never skipped).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "outbox_writer.hpp"
#include "stream_client.hpp"

namespace jobengine::testing {
namespace {

constexpr const char* kStreamPath = "/api/v1/jobengine/stream";

class StreamSseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EngineOptions options;
    options.name = "stream_sse";
    engine_ = new EngineProcess(options);
    engine_->start();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  // A tenant of this test only, so tests never see each other's events.
  static std::string tenant(const std::string& suffix) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("t-") + info->name() + "-" + suffix;
  }
  static std::string bearer(const std::string& tenant) {
    return "Authorization: Bearer " + devToken(tenant, "orch:read");
  }
  static std::unique_ptr<StreamConnection> open(const std::string& tenant,
                                                const std::string& query = "",
                                                std::vector<std::string> headers = {}) {
    headers.push_back(bearer(tenant));
    auto conn = std::make_unique<StreamConnection>(engine_->streamPort(),
                                                   std::string(kStreamPath) + query, headers);
    EXPECT_EQ(conn->status(), 200);
    return conn;
  }
  // Reads n events and checks each id equals the envelope's seq.
  static std::vector<uint64_t> readSeqs(StreamConnection& conn, std::size_t n) {
    std::vector<uint64_t> seqs;
    for (std::size_t i = 0; i < n; ++i) {
      const auto e = conn.nextSse();
      if (!e) {
        ADD_FAILURE() << "stream ended after " << i << " of " << n << " events";
        break;
      }
      const auto env = nlohmann::json::parse(e->data);
      EXPECT_EQ(e->id, std::to_string(env["seq"].get<uint64_t>()));
      EXPECT_EQ(e->event, env["eventType"].get<std::string>());
      seqs.push_back(std::stoull(e->id));
    }
    return seqs;
  }
  static OutboxRow row(const std::string& tenant, const std::string& type = "job.created") {
    OutboxRow r;
    r.tenant = tenant;
    r.type = type;
    return r;
  }

  static EngineProcess* engine_;
};

EngineProcess* StreamSseTest::engine_ = nullptr;

TEST_F(StreamSseTest, DeliversCommittedEventsInSeqOrderWithIds) {
  const std::string t = tenant("a");
  auto conn = open(t);
  OutboxWriter writer(engine_->databaseDsn());
  std::vector<uint64_t> written;
  for (int i = 0; i < 5; ++i) {
    written.push_back(writer.append(row(t, "job.created")));
  }
  EXPECT_EQ(readSeqs(*conn, 5), written);
}

TEST_F(StreamSseTest, EnvelopeCarriesTheRowColumns) {
  const std::string t = tenant("a");
  auto conn = open(t);
  OutboxWriter writer(engine_->databaseDsn());
  OutboxRow r = row(t, "job.succeeded");
  r.run_id = randomUuid();
  r.job_id = randomUuid();
  r.source_id = "src-1";
  r.body_json = R"({"eventId":"urn:orch:event:x1","data":{"k":1}})";
  const uint64_t seq = writer.append(r);
  const auto e = conn->nextSse();
  ASSERT_TRUE(e);
  const auto env = nlohmann::json::parse(e->data);
  EXPECT_EQ(env["schemaVersion"], "orch.event.v1");
  EXPECT_EQ(env["seq"].get<uint64_t>(), seq);
  EXPECT_EQ(env["tenantId"], t);
  EXPECT_EQ(env["eventId"], "urn:orch:event:x1");
  EXPECT_EQ(env["job"]["id"], r.job_id);
  EXPECT_EQ(env["job"]["runId"], r.run_id);
  EXPECT_EQ(env["job"]["sourceId"], "src-1");
  EXPECT_EQ(env["data"]["k"], 1);
  EXPECT_FALSE(env["occurredAt"].get<std::string>().empty());
}

TEST_F(StreamSseTest, FiltersByTypeRunJobAndSource) {
  const std::string t = tenant("a");
  const std::string run = randomUuid();
  const std::string job = randomUuid();
  auto by_type = open(t, "?types=job.failed,run.*");
  auto by_run = open(t, "?runId=" + run);
  auto by_job = open(t, "?jobId=" + job);
  auto by_source = open(t, "?sourceId=src-9");
  OutboxWriter writer(engine_->databaseDsn());

  const uint64_t created = writer.append(row(t, "job.created"));
  OutboxRow failed = row(t, "job.failed");
  failed.run_id = run;
  const uint64_t failed_seq = writer.append(failed);
  OutboxRow run_done = row(t, "run.succeeded");
  const uint64_t run_seq = writer.append(run_done);
  OutboxRow with_job = row(t, "job.leased");
  with_job.job_id = job;
  with_job.run_id = run;
  const uint64_t job_seq = writer.append(with_job);
  OutboxRow with_source = row(t, "source.paused");
  with_source.source_id = "src-9";
  const uint64_t source_seq = writer.append(with_source);
  (void)created;

  EXPECT_EQ(readSeqs(*by_type, 2), (std::vector<uint64_t>{failed_seq, run_seq}));
  EXPECT_EQ(readSeqs(*by_run, 2), (std::vector<uint64_t>{failed_seq, job_seq}));
  EXPECT_EQ(readSeqs(*by_job, 1), (std::vector<uint64_t>{job_seq}));
  EXPECT_EQ(readSeqs(*by_source, 1), (std::vector<uint64_t>{source_seq}));
  // Nothing unexpected in between: the next event each stream sees is a later marker.
  OutboxRow marker = row(t, "job.failed");
  marker.run_id = run;
  marker.job_id = job;
  marker.source_id = "src-9";
  const uint64_t marker_seq = writer.append(marker);
  for (auto* conn : {by_type.get(), by_run.get(), by_job.get(), by_source.get()}) {
    EXPECT_EQ(readSeqs(*conn, 1), (std::vector<uint64_t>{marker_seq}));
  }
}

TEST_F(StreamSseTest, AnotherTenantsEventsNeverArrive) {
  const std::string mine = tenant("mine");
  const std::string theirs = tenant("theirs");
  auto conn = open(mine);
  OutboxWriter writer(engine_->databaseDsn());
  writer.append(row(theirs));
  writer.append(row(theirs));
  const uint64_t own = writer.append(row(mine));
  EXPECT_EQ(readSeqs(*conn, 1), (std::vector<uint64_t>{own}));
  // A resume from 0 reads the backlog: still only this tenant's rows.
  auto resumed = open(mine, "?after=0");
  EXPECT_EQ(readSeqs(*resumed, 1), (std::vector<uint64_t>{own}));
  const uint64_t next = writer.append(row(mine));
  EXPECT_EQ(readSeqs(*resumed, 1), (std::vector<uint64_t>{next}));
}

TEST_F(StreamSseTest, ResumeWithLastEventIdGetsEveryEventOnceInOrder) {
  const std::string t = tenant("a");
  OutboxWriter writer(engine_->databaseDsn());
  std::vector<uint64_t> written;
  auto conn = open(t);
  for (int i = 0; i < 3; ++i) {
    written.push_back(writer.append(row(t)));
  }
  const auto first = readSeqs(*conn, 3);
  conn->close();
  for (int i = 0; i < 3; ++i) {  // committed while nobody listens
    written.push_back(writer.append(row(t)));
  }
  auto resumed = open(t, "", {"Last-Event-ID: " + std::to_string(first.back())});
  auto rest = readSeqs(*resumed, 3);
  written.push_back(writer.append(row(t)));  // and live again after the catch-up
  const auto live = readSeqs(*resumed, 1);
  std::vector<uint64_t> all = first;
  all.insert(all.end(), rest.begin(), rest.end());
  all.insert(all.end(), live.begin(), live.end());
  EXPECT_EQ(all, written);
}

TEST_F(StreamSseTest, HeldOpenTransactionIsDeliveredInOrderOnceItCommits) {
  const std::string t = tenant("a");
  auto conn = open(t);
  OutboxWriter slow(engine_->databaseDsn());
  OutboxWriter fast(engine_->databaseDsn());
  slow.begin();
  const uint64_t low = slow.add(row(t, "job.started"));  // lower seq, not yet committed
  const uint64_t high = fast.append(row(t, "job.created"));
  ASSERT_LT(low, high);
  // `high` is committed but must wait behind the open transaction; commit it now.
  slow.commit();
  EXPECT_EQ(readSeqs(*conn, 2), (std::vector<uint64_t>{low, high}));
}

TEST_F(StreamSseTest, RolledBackEventsNeverArrive) {
  const std::string t = tenant("a");
  auto conn = open(t);
  OutboxWriter writer(engine_->databaseDsn());
  writer.begin();
  writer.add(row(t, "job.created"));
  writer.rollback();
  const uint64_t committed = writer.append(row(t, "job.canceled"));
  EXPECT_EQ(readSeqs(*conn, 1), (std::vector<uint64_t>{committed}));
}

TEST_F(StreamSseTest, RefusesMissingTokenScopeAndTenantMismatch) {
  StreamConnection none(engine_->streamPort(), kStreamPath, {"X-StellaOps-Tenant: a"});
  EXPECT_EQ(none.status(), 401);
  StreamConnection no_scope(engine_->streamPort(), kStreamPath,
                            {"Authorization: Bearer " + devToken("a", "orch:operate")});
  EXPECT_EQ(no_scope.status(), 403);
  StreamConnection mismatch(engine_->streamPort(), kStreamPath,
                            {bearer("a"), "X-StellaOps-Tenant: b"});
  EXPECT_EQ(mismatch.status(), 403);
  EXPECT_NE(mismatch.readBody().find("TENANT_MISMATCH"), std::string::npos);
}

}  // namespace
}  // namespace jobengine::testing
