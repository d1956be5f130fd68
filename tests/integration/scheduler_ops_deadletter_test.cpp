// Dead letters on the real engine (SPEC §4): list with filters and stable pagination, detail,
// stats, top clusters, single replay (new queued job with replay_of at priority 9, the entry
// records it, job.replayed + job.created events) and batch replay with a dry run that creates
// nothing. Entries are seeded in SQL (a failed job + its dead_letters row), the shape the
// completion path writes.
#include <gtest/gtest.h>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

const std::string kFpTimeout = "sha256:" + std::string(64, 'a');
const std::string kFpSchema = "sha256:" + std::string(64, 'b');

class DeadLetterTest : public ::testing::Test {
 protected:
  // The engine starts (and is seeded) in the first test's SetUp, so a failure fails it.
  void SetUp() override {
    if (ops_ != nullptr) {
      return;
    }
    ops_ = new OpsEngine("ops_deadletter");
    // 3 transient timeouts of example.fetch, 2 permanent schema errors of example.parse (types
    // no plugin registers: a replayed job stays queued; the adapters run theirs at once).
    for (int i = 0; i < 5; ++i) {
      const bool transient = i < 3;
      seed("t1", transient ? "example.fetch" : "example.parse",
           transient ? "transient" : "permanent", transient ? kFpTimeout : kFpSchema,
           transient ? "upstream timed out after 30s" : "schema invalid at $.id", i);
    }
    seed("t2", "example.fetch", "transient", kFpTimeout, "other tenant", 9);
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  // Rows as the engine writes them (the replies are checked against the API's schemas).
  static inline const std::string kDigest = "sha256:" + std::string(64, '0');
  static void seed(const std::string& tenant, const std::string& type, const std::string& cls,
                   const std::string& fp, const std::string& message, int n) {
    const std::string job = "00000000-0000-7000-8000-0000000000" + std::to_string(10 + n);
    const std::string dl = "00000000-0000-7000-9000-0000000000" + std::to_string(10 + n);
    ops_->sql(
        "INSERT INTO scheduler.jobs (tenant_id, id, job_type, status, attempts, "
        "max_attempts, payload, payload_digest, finished_at) VALUES ('" +
        tenant + "', '" + job + "', '" + type + "', 'failed', 5, 5, '{\"n\": " + std::to_string(n) +
        "}', '" + kDigest + "', now())");
    ops_->sql(
        "INSERT INTO scheduler.dead_letters (tenant_id, id, job_id, job_type, attempts, "
        "final_status, error_class, fingerprint, error_code, last_error, payload_digest, "
        "created_at) VALUES ('" +
        tenant + "', '" + dl + "', '" + job + "', '" + type + "', 5, 'failed', '" + cls + "', '" +
        fp + "', 'E', jsonb_build_object('code', 'E', 'message', '" + message + "'), '" + kDigest +
        "', now() - interval '" + std::to_string(10 - n) + " minutes')");
  }
  Reply get(const std::string& path, const std::string& tenant = "t1") {
    return ops_->http().get(std::string(kApi) + path, ops_->headers(tenant));
  }
  Reply post(const std::string& path, const nlohmann::json& body) {
    return ops_->http().post(std::string(kApi) + path, body, ops_->headers("t1"));
  }
  static OpsEngine* ops_;
};
OpsEngine* DeadLetterTest::ops_ = nullptr;

TEST_F(DeadLetterTest, ListFiltersAndPagesNewestFirst) {
  const Reply all = get("/deadletter");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json()["deadLetters"].size(), 5u) << all.body;          // t2's entry is invisible
  EXPECT_EQ(all.json()["deadLetters"][0]["jobType"], "example.parse");  // newest first

  const Reply transient = get("/deadletter?errorClass=transient");
  EXPECT_EQ(transient.json()["deadLetters"].size(), 3u);
  const Reply by_type = get("/deadletter?jobType=example.parse&fingerprint=" + kFpSchema);
  EXPECT_EQ(by_type.json()["deadLetters"].size(), 2u);
  EXPECT_EQ(get("/deadletter?errorClass=bogus").status, 400);
  EXPECT_EQ(get("/deadletter?since=yesterday").status, 400);
  EXPECT_EQ(get("/deadletter?page_token=%21%21").status, 400);

