// chainEvents: one batch of events of several tenants chained onto their heads — positions per
// tenant, links to the head's hash, new chains from the genesis hash, the stored canonical
// JSON verifying as a chain, the copied columns, and refusals that name the event's seq.
#include "core/ledger_batch.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace jobengine::audit {
namespace {

nlohmann::json envelope(int64_t seq, const std::string& tenant) {
  return {{"schemaVersion", "orch.event.v1"},
          {"eventId", "urn:orch:event:" + std::to_string(seq)},
          {"seq", seq},
          {"eventType", "job.canceled"},
          {"occurredAt", "2026-12-06T10:00:00.000000Z"},
          {"tenantId", tenant},
          {"actor", {{"subject", "alice"}, {"scopes", {"orch:operate"}}}},
          {"operator", {{"reason", "stuck"}, {"ticket", "OPS-1"}}},
          {"job", {{"id", "job-" + std::to_string(seq)}, {"status", "canceled"}}}};
}

TEST(LedgerBatchTest, ChainsEachTenantFromItsHeadInEventOrder) {
  std::map<std::string, ChainHead> heads;
  heads["a"] = ChainHead{7, "sha256:" + std::string(64, 'a')};
  const auto rows = chainEvents({envelope(10, "a"), envelope(11, "b"), envelope(12, "a")}, heads);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].tenant_id, "a");
  EXPECT_EQ(rows[0].position, 8);
  EXPECT_EQ(rows[0].prev_hash, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(rows[1].tenant_id, "b");
  EXPECT_EQ(rows[1].position, 1);  // a new chain
  EXPECT_EQ(rows[1].prev_hash, kGenesisHash);
  EXPECT_EQ(rows[2].position, 9);
  EXPECT_EQ(rows[2].prev_hash, rows[0].hash);
  EXPECT_EQ(heads["a"].position, 9);
  EXPECT_EQ(heads["a"].hash, rows[2].hash);
  EXPECT_EQ(heads["b"].position, 1);
  EXPECT_EQ(heads["b"].hash, rows[1].hash);
}

TEST(LedgerBatchTest, StoredJsonIsTheHashedEntryAndColumnsCopyIt) {
  std::map<std::string, ChainHead> heads;
  const auto rows = chainEvents({envelope(5, "a"), envelope(6, "a")}, heads);
  ChainVerifier verifier;
  for (const auto& row : rows) {
    EXPECT_TRUE(verifier.addLine(row.entry)) << verifier.firstBreak()->message;
  }
  EXPECT_EQ(verifier.length(), 2);
  EXPECT_EQ(verifier.head(), heads["a"].hash);
  const auto entry = nlohmann::json::parse(rows[0].entry);
  EXPECT_EQ(entry["hash"], rows[0].hash);
  EXPECT_EQ(entry["operator"]["ticket"], "OPS-1");
  EXPECT_EQ(rows[0].event_seq, 5);
  EXPECT_EQ(rows[0].event_id, "urn:orch:event:5");
  EXPECT_EQ(rows[0].event_type, "job.canceled");
  EXPECT_EQ(rows[0].occurred_at, "2026-12-06T10:00:00.000000Z");
  EXPECT_EQ(rows[0].actor_subject, std::optional<std::string>("alice"));
  EXPECT_EQ(rows[0].subject_kind, std::optional<std::string>("job"));
  EXPECT_EQ(rows[0].subject_id, std::optional<std::string>("job-5"));
}

TEST(LedgerBatchTest, AnEventWithoutActorOrSubjectHasNullColumns) {
  nlohmann::json e = envelope(3, "a");
  e.erase("actor");
  e.erase("job");
  e["eventType"] = "leader.elected";
  std::map<std::string, ChainHead> heads;
  const auto rows = chainEvents({e}, heads);
  EXPECT_FALSE(rows[0].actor_subject.has_value());
  EXPECT_FALSE(rows[0].subject_kind.has_value());
  EXPECT_FALSE(rows[0].subject_id.has_value());
}

TEST(LedgerBatchTest, RefusesAnIncompleteEnvelopeNamingItsSeqAndMovesNoHead) {
  nlohmann::json e = envelope(9, "a");
  e.erase("eventId");
  std::map<std::string, ChainHead> heads;
  try {
    chainEvents({e}, heads);
    FAIL() << "accepted an envelope without eventId";
  } catch (const std::invalid_argument& ex) {
    EXPECT_STREQ(ex.what(), "event seq 9: event envelope without eventId");
  }
  EXPECT_EQ(heads["a"].position, 0);
  nlohmann::json no_tenant = envelope(4, "a");
  no_tenant.erase("tenantId");
  EXPECT_THROW(chainEvents({no_tenant}, heads), std::invalid_argument);
}

}  // namespace
}  // namespace jobengine::audit
