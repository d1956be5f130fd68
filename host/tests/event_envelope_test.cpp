// event_envelope: splitting a partial orch.event.v1 envelope into outbox columns and body, and
// rebuilding the full envelope from a row (what GET /events and the streams return).
#include <gtest/gtest.h>

#include "events/event_envelope.hpp"

namespace jobengine::host {
namespace {

constexpr const char* kJob = "01890a5d-ac96-774b-bcce-b302099a8057";
constexpr const char* kRun = "01890a5d-ac96-774b-bcce-b302099a8058";

TEST(EventEnvelopeTest, SplitLiftsIdsAndKeepsTheRestInTheBody) {
  const nlohmann::json partial = {
      {"eventType", "job.succeeded"},
      {"projectId", "p1"},
      {"seq", 99},
      {"schemaVersion", "ignored"},
      {"job", {{"id", kJob}, {"runId", kRun}, {"sourceId", "src-1"}, {"attempt", 2}}},
      {"data", {{"k", "v"}}}};
  SplitEvent split;
  ASSERT_FALSE(splitEnvelope(partial, split).has_value());
  EXPECT_EQ(split.event_type, "job.succeeded");
  EXPECT_EQ(split.project_id, "p1");
  EXPECT_EQ(split.job_id, kJob);
  EXPECT_EQ(split.run_id, kRun);
  EXPECT_EQ(split.source_id, "src-1");
  EXPECT_FALSE(split.body.contains("seq"));
  EXPECT_FALSE(split.body.contains("schemaVersion"));
  EXPECT_FALSE(split.body.contains("projectId"));
  EXPECT_EQ(split.body["job"]["attempt"], 2);
  EXPECT_EQ(split.body["data"]["k"], "v");
}

TEST(EventEnvelopeTest, SplitRefusesMissingTypeAndNonUuidIds) {
  SplitEvent split;
  EXPECT_TRUE(splitEnvelope(nlohmann::json::object(), split).has_value());
  EXPECT_TRUE(splitEnvelope({{"eventType", "Job Done"}}, split).has_value());
  EXPECT_TRUE(splitEnvelope({{"eventType", "job.x"}, {"job", {{"id", "j-1"}}}}, split).has_value());
  EXPECT_TRUE(splitEnvelope({{"eventType", "run.x"}, {"runId", "r-1"}}, split).has_value());
  EXPECT_TRUE(splitEnvelope(nlohmann::json::array(), split).has_value());
  ASSERT_FALSE(
      splitEnvelope({{"eventType", "run.created"}, {"run", {{"id", kRun}}}}, split).has_value());
  EXPECT_EQ(split.run_id, kRun);
}

TEST(EventEnvelopeTest, EnvelopeFromRowHasTheHostFields) {
  EventRow row;
  row.tenant_id = "t1";
  row.seq = (int64_t{812} << 20) | 3;
  row.event_type = "job.failed";
  row.occurred_at = "2026-01-02T03:04:05.000006Z";
  row.project_id = "p1";
  row.job_id = kJob;
  row.run_id = kRun;
  row.body = {{"eventId", "urn:orch:event:x"}, {"job", {{"status", "failed"}}}, {"data", {}}};
  const nlohmann::json env = envelopeFromRow(row);
  EXPECT_EQ(env["schemaVersion"], "orch.event.v1");
  EXPECT_EQ(env["eventId"], "urn:orch:event:x");
  EXPECT_EQ(env["seq"], row.seq);
  EXPECT_EQ(env["eventType"], "job.failed");
  EXPECT_EQ(env["occurredAt"], row.occurred_at);
  EXPECT_EQ(env["tenantId"], "t1");
  EXPECT_EQ(env["projectId"], "p1");
  EXPECT_EQ(env["job"]["id"], kJob);
  EXPECT_EQ(env["job"]["runId"], kRun);
  EXPECT_EQ(env["job"]["status"], "failed");
  EXPECT_FALSE(env.contains("sourceId"));
}

TEST(EventEnvelopeTest, EventIdsAreUrnsOfUuidV7) {
  const std::string id = newEventId();
  ASSERT_EQ(id.rfind("urn:orch:event:", 0), 0u);
  EXPECT_EQ(id.size(), std::string("urn:orch:event:").size() + 36);
  EXPECT_EQ(id[std::string("urn:orch:event:").size() + 14], '7');
  EXPECT_NE(newEventId(), id);
}

}  // namespace
}  // namespace jobengine::host
