// Unit tests of the admission decision: each reason, the precedence between them, admitted as
// the minimum over limits, next_eligible_at per refused candidate, and that tokens and breaker
// probes are spent on admitted jobs only.
#include "core/admission.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using std::chrono::seconds;
using testing::at;
using testing::atMs;
using testing::kT0;

// A request for `requested` fetch jobs from source nvd, recheck 30 s, no limits.
AdmissionRequest request(int requested) {
  AdmissionRequest r;
  r.requested = requested;
  r.job_type = "fetch";
  r.source_id = "nvd";
  r.recheck = seconds(30);
  return r;
}

Quota quota() { return Quota{}; }

BreakerInput openBreaker(TimePoint opened_until) {
  BreakerInput breaker;
  breaker.state.state = BreakerState::open;
  breaker.state.opened_until = opened_until;
  return breaker;
}

Throttle pauseOn(ThrottleTarget kind, const std::string& target, TimePoint expires_at) {
  return Throttle{"p-" + target, kind, target, ThrottleAction::pause, 0, expires_at};
}

Throttle capOn(ThrottleTarget kind, const std::string& target, int max_active) {
  return Throttle{"c-" + target, kind, target, ThrottleAction::cap, max_active, kNever};
}

std::vector<TimePoint> repeat(TimePoint t, int n) {
  std::vector<TimePoint> times(static_cast<std::size_t>(n), t);
  return times;
}

TEST(AdmissionTest, NoLimitsAdmitsAll) {
  const AdmissionDecision d = decideAdmission(request(4), kT0);
  EXPECT_EQ(d.admitted, 4);
  EXPECT_EQ(d.reason, "");
  EXPECT_TRUE(d.next_eligible_at.empty());
  EXPECT_FALSE(d.bucket);
  EXPECT_FALSE(d.breaker);
}

TEST(AdmissionTest, NothingRequestedAdmitsNothingWithoutReason) {
  AdmissionRequest r = request(0);
  r.quota = quota();
  r.quota->paused = true;
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "");
  EXPECT_TRUE(d.next_eligible_at.empty());
}

TEST(AdmissionTest, QuotaPausedComesFirst) {
  AdmissionRequest r = request(2);
  r.quota = quota();
  r.quota->paused = true;
  r.quota->bucket = TokenBucket{10, 1, 10, kT0};
  r.throttles = {pauseOn(ThrottleTarget::source, "nvd", at(60))};
  r.breaker = openBreaker(at(10));
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "quota_paused");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 2));
  ASSERT_TRUE(d.bucket);
  EXPECT_EQ(d.bucket->level, 10.0);  // no token spent
}

TEST(AdmissionTest, SourcePauseBeatsJobTypePauseAndCircuitAndWaitsForAllPauses) {
  AdmissionRequest r = request(2);
  r.throttles = {pauseOn(ThrottleTarget::source, "nvd", at(60)),
                 pauseOn(ThrottleTarget::job_type, "fetch", at(90))};
  r.breaker = openBreaker(at(10));
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "source_paused");
  EXPECT_EQ(d.next_eligible_at, repeat(at(90), 2));
}

TEST(AdmissionTest, JobTypePauseIsThrottledUntilItsExpiry) {
  AdmissionRequest r = request(3);
  r.throttles = {pauseOn(ThrottleTarget::job_type, "fetch", at(45))};
  r.breaker = openBreaker(at(10));
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "throttled");
  EXPECT_EQ(d.next_eligible_at, repeat(at(45), 3));
}

TEST(AdmissionTest, PauseWithoutExpiryRechecks) {
  AdmissionRequest r = request(1);
  r.throttles = {pauseOn(ThrottleTarget::source, "nvd", kNever)};
  const AdmissionDecision d = decideAdmission(r, at(5));
  EXPECT_EQ(d.reason, "source_paused");
  EXPECT_EQ(d.next_eligible_at, repeat(at(35), 1));
}

TEST(AdmissionTest, ExpiredAndForeignThrottlesAreIgnored) {
  AdmissionRequest r = request(2);
  r.throttles = {pauseOn(ThrottleTarget::source, "nvd", at(-1)),
                 pauseOn(ThrottleTarget::job_type, "parse", kNever),
                 pauseOn(ThrottleTarget::source, "osv", kNever)};
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 2);
  EXPECT_EQ(d.reason, "");
}

TEST(AdmissionTest, OpenCircuitRefusesUntilOpenedUntil) {
  AdmissionRequest r = request(2);
  r.breaker = openBreaker(at(20));
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "circuit_open");
  EXPECT_EQ(d.next_eligible_at, repeat(at(20), 2));
  ASSERT_TRUE(d.breaker);
  EXPECT_EQ(d.breaker->state, BreakerState::open);
}

TEST(AdmissionTest, CircuitOpenBeatsQuotaExhaustedOnATie) {
  AdmissionRequest r = request(2);
  r.breaker = openBreaker(at(20));
  r.quota = quota();
  r.quota->max_active = 3;
  r.active = 3;
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.reason, "circuit_open");
}

TEST(AdmissionTest, HalfOpenProbesAreCountedForAdmittedJobsOnly) {
  AdmissionRequest r = request(5);
  r.breaker = openBreaker(at(-1));  // due: turns half_open, 3 probes
  r.quota = quota();
  r.quota->max_active = 4;
  r.active = 2;
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 2);
  EXPECT_EQ(d.reason, "quota_exhausted");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 3));
  ASSERT_TRUE(d.breaker);
  EXPECT_EQ(d.breaker->state, BreakerState::half_open);
  EXPECT_EQ(d.breaker->probes_admitted, 2);
}

