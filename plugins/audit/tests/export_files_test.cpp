// The export's data files (core/export_files): which entries feed jobs.jsonl, history.jsonl
// and throttles.jsonl and with what; audit.jsonl holds the entries as stored; the files are a
// pure function of the entries, so two exports of the same entries give byte-identical files
// and byte-identical signed bundles that verify.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/bundle_verifier.hpp"
#include "core/bundle_writer.hpp"
#include "core/export_files.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // NOLINT(google-build-using-namespace): the fixture helpers
using nlohmann::json;

json event(int64_t seq, const std::string& type) {
  json e = {{"schemaVersion", "orch.event.v1"},
            {"eventId", "urn:orch:event:" + std::to_string(seq)},
            {"seq", seq},
            {"eventType", type},
            {"occurredAt", "2026-12-01T10:00:0" + std::to_string(seq % 10) + ".000000Z"},
            {"tenantId", "acme"},
            {"projectId", "p1"},
            {"actor", {{"subject", "alice"}, {"scopes", {"orch:operate"}}}}};
  if (type.rfind("job.", 0) == 0) {
    e["job"] = {{"id", "job-1"},
                {"type", "demo.work"},
                {"status", type == "job.created" ? "queued" : "canceled"},
                {"attempt", 1}};
    if (type == "job.canceled") {
      e["job"]["reason"] = "canceled_by_operator";
      e["operator"] = {{"reason", "stuck"}, {"ticket", "OPS-7"}};
    }
  }
  if (type.rfind("throttle.", 0) == 0) {
    e["data"] = {{"throttle", {{"id", "thr-1"}, {"jobType", "demo.work"}}}};
  }
  return e;
}

// A chain of entries for the given event types, as canonical JSON lines.
std::vector<std::string> chainOf(const std::vector<std::string>& types) {
  std::vector<std::string> lines;
  std::string prev = kGenesisHash;
  int64_t position = 1;
  for (const std::string& t : types) {
    const json entry = makeEntry(event(100 + position, t), position, prev);
    prev = entry["hash"].get<std::string>();
    lines.push_back(sdk::canonicalJson(entry));
    ++position;
  }
  return lines;
}

const std::vector<std::string> kTypes = {"job.created", "throttle.created", "job.canceled",
                                         "run.created", "throttle.deleted"};

TEST(ExportFilesTest, JobCreatedGivesAJobLineWithWhoCreatedIt) {
  const json entry = json::parse(chainOf({"job.created"})[0]);
  const auto line = jobLine(entry);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ((*line)["jobId"], "job-1");
  EXPECT_EQ((*line)["type"], "demo.work");
  EXPECT_EQ((*line)["projectId"], "p1");
  EXPECT_EQ((*line)["position"], 1);
  EXPECT_EQ((*line)["eventSeq"], 101);
  EXPECT_EQ((*line)["actor"]["subject"], "alice");
  EXPECT_FALSE(throttleLine(entry).has_value());
}

TEST(ExportFilesTest, EveryJobEventIsAHistoryLineWithReasonAndTicket) {
  const auto lines = chainOf({"job.created", "job.canceled"});
  const json canceled = json::parse(lines[1]);
  EXPECT_FALSE(jobLine(canceled).has_value());
  const auto h = historyLine(canceled);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ((*h)["jobId"], "job-1");
  EXPECT_EQ((*h)["status"], "canceled");
  EXPECT_EQ((*h)["reason"], "canceled_by_operator");
  EXPECT_EQ((*h)["eventType"], "job.canceled");
  EXPECT_EQ((*h)["operator"]["reason"], "stuck");
  EXPECT_EQ((*h)["operator"]["ticket"], "OPS-7");
  EXPECT_TRUE(historyLine(json::parse(lines[0])).has_value());
}

TEST(ExportFilesTest, ThrottleEventsGiveThrottleLinesAndOthersNothing) {
  const auto lines = chainOf({"throttle.created", "run.created"});
  const auto t = throttleLine(json::parse(lines[0]));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ((*t)["throttle"]["id"], "thr-1");
  EXPECT_EQ((*t)["eventType"], "throttle.created");
  const json run = json::parse(lines[1]);
  EXPECT_FALSE(jobLine(run).has_value());
  EXPECT_FALSE(historyLine(run).has_value());
  EXPECT_FALSE(throttleLine(run).has_value());
}

class ExportFilesWriterTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  void writeAll(const std::string& dir, const std::vector<std::string>& lines) {
    ExportFilesWriter writer(dir);
    for (const std::string& l : lines) {
      writer.add(l);
    }
    writer.finish();
    EXPECT_EQ(writer.entries(), static_cast<int64_t>(lines.size()));
  }
  std::string dir_ = makeTempDir("export-files");
};

TEST_F(ExportFilesWriterTest, WritesTheFourFilesInEntryOrder) {
  const auto lines = chainOf(kTypes);
  writeAll(dir_ + "/a", lines);
  EXPECT_EQ(readLines(dir_ + "/a/audit.jsonl"), lines);
  EXPECT_EQ(readLines(dir_ + "/a/jobs.jsonl").size(), 1U);
  const auto history = readLines(dir_ + "/a/history.jsonl");
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(json::parse(history[0])["position"], 1);
  EXPECT_EQ(json::parse(history[1])["position"], 3);
  const auto throttles = readLines(dir_ + "/a/throttles.jsonl");
  ASSERT_EQ(throttles.size(), 2U);
  EXPECT_EQ(throttles[0], sdk::canonicalJson(json::parse(throttles[0])));
  EXPECT_EQ(readFile(dir_ + "/a/audit.jsonl").back(), '\n');
}

