// The audit chain: entries built from envelopes, their hashes, and the verifier's verdicts on
// intact, reordered, shortened, relinked and edited chains.
#include "core/ledger_chain.hpp"

#include <gtest/gtest.h>

#include <vector>

#include <jobengine/canonical_json.hpp>

namespace jobengine::audit {
namespace {

nlohmann::json envelope(int64_t seq, const std::string& type = "job.created") {
  return {{"schemaVersion", "orch.event.v1"},
          {"eventId", "urn:orch:event:" + std::to_string(seq)},
          {"seq", seq},
          {"eventType", type},
          {"occurredAt", "2026-12-06T10:00:00.000000Z"},
          {"tenantId", "acme"},
          {"actor", {{"subject", "alice"}, {"scopes", {"orch:operate"}}}},
          {"operator", {{"reason", "stuck"}, {"ticket", "OPS-1"}}},
          {"requestId", "req-" + std::to_string(seq)},
          {"job", {{"id", "job-" + std::to_string(seq)}, {"status", "queued"}}}};
}

std::vector<nlohmann::json> chain(int n) {
  std::vector<nlohmann::json> out;
  std::string prev = kGenesisHash;
  for (int i = 1; i <= n; ++i) {
    out.push_back(makeEntry(envelope(100 + i), i, prev));
    prev = out.back()["hash"].get<std::string>();
  }
  return out;
}

ChainVerifier verify(const std::vector<nlohmann::json>& entries) {
  ChainVerifier v;
  for (const auto& e : entries) {
    v.addLine(sdk::canonicalJson(e));
  }
  return v;
}

TEST(LedgerChain, EntryCarriesWhoWhyAndTheSubject) {
  const nlohmann::json e = makeEntry(envelope(7, "job.canceled"), 1, kGenesisHash);
  EXPECT_EQ(e["actor"]["subject"], "alice");
  EXPECT_EQ(e["operator"]["reason"], "stuck");
  EXPECT_EQ(e["operator"]["ticket"], "OPS-1");
  EXPECT_EQ(e["requestId"], "req-7");
  EXPECT_EQ(e["subject"], (nlohmann::json{{"kind", "job"}, {"id", "job-7"}}));
  EXPECT_EQ(e["eventSeq"], 7);
  EXPECT_EQ(e["prevHash"], kGenesisHash);
}

TEST(LedgerChain, HashIsSha256OfPreviousRawHashAndCanonicalEntry) {
  const nlohmann::json e = makeEntry(envelope(7), 1, kGenesisHash);
  nlohmann::json unhashed = e;
  unhashed.erase("hash");
  const std::string expected =
      sdk::sha256Digest(std::string(32, '\0') + sdk::canonicalJson(unhashed));
  EXPECT_EQ(e["hash"], expected);
  EXPECT_EQ(entryHash(e, kGenesisHash), expected);
  EXPECT_THROW(entryHash(e, "sha256:xyz"), std::invalid_argument);
}

// The appender stores the text makeEntryAndText gives (the entry serialized once): it must be
// the entry's canonical JSON, "hash" included, whatever the members' order and escapes.
TEST(LedgerChain, EntryTextIsTheCanonicalJsonOfTheEntry) {
  nlohmann::json event = envelope(9);
  event["actor"]["\xEF\xBD\xA1"] = "full-width";
  event["actor"]["\xF0\x9F\x98\x80"] = "astral \"q\"\n";
  event["traceId"] = "t-1";
  const MadeEntry made = makeEntryAndText(event, 3, chain(2).back()["hash"].get<std::string>());
  EXPECT_EQ(made.text, sdk::canonicalJson(made.entry));
  EXPECT_EQ(made.entry, makeEntry(event, 3, chain(2).back()["hash"].get<std::string>()));
  EXPECT_EQ(made.entry["hash"], entryHash(made.entry, made.entry["prevHash"].get<std::string>()));
  ChainVerifier v(3, made.entry["prevHash"].get<std::string>());
  EXPECT_TRUE(v.addLine(made.text));
}

TEST(LedgerChain, SubjectsOfOtherEventKinds) {
  EXPECT_EQ(subjectOf({{"eventType", "run.created"}, {"data", {{"runId", "r1"}}}}),
            (nlohmann::json{{"kind", "run"}, {"id", "r1"}}));
  EXPECT_EQ(subjectOf({{"eventType", "quota.updated"}, {"data", {{"id", "q1"}}}}),
            (nlohmann::json{{"kind", "quota"}, {"id", "q1"}}));
  EXPECT_EQ(subjectOf({{"eventType", "pack_run.log"}, {"data", {{"packRunId", "p1"}}}}),
            (nlohmann::json{{"kind", "pack_run"}, {"id", "p1"}}));
  EXPECT_TRUE(subjectOf({{"eventType", "export.completed"}, {"data", {}}}).is_null());
}

TEST(LedgerChain, IntactChainVerifiesToItsHead) {
  const auto entries = chain(5);
  const ChainVerifier v = verify(entries);
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.length(), 5);
  EXPECT_EQ(v.head(), entries.back()["hash"]);
}

TEST(LedgerChain, ReorderedEntriesAreNamed) {
  auto entries = chain(5);
  std::swap(entries[1], entries[2]);  // 1,3,2,4,5
  const ChainVerifier v = verify(entries);
  ASSERT_FALSE(v.valid());
  EXPECT_EQ(v.firstBreak()->kind, "reordered");
  EXPECT_EQ(v.firstBreak()->line, 2);
  auto late = chain(5);
  late.push_back(late[1]);  // position 2 again after 5
  EXPECT_EQ(verify(late).firstBreak()->kind, "reordered");
  EXPECT_EQ(verify(late).firstBreak()->line, 6);
}

TEST(LedgerChain, RemovedEntryIsNamedMissing) {
  auto entries = chain(5);
  entries.erase(entries.begin() + 2);
  const ChainVerifier v = verify(entries);
  ASSERT_FALSE(v.valid());
  EXPECT_EQ(v.firstBreak()->kind, "missing");
  EXPECT_EQ(v.firstBreak()->line, 3);
  EXPECT_EQ(v.length(), 2);
}

TEST(LedgerChain, EditedEntryIsNamedChanged) {
  auto entries = chain(5);
  entries[3]["operator"]["reason"] = "nothing to see";
  const ChainVerifier v = verify(entries);
  ASSERT_FALSE(v.valid());
  EXPECT_EQ(v.firstBreak()->kind, "changed");
  EXPECT_EQ(v.firstBreak()->position, 4);
}

TEST(LedgerChain, RehashedEntryStillBreaksTheNextLink) {
  auto entries = chain(5);
  entries[2]["operator"]["reason"] = "forged";
  entries[2]["hash"] = entryHash(entries[2], entries[2]["prevHash"].get<std::string>());
  const ChainVerifier v = verify(entries);
  ASSERT_FALSE(v.valid());
  EXPECT_EQ(v.firstBreak()->kind, "broken_link");
  EXPECT_EQ(v.firstBreak()->position, 4);
}

TEST(LedgerChain, UnreadableLineBreaksTheChain) {
  ChainVerifier v;
  EXPECT_FALSE(v.addLine("{not json"));
  EXPECT_EQ(v.firstBreak()->kind, "unreadable");
}

TEST(LedgerChain, RetainedChainVerifiesFromItsAnchor) {
  const auto entries = chain(6);
  ChainVerifier v(4, entries[2]["hash"].get<std::string>());
  for (size_t i = 3; i < entries.size(); ++i) {
    EXPECT_TRUE(v.add(entries[i]));
  }
  EXPECT_EQ(v.length(), 3);
}

}  // namespace
}  // namespace jobengine::audit