TEST(AdmissionTest, HalfOpenWithProbesLeftAdmitsThemAsCircuitOpenForTheRest) {
  AdmissionRequest r = request(5);
  r.breaker = openBreaker(at(-1));
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 3);
  EXPECT_EQ(d.reason, "circuit_open");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 2));  // now + open_seconds
  EXPECT_EQ(d.breaker->probes_admitted, 3);
}

TEST(AdmissionTest, ThrottleCapReachedIsThrottledAndBeatsQuotaOnATie) {
  AdmissionRequest r = request(3);
  r.throttles = {capOn(ThrottleTarget::job_type, "fetch", 5)};
  r.quota = quota();
  r.quota->max_active = 5;
  r.active = 4;
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 1);
  EXPECT_EQ(d.reason, "throttled");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 2));
}

TEST(AdmissionTest, SourceCapCountsTheSourcesActiveJobs) {
  AdmissionRequest r = request(3);
  r.throttles = {capOn(ThrottleTarget::source, "nvd", 4)};
  r.active = 0;
  r.source_active = 3;
  EXPECT_EQ(decideAdmission(r, kT0).admitted, 1);
  r.source_active.reset();  // falls back to the job type's count
  EXPECT_EQ(decideAdmission(r, kT0).admitted, 3);
}

TEST(AdmissionTest, MaxActiveReachedIsQuotaExhausted) {
  AdmissionRequest r = request(2);
  r.quota = quota();
  r.quota->max_active = 3;
  r.active = 5;  // above the limit (lowered while jobs ran)
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "quota_exhausted");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 2));
}

TEST(AdmissionTest, EmptyBucketSpreadsRefusedJobsAtTheRefillRate) {
  AdmissionRequest r = request(5);
  r.quota = quota();
  r.quota->bucket = TokenBucket{10, 0.5, 2.5, kT0};  // 1800 per hour
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 2);
  EXPECT_EQ(d.reason, "rate_limited");
  // Level 0.5 after taking 2: the 1st refused needs 0.5 more tokens (1 s), then 2 s apart.
  EXPECT_EQ(d.next_eligible_at, (std::vector<TimePoint>{at(1), at(3), at(5)}));
  ASSERT_TRUE(d.bucket);
  EXPECT_EQ(d.bucket->level, 0.5);
  EXPECT_EQ(d.bucket->updated_at, kT0);
}

TEST(AdmissionTest, BucketRefillsBeforeDeciding) {
  AdmissionRequest r = request(3);
  r.quota = quota();
  r.quota->bucket = TokenBucket{10, 2, 0, kT0};
  const AdmissionDecision d = decideAdmission(r, atMs(1250));  // 2.5 tokens
  EXPECT_EQ(d.admitted, 2);
  EXPECT_EQ(d.next_eligible_at, (std::vector<TimePoint>{atMs(1500)}));
  EXPECT_EQ(d.bucket->level, 0.5);
  EXPECT_EQ(d.bucket->updated_at, atMs(1250));
}

TEST(AdmissionTest, TokensAreTakenOnlyForAdmittedJobs) {
  AdmissionRequest r = request(4);
  r.quota = quota();
  r.quota->max_active = 2;
  r.active = 1;
  r.quota->bucket = TokenBucket{10, 0, 3, kT0};
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 1);
  EXPECT_EQ(d.reason, "quota_exhausted");
  EXPECT_EQ(d.bucket->level, 2.0);
}

TEST(AdmissionTest, TheTightestLimitGivesTheReason) {
  AdmissionRequest r = request(4);
  r.quota = quota();
  r.quota->max_active = 10;
  r.active = 8;                                  // allows 2
  r.quota->bucket = TokenBucket{10, 1, 1, kT0};  // allows 1
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 1);
  EXPECT_EQ(d.reason, "rate_limited");
  EXPECT_EQ(d.next_eligible_at, (std::vector<TimePoint>{at(1), at(2), at(3)}));
  EXPECT_EQ(d.bucket->level, 0.0);
}

TEST(AdmissionTest, ABucketThatNeverRefillsRechecks) {
  AdmissionRequest r = request(2);
  r.quota = quota();
  r.quota->bucket = TokenBucket{10, 0, 0, kT0};
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.reason, "rate_limited");
  EXPECT_EQ(d.next_eligible_at, repeat(at(30), 2));
}

TEST(AdmissionTest, AClosedBreakerIsWrittenBackUnchanged) {
  AdmissionRequest r = request(2);
  r.breaker = BreakerInput{};
  const AdmissionDecision d = decideAdmission(r, kT0);
  EXPECT_EQ(d.admitted, 2);
  ASSERT_TRUE(d.breaker);
  EXPECT_EQ(d.breaker->state, BreakerState::closed);
  EXPECT_EQ(d.breaker->probes_admitted, 0);
}

TEST(AdmissionTest, ReasonStringsAreTheSpecs) {
  EXPECT_EQ(kReasonQuotaPaused, "quota_paused");
  EXPECT_EQ(kReasonSourcePaused, "source_paused");
  EXPECT_EQ(kReasonThrottled, "throttled");
  EXPECT_EQ(kReasonCircuitOpen, "circuit_open");
  EXPECT_EQ(kReasonQuotaExhausted, "quota_exhausted");
  EXPECT_EQ(kReasonRateLimited, "rate_limited");
}

}  // namespace
}  // namespace jobengine::ratelimit