TEST_F(ExportFilesWriterTest, NoEntriesGiveFourEmptyFiles) {
  writeAll(dir_ + "/e", {});
  for (const auto name : kBundleDataFiles) {
    EXPECT_EQ(fs::file_size(fs::path(dir_) / "e" / std::string(name)), 0U) << name;
  }
}

TEST_F(ExportFilesWriterTest, RefusesAnEntryThatIsNotJson) {
  ExportFilesWriter writer(dir_ + "/bad");
  EXPECT_THROW(writer.add("{not json"), std::invalid_argument);
}

TEST_F(ExportFilesWriterTest, TwoExportsOfTheSameEntriesAreByteIdenticalAndVerify) {
  const auto lines = chainOf(kTypes);
  const SigningKey key = SigningKey::generate();
  for (const char* run : {"one", "two"}) {
    writeAll(dir_ + "/" + run, lines);
    BundleInput in = fixtureInput(dir_ + "/" + run);
    writeBundle(in, key, dir_ + "/" + run + ".tar");
  }
  EXPECT_EQ(readFile(dir_ + "/one.tar"), readFile(dir_ + "/two.tar"));
  const BundleVerdict r = verifyBundle(dir_ + "/one.tar", key.publicKeyPem());
  EXPECT_TRUE(r.ok) << r.kind << ": " << r.message;
}

// The writer writes each derived line's canonical JSON directly: it must be, byte for byte,
// the canonical JSON of jobLine / historyLine / throttleLine (what earlier exports wrote),
// escapes and non-ASCII text included.
TEST_F(ExportFilesWriterTest, DerivedLinesAreTheCanonicalJsonOfTheLineObjects) {
  std::vector<std::string> lines;
  std::string prev = kGenesisHash;
  int64_t position = 1;
  for (const char* t : {"job.created", "job.canceled", "throttle.created", "throttle.x"}) {
    json e = event(100 + position, t);
    e["actor"] = {{"subject", "ålice \"q\"\n\t\x01"},
                  {"\xEF\xBD\xA1", 1},
                  {"\xF0\x9F\x98\x80", 2.5},
                  {"z", {1, nullptr, true}}};
    if (std::string(t) == "throttle.x") {
      e["data"] = {{"limit", 3}};
    }
    const json entry = makeEntry(e, position, prev);
    prev = entry["hash"].get<std::string>();
    lines.push_back(sdk::canonicalJson(entry));
    ++position;
  }
  writeAll(dir_ + "/d", lines);
  std::vector<std::string> jobs;
  std::vector<std::string> history;
  std::vector<std::string> throttles;
  for (const std::string& l : lines) {
    const json entry = json::parse(l);
    if (auto line = jobLine(entry)) {
      jobs.push_back(sdk::canonicalJson(*line));
    }
    if (auto line = historyLine(entry)) {
      history.push_back(sdk::canonicalJson(*line));
    }
    if (auto line = throttleLine(entry)) {
      throttles.push_back(sdk::canonicalJson(*line));
    }
  }
  EXPECT_EQ(readLines(dir_ + "/d/jobs.jsonl"), jobs);
  EXPECT_EQ(readLines(dir_ + "/d/history.jsonl"), history);
  ASSERT_EQ(throttles.size(), 2U);
  EXPECT_TRUE(json::parse(throttles[1]).contains("data"));
  EXPECT_EQ(readLines(dir_ + "/d/throttles.jsonl"), throttles);
}

// The writer walks the chain as it writes audit.jsonl: the bundle writer takes its verdict
// (one pass) and refuses a broken chain with the message a re-read would give.
TEST_F(ExportFilesWriterTest, TheWriterChecksTheChainTheBundleWriterTakes) {
  const auto lines = chainOf(kTypes);
  ExportFilesWriter writer(dir_ + "/c");
  for (const std::string& l : lines) {
    writer.add(l);
  }
  writer.finish();
  ASSERT_TRUE(writer.chain().valid());
  EXPECT_EQ(writer.chain().length(), static_cast<int64_t>(lines.size()));
  const SigningKey key = SigningKey::generate();
  BundleInput in = fixtureInput(dir_ + "/c");
  const WrittenBundle walked = writeBundle(in, key, dir_ + "/walked.tar");
  in.checked_chain = &writer.chain();
  const WrittenBundle checked = writeBundle(in, key, dir_ + "/checked.tar");
  EXPECT_EQ(checked.manifest.head_hash, json::parse(lines.back())["hash"]);
  EXPECT_EQ(readFile(dir_ + "/walked.tar"), readFile(dir_ + "/checked.tar"));

  ExportFilesWriter gap(dir_ + "/g");
  gap.add(lines[0]);
  gap.add(lines[2]);
  gap.finish();
  EXPECT_FALSE(gap.chain().valid());
  BundleInput broken = fixtureInput(dir_ + "/g");
  std::string walked_error;
  try {
    writeBundle(broken, key, dir_ + "/g1.tar");
  } catch (const BundleError& e) {
    walked_error = e.what();
  }
  broken.checked_chain = &gap.chain();
  try {
    writeBundle(broken, key, dir_ + "/g2.tar");
    ADD_FAILURE() << "a broken chain was signed";
  } catch (const BundleError& e) {
    EXPECT_EQ(e.what(), walked_error);
    EXPECT_NE(walked_error.find("is not an intact chain from position 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace jobengine::audit
