// Unit tests of throttles: expiry, matching, and the fold (any pause wins, else the smallest
// cap) with its deciding throttle and pause end.
#include "core/throttle.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::kT0;

Throttle pause(std::string id, ThrottleTarget kind, std::string target, TimePoint expires_at) {
  return Throttle{std::move(id), kind, std::move(target), ThrottleAction::pause, 0, expires_at};
}

Throttle cap(std::string id, ThrottleTarget kind, std::string target, int max_active,
             TimePoint expires_at) {
  return Throttle{std::move(id),       kind,       std::move(target),
                  ThrottleAction::cap, max_active, expires_at};
}

TEST(ThrottleTest, ActiveUntilItsExpiry) {
  const Throttle t = pause("t1", ThrottleTarget::job_type, "fetch", at(10));
  EXPECT_TRUE(isActive(t, kT0));
  EXPECT_TRUE(isActive(t, at(9)));
  EXPECT_FALSE(isActive(t, at(10)));
  EXPECT_TRUE(isActive(pause("t2", ThrottleTarget::job_type, "fetch", kNever), at(1'000'000)));
}

TEST(ThrottleTest, AppliesToItsJobTypeOrSource) {
  const Throttle on_type = pause("t1", ThrottleTarget::job_type, "fetch", kNever);
  const Throttle on_source = pause("t2", ThrottleTarget::source, "nvd", kNever);
  EXPECT_TRUE(appliesTo(on_type, "fetch", "nvd"));
  EXPECT_FALSE(appliesTo(on_type, "parse", "fetch"));
  EXPECT_TRUE(appliesTo(on_source, "fetch", "nvd"));
  EXPECT_FALSE(appliesTo(on_source, "nvd", "osv"));
}

TEST(ThrottleTest, ASourceThrottleNeverMatchesAJobWithoutSource) {
  const Throttle empty_source = pause("t1", ThrottleTarget::source, "", kNever);
  EXPECT_FALSE(appliesTo(empty_source, "fetch", ""));
}

TEST(ThrottleTest, NothingAppliesGivesNoEffect) {
  const std::vector<Throttle> throttles = {
      pause("expired", ThrottleTarget::job_type, "fetch", at(-1)),
      cap("other", ThrottleTarget::job_type, "parse", 1, kNever)};
  const ThrottleEffect effect = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  EXPECT_FALSE(effect.paused());
  EXPECT_FALSE(effect.job_type_cap);
  EXPECT_FALSE(effect.source_cap);
  EXPECT_FALSE(effect.smallestCap());
  EXPECT_EQ(effect.decided_by, "");
}

TEST(ThrottleTest, AnyPauseWinsOverCaps) {
  const std::vector<Throttle> throttles = {cap("c1", ThrottleTarget::job_type, "fetch", 1, kNever),
                                           pause("p1", ThrottleTarget::job_type, "fetch", at(60))};
  const ThrottleEffect effect = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  EXPECT_TRUE(effect.paused());
  EXPECT_TRUE(effect.job_type_paused);
  EXPECT_FALSE(effect.source_paused);
  EXPECT_EQ(effect.paused_until, at(60));
  EXPECT_EQ(effect.decided_by, "p1");
}

TEST(ThrottleTest, SmallestCapWinsPerKind) {
  const std::vector<Throttle> throttles = {cap("c5", ThrottleTarget::job_type, "fetch", 5, kNever),
                                           cap("c2", ThrottleTarget::job_type, "fetch", 2, at(60)),
                                           cap("s3", ThrottleTarget::source, "nvd", 3, kNever),
                                           cap("neg", ThrottleTarget::source, "osv", -4, kNever)};
  const ThrottleEffect effect = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  EXPECT_FALSE(effect.paused());
  EXPECT_EQ(effect.job_type_cap, 2);
  EXPECT_EQ(effect.source_cap, 3);
  EXPECT_EQ(effect.smallestCap(), 2);
  EXPECT_EQ(effect.decided_by, "c2");
  // Once c2 expires, c5 and s3 remain.
  const ThrottleEffect later = effectiveThrottle(throttles, "fetch", "nvd", at(60));
  EXPECT_EQ(later.job_type_cap, 5);
  EXPECT_EQ(later.smallestCap(), 3);
  EXPECT_EQ(later.decided_by, "s3");
}

TEST(ThrottleTest, NegativeCapCountsAsZero) {
  const std::vector<Throttle> throttles = {cap("neg", ThrottleTarget::source, "osv", -4, kNever)};
  EXPECT_EQ(effectiveThrottle(throttles, "fetch", "osv", kT0).source_cap, 0);
}

TEST(ThrottleTest, SourcePauseDecidesBeforeJobTypePauseAndAllPausesMustLapse) {
  const std::vector<Throttle> throttles = {pause("type", ThrottleTarget::job_type, "fetch", at(90)),
                                           pause("src", ThrottleTarget::source, "nvd", at(30))};
  const ThrottleEffect effect = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  EXPECT_TRUE(effect.source_paused);
  EXPECT_TRUE(effect.job_type_paused);
  EXPECT_EQ(effect.paused_until, at(90));
  EXPECT_EQ(effect.decided_by, "src");
}

TEST(ThrottleTest, APauseWithoutExpiryMakesThePauseEndNever) {
  const std::vector<Throttle> throttles = {pause("a", ThrottleTarget::job_type, "fetch", at(30)),
                                           pause("b", ThrottleTarget::job_type, "fetch", kNever)};
  const ThrottleEffect effect = effectiveThrottle(throttles, "fetch", "", kT0);
  EXPECT_EQ(effect.paused_until, kNever);
  EXPECT_EQ(effect.decided_by, "b");
}

TEST(ThrottleTest, TheFoldDoesNotDependOnInputOrder) {
  std::vector<Throttle> throttles = {pause("p2", ThrottleTarget::source, "nvd", at(30)),
                                     pause("p1", ThrottleTarget::source, "nvd", at(30)),
                                     cap("c1", ThrottleTarget::job_type, "fetch", 2, kNever)};
  const ThrottleEffect forward = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  std::reverse(throttles.begin(), throttles.end());
  const ThrottleEffect backward = effectiveThrottle(throttles, "fetch", "nvd", kT0);
  EXPECT_EQ(forward.decided_by, "p1");
  EXPECT_EQ(backward.decided_by, "p1");
  EXPECT_EQ(forward.paused_until, backward.paused_until);
  EXPECT_EQ(forward.job_type_cap, backward.job_type_cap);
}

}  // namespace
}  // namespace jobengine::ratelimit
