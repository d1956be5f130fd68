// Unit tests of the operator input rules: quota create/replace (at least one limit or paused,
// burst needs and defaults to maxPerHour), the bucket of a new and an edited quota, and throttle
// create (targets, cap rules, expiry forms and bounds).
#include "core/operator_input.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::kT0;

TEST(QuotaInputTest, CreateNeedsAJobTypeAndALimitOrPaused) {
  EXPECT_EQ(parseQuotaCreate({{"maxActive", 1}}).error->field, "jobType");
  EXPECT_EQ(parseQuotaCreate({{"jobType", ""}, {"maxActive", 1}}).error->field, "jobType");
  const auto none = parseQuotaCreate({{"jobType", "a.b"}});
  ASSERT_TRUE(none.error);
  EXPECT_EQ(none.error->field, "maxActive");
  EXPECT_TRUE(parseQuotaCreate({{"jobType", "a.b"}, {"paused", false}}).error);
  const auto paused = parseQuotaCreate({{"jobType", "a.b"}, {"paused", true}});
  EXPECT_FALSE(paused.error);
  EXPECT_TRUE(*paused.limits.paused);
  const auto backlog = parseQuotaCreate({{"jobType", "a.b"}, {"backlogLimit", 0}});
  EXPECT_FALSE(backlog.error);
  EXPECT_EQ(backlog.limits.backlog_limit, 0);
  EXPECT_FALSE(*backlog.limits.paused);
  EXPECT_FALSE(backlog.limits.burst);
}

TEST(QuotaInputTest, BurstDefaultsToMaxPerHourAndNeedsIt) {
  const auto dflt = parseQuotaCreate({{"jobType", "a"}, {"maxPerHour", 120}});
  EXPECT_EQ(dflt.limits.burst, 120);
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"maxPerHour", 0}}).limits.burst, 1);
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"maxPerHour", 60}, {"burst", 5}}).limits.burst, 5);
  const auto orphan = parseQuotaCreate({{"jobType", "a"}, {"maxActive", 1}, {"burst", 5}});
  ASSERT_TRUE(orphan.error);
  EXPECT_EQ(orphan.error->field, "burst");
}

TEST(QuotaInputTest, RangesAndTypesAreChecked) {
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"maxActive", -1}}).error->field, "maxActive");
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"maxPerHour", "x"}}).error->field, "maxPerHour");
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"maxPerHour", 5}, {"burst", 0}}).error->field,
            "burst");
  EXPECT_EQ(parseQuotaCreate({{"jobType", "a"}, {"paused", 1}}).error->field, "paused");
  EXPECT_TRUE(parseQuotaCreate(nlohmann::json::array()).error);
  // null is "not enforced", like absent.
  EXPECT_FALSE(parseQuotaCreate({{"jobType", "a"}, {"maxActive", 1}, {"maxPerHour", nullptr}})
                   .limits.max_per_hour);
}

TEST(QuotaInputTest, ReplaceKeepsPausedUnlessGivenAndRefusesJobType) {
  const auto keep = parseQuotaReplace({{"maxActive", 2}}, true);
  EXPECT_FALSE(keep.error);
  EXPECT_FALSE(keep.limits.paused);
  // A paused quota may drop every limit; a running one may not.
  EXPECT_FALSE(parseQuotaReplace(nlohmann::json::object(), true).error);
  EXPECT_TRUE(parseQuotaReplace(nlohmann::json::object(), false).error);
  EXPECT_TRUE(parseQuotaReplace({{"paused", false}}, true).error);
  EXPECT_EQ(parseQuotaReplace({{"jobType", "b"}, {"maxActive", 1}}, false).error->field, "jobType");
}

QuotaLimits rate(int per_hour, int burst) {
  QuotaLimits l;
  l.max_per_hour = per_hour;
  l.burst = burst;
  return l;
}

TEST(QuotaBucketTest, NewBucketIsFullWithARateAndEmptyWithout) {
  const auto full = newQuotaBucket(rate(3600, 10), kT0);
  EXPECT_EQ(full.tokens, 10.0);
  EXPECT_EQ(full.tokens_at, kT0);
  QuotaLimits no_rate;
  no_rate.max_active = 3;
  EXPECT_EQ(newQuotaBucket(no_rate, kT0).tokens, 0.0);
  EXPECT_FALSE(quotaBucket(no_rate, {}));
}

TEST(QuotaBucketTest, EditRefillsWithTheOldRateThenCapsToTheNewBurst) {
  // 2 tokens at kT0, 1 token/s: 7 at +5 s; the new burst 4 caps it.
  const QuotaBucketState before{2.0, kT0};
  const auto capped = editedQuotaBucket(rate(3600, 10), before, rate(7200, 4), at(5));
  EXPECT_DOUBLE_EQ(capped.tokens, 4.0);
  EXPECT_EQ(capped.tokens_at, at(5));
  // A larger burst keeps the level (an edit never adds tokens).
  const auto kept = editedQuotaBucket(rate(3600, 10), before, rate(3600, 50), at(5));
  EXPECT_DOUBLE_EQ(kept.tokens, 7.0);
  // Gaining a rate starts full; losing it empties.
  QuotaLimits no_rate;
  no_rate.max_active = 1;
  EXPECT_DOUBLE_EQ(editedQuotaBucket(no_rate, {0.0, kT0}, rate(60, 3), at(5)).tokens, 3.0);
  EXPECT_DOUBLE_EQ(editedQuotaBucket(rate(60, 3), before, no_rate, at(5)).tokens, 0.0);
}

