// Two engine replicas on one database: any replica serves any stream (SPEC §6). An event
// committed on the shared database while a stream is open on replica B arrives on B, and a
// client that read from B and resumes on A with its last id gets the rest exactly once, in
// order, including events committed while it was between replicas.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"
#include "outbox_writer.hpp"
#include "pg_fixture.hpp"
#include "replicas.hpp"
#include "stream_client.hpp"

namespace jobengine::testing {
namespace {

std::vector<uint64_t> readSeqs(StreamConnection& conn, std::size_t n) {
  std::vector<uint64_t> seqs;
  for (std::size_t i = 0; i < n; ++i) {
    const auto e = conn.nextSse();
    if (!e) {
      ADD_FAILURE() << "stream ended after " << i << " of " << n;
      break;
    }
    seqs.push_back(std::stoull(e->id));
  }
  return seqs;
}

TEST(StreamReplicasTest, AnyReplicaServesAndResumesTheSameStream) {
  Replicas replicas("stream_replicas", 2);
  const std::string& dsn = replicas.dsn();
  EngineProcess& a = replicas[0];
  EngineProcess& b = replicas[1];

  const std::string t = "shared-tenant";
  const std::string auth = "Authorization: Bearer " + devToken(t, "orch:read");
  OutboxWriter writer(dsn);
  std::vector<uint64_t> written;

  StreamConnection on_b(b.streamPort(), "/api/v1/jobengine/stream", {auth});
  ASSERT_EQ(on_b.status(), 200);
  StreamConnection on_a_live(a.streamPort(), "/api/v1/jobengine/stream", {auth});
  ASSERT_EQ(on_a_live.status(), 200);
  for (int i = 0; i < 4; ++i) {
    OutboxRow r;
    r.tenant = t;
    r.type = "job.created";
    written.push_back(writer.append(r));
  }
  auto got = readSeqs(on_b, 4);
  EXPECT_EQ(got, written);
  EXPECT_EQ(readSeqs(on_a_live, 4), written);  // both replicas see the same order
  on_b.close();

  for (int i = 0; i < 3; ++i) {  // committed between replicas
    OutboxRow r;
    r.tenant = t;
    r.type = "job.succeeded";
    written.push_back(writer.append(r));
  }
  StreamConnection on_a(a.streamPort(), "/api/v1/jobengine/stream",
                        {auth, "Last-Event-ID: " + std::to_string(got.back())});
  ASSERT_EQ(on_a.status(), 200);
  const auto rest = readSeqs(on_a, 3);
  got.insert(got.end(), rest.begin(), rest.end());
  OutboxRow last;
  last.tenant = t;
  written.push_back(writer.append(last));
  const auto live = readSeqs(on_a, 1);
  got.insert(got.end(), live.begin(), live.end());
  EXPECT_EQ(got, written);
}

// An event committed through one replica's API is delivered to a stream on the other: a DAG
// run submitted to A (run.created, job.created, ...) shows up, in order, on B.
TEST(StreamReplicasTest, RunSubmittedToOneReplicaStreamsFromTheOther) {
  Replicas replicas("stream_replicas_api", 2);
  EngineProcess& a = replicas[0];
  EngineProcess& b = replicas[1];

  const std::string t = "replicated";
  const std::string token = a.mintToken(t, "orch:read orch:operate");
  StreamConnection on_b(b.streamPort(), "/api/v1/jobengine/stream?types=run.*",
                        {"Authorization: Bearer " + token});
  ASSERT_EQ(on_b.status(), 200);

  HttpClient http(a.restPort());
  const Reply created =
      http.post("/api/v1/jobengine/runs",
                {{"jobs",
                  {{{"key", "fetch"}, {"type", "scheduler.noop"}},
                   {{"key", "parse"}, {"type", "scheduler.noop"}, {"dependsOn", {"fetch"}}}}}},
                {"Authorization: Bearer " + token, "X-StellaOps-Tenant: " + t,
                 "X-StellaOps-Operator-Reason: system test"});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string run_id = created.json()["run"]["id"];

  std::vector<std::string> types;
  uint64_t last_seq = 0;
  while (types.empty() || types.back() != "run.succeeded") {
    const auto e = on_b.nextSse();
    ASSERT_TRUE(e.has_value()) << "stream ended; saw " << types.size() << " run events";
    EXPECT_NE(e->data.find(run_id), std::string::npos) << e->data;
    EXPECT_GT(std::stoull(e->id), last_seq);
    last_seq = std::stoull(e->id);
    types.push_back(e->event);
  }
  EXPECT_EQ(types.front(), "run.created");
}

}  // namespace
}  // namespace jobengine::testing