  std::vector<std::string> ids;
  std::string token;
  for (int guard = 0; guard < 10; ++guard) {
    const Reply page =
        get("/deadletter?page_size=2" + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto body = page.json();  // keep the parsed body alive while iterating it
    for (const auto& e : body["deadLetters"]) {
      ids.push_back(e["id"]);
    }
    if (!page.json().contains("nextPageToken")) {
      break;
    }
    token = page.json()["nextPageToken"];
  }
  ASSERT_EQ(ids.size(), 5u);
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], all.json()["deadLetters"][i]["id"]);
  }

  const Reply detail = get("/deadletter/" + ids[0]);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.json()["lastError"]["message"], "schema invalid at $.id");
  EXPECT_EQ(get("/deadletter/" + ids[0], "t2").status, 404);
}

TEST_F(DeadLetterTest, StatsAndSummary) {
  const Reply stats = get("/deadletter/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  const auto s = stats.json();
  EXPECT_EQ(s["byErrorClass"]["transient"], 3);
  EXPECT_EQ(s["byErrorClass"]["permanent"], 2);
  EXPECT_EQ(s["byJobType"]["example.fetch"], 3);

  const Reply summary = get("/deadletter/summary");
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto clusters = summary.json()["clusters"];
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0]["fingerprint"], kFpTimeout);
  EXPECT_EQ(clusters[0]["count"], 3);
  EXPECT_EQ(clusters[0]["sampleMessage"], "upstream timed out after 30s");
  EXPECT_EQ(clusters[1]["errorClass"], "permanent");
}

TEST_F(DeadLetterTest, ReplayOneAndBatchWithDryRun) {
  // Dry run: lists what would be replayed and creates nothing.
  ASSERT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.jobs WHERE replay_of IS NOT NULL) = 0"));
  const Reply dry =
      post("/deadletter/replay", {{"filter", {{"errorClass", "transient"}}}, {"dryRun", true}});
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.json()["matched"], 3);
  EXPECT_EQ(dry.json()["wouldReplay"].size(), 3u);
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.jobs WHERE replay_of IS NOT NULL) = 0"));
  EXPECT_EQ(post("/deadletter/replay", {{"filter", {{"errorclass", "transient"}}}}).status, 422);

  // Single replay: priority 9 by default.
  const std::string first = dry.json()["wouldReplay"][0]["deadLetterId"];
  const std::string old_job = dry.json()["wouldReplay"][0]["jobId"];
  const Reply one = post("/deadletter/" + first + "/replay", nlohmann::json::object());
  ASSERT_EQ(one.status, 201) << one.body;
  const std::string new_job = one.json()["jobId"];
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.jobs WHERE id = '" + new_job +
                          "' AND status = 'queued' AND priority = 9 AND replay_of = '" + old_job +
                          "' AND payload = (SELECT payload FROM scheduler.jobs WHERE id = '" +
                          old_job + "'))"));
  EXPECT_EQ(get("/deadletter/" + first).json()["replayedJobId"], new_job);
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM jobengine.events WHERE (job_id = '" + old_job +
                          "' AND event_type = 'job.replayed') OR (job_id = '" + new_job +
                          "' AND event_type = 'job.created')) = 2"));
  const Reply twice = post("/deadletter/" + first + "/replay", nlohmann::json::object());
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(post("/deadletter/" + first + "/replay", {{"priority", 12}}).status, 422);

  // Batch: the two remaining transient entries, at the given priority.
  const Reply batch =
      post("/deadletter/replay", {{"filter", {{"errorClass", "transient"}}}, {"priority", 7}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(batch.json()["replayed"].size(), 2u);
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM scheduler.jobs WHERE replay_of IS NOT NULL AND "
                  "priority = 7) = 2"));
  EXPECT_EQ(get("/deadletter/stats").json()["pending"], 2);
}

}  // namespace
}  // namespace jobengine::testing