TEST(ThrottleInputTest, PauseAndCapShapes) {
  const auto pause = parseThrottleCreate(
      {{"targetKind", "jobType"}, {"target", "a.b"}, {"action", "pause"}, {"durationSeconds", 60}},
      kT0);
  ASSERT_FALSE(pause.error) << pause.error->message;
  EXPECT_EQ(pause.target_kind, "job_type");
  EXPECT_FALSE(pause.max_active);
  EXPECT_EQ(pause.expires_at, at(60));

  const auto cap = parseThrottleCreate({{"targetKind", "jobType"},
                                        {"target", "a.b"},
                                        {"action", "cap"},
                                        {"maxActive", 0},
                                        {"durationSeconds", 1}},
                                       kT0);
  ASSERT_FALSE(cap.error);
  EXPECT_EQ(cap.max_active, 0);

  const nlohmann::json missing_max = {
      {"targetKind", "jobType"}, {"target", "a"}, {"action", "cap"}, {"durationSeconds", 1}};
  EXPECT_EQ(parseThrottleCreate(missing_max, kT0).error->field, "maxActive");
  const nlohmann::json pause_with_max = {{"targetKind", "jobType"},
                                         {"target", "a"},
                                         {"action", "pause"},
                                         {"maxActive", 1},
                                         {"durationSeconds", 1}};
  EXPECT_EQ(parseThrottleCreate(pause_with_max, kT0).error->field, "maxActive");
  const nlohmann::json source_cap = {{"targetKind", "source"},
                                     {"target", "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59"},
                                     {"action", "cap"},
                                     {"maxActive", 1},
                                     {"durationSeconds", 1}};
  EXPECT_EQ(parseThrottleCreate(source_cap, kT0).error->field, "action");
}

TEST(ThrottleInputTest, SourceTargetIsAUuidStoredLowerCase) {
  const nlohmann::json bad = {
      {"targetKind", "source"}, {"target", "osv"}, {"action", "pause"}, {"durationSeconds", 5}};
  EXPECT_EQ(parseThrottleCreate(bad, kT0).error->field, "target");
  const nlohmann::json upper = {{"targetKind", "source"},
                                {"target", "0193A4F0-1E2D-7C3B-8A9F-0E1D2C3B4A59"},
                                {"action", "pause"},
                                {"durationSeconds", 5}};
  const auto ok = parseThrottleCreate(upper, kT0);
  ASSERT_FALSE(ok.error);
  EXPECT_EQ(ok.target_kind, "source");
  EXPECT_EQ(ok.target, "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59");
}

TEST(ThrottleInputTest, ExpiryIsExactlyOneFormInTheFutureWithinThirtyDays) {
  nlohmann::json base = {{"targetKind", "jobType"}, {"target", "a"}, {"action", "pause"}};
  EXPECT_EQ(parseThrottleCreate(base, kT0).error->field, "expiresAt");
  nlohmann::json both = base;
  both["expiresAt"] = "2027-01-15T08:00:00Z";
  both["durationSeconds"] = 5;
  EXPECT_EQ(parseThrottleCreate(both, kT0).error->field, "durationSeconds");
  nlohmann::json too_long = base;
  too_long["durationSeconds"] = kMaxThrottleSeconds + 1;
  EXPECT_EQ(parseThrottleCreate(too_long, kT0).error->field, "durationSeconds");

  // kT0 is 2027-01-15T08:00:00Z.
  nlohmann::json at_time = base;
  at_time["expiresAt"] = "2027-01-15T09:00:00Z";
  const auto hour = parseThrottleCreate(at_time, kT0);
  ASSERT_FALSE(hour.error) << hour.error->message;
  EXPECT_EQ(hour.expires_at, at(3600));
  at_time["expiresAt"] = "2027-01-15T08:00:00Z";
  EXPECT_EQ(parseThrottleCreate(at_time, kT0).error->field, "expiresAt");
  at_time["expiresAt"] = "2027-03-01T00:00:00Z";
  EXPECT_EQ(parseThrottleCreate(at_time, kT0).error->field, "expiresAt");
  at_time["expiresAt"] = "tomorrow";
  EXPECT_EQ(parseThrottleCreate(at_time, kT0).error->field, "expiresAt");
}

TEST(ThrottleInputTest, EnumsAreChecked) {
  EXPECT_EQ(parseThrottleCreate({{"targetKind", "tenant"}}, kT0).error->field, "targetKind");
  EXPECT_EQ(
      parseThrottleCreate({{"targetKind", "jobType"}, {"target", "a"}, {"action", "stop"}}, kT0)
          .error->field,
      "action");
}

}  // namespace
}  // namespace jobengine::ratelimit
