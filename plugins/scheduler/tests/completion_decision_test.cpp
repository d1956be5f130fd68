// completion_decision_test.cpp — every branch of core/completion_decision: success, cancel,
// retry with backoff, dead letter on exhausted attempts and on a non-retryable error, for both
// failed and timed_out reports; the reported error's parsing; and that each decision is a
// transition job_state allows from leased and from running.
#include "core/completion_decision.hpp"

#include <gtest/gtest.h>

#include "time_literals.hpp"

using namespace jobengine::scheduler;                 // NOLINT(google-build-using-namespace)
using namespace jobengine::scheduler::time_literals;  // NOLINT(google-build-using-namespace)
using std::chrono::milliseconds;

namespace {

// No jitter: the delay is the nominal one, so expected instants are exact.
BackoffPolicy policy(int max_attempts) {
  BackoffPolicy p;
  p.base = milliseconds(2000);
  p.factor = 2.0;
  p.cap = milliseconds(600000);
  p.max_attempts = max_attempts;
  p.jitter = Jitter::kNone;
  return p;
}

CompletionInput input(ReportedOutcome outcome, const JobError& error, int attempts,
                      int max_attempts) {
  CompletionInput in;
  in.outcome = outcome;
  in.error = error;
  in.attempts_made = attempts;
  in.policy = policy(max_attempts);
  in.now = T("2027-01-01T00:00:00Z");
  return in;
}

double neverCalled() {
  ADD_FAILURE() << "no backoff draw expected";
  return 0.0;
}

JobError transientError() {
  JobError e;
  e.code = "UPSTREAM";
  e.message = "bad gateway";
  e.http_status = 502;
  return e;
}

JobError permanentError() {
  JobError e;
  e.code = "SCHEMA_INVALID";
  e.message = "document does not match";
  e.http_status = 400;
  return e;
}

void expectAllowed(const CompletionDecision& d) {
  EXPECT_FALSE(checkTransition(JobStatus::kLeased, d.status, d.cause));
  EXPECT_FALSE(checkTransition(JobStatus::kRunning, d.status, d.cause));
}

}  // namespace

TEST(CompletionDecision, ParsesTheFourReportedStatuses) {
  for (const auto outcome : {ReportedOutcome::kSucceeded, ReportedOutcome::kFailed,
                             ReportedOutcome::kTimedOut, ReportedOutcome::kCanceled}) {
    EXPECT_EQ(parseReportedOutcome(reportedOutcomeName(outcome)), outcome);
  }
  EXPECT_FALSE(parseReportedOutcome("queued"));
  EXPECT_FALSE(parseReportedOutcome("SUCCEEDED"));
  EXPECT_FALSE(parseReportedOutcome(""));
}

TEST(CompletionDecision, SuccessIsTerminalWithoutError) {
  const auto d = decideCompletion(input(ReportedOutcome::kSucceeded, {}, 1, 5), neverCalled);
  EXPECT_EQ(d.status, JobStatus::kSucceeded);
  EXPECT_EQ(d.cause, TransitionCause::kSucceed);
  EXPECT_EQ(d.reason, "");
  EXPECT_FALSE(d.error);
  EXPECT_FALSE(d.classification);
  EXPECT_FALSE(d.next_eligible_at);
  EXPECT_FALSE(d.dead_letter);
  expectAllowed(d);
}

TEST(CompletionDecision, CancelIsTerminalWithReason) {
  const auto d = decideCompletion(input(ReportedOutcome::kCanceled, {}, 1, 5), neverCalled);
  EXPECT_EQ(d.status, JobStatus::kCanceled);
  EXPECT_EQ(d.cause, TransitionCause::kCancel);
  EXPECT_EQ(d.reason, "canceled");
  EXPECT_FALSE(d.error);
  EXPECT_FALSE(d.dead_letter);
  expectAllowed(d);
}

TEST(CompletionDecision, RetryableFailureWithAttemptsLeftIsRequeuedWithBackoff) {
  const auto d =
      decideCompletion(input(ReportedOutcome::kFailed, transientError(), 3, 5), [] { return 0.5; });
  EXPECT_EQ(d.status, JobStatus::kQueued);
  EXPECT_EQ(d.cause, TransitionCause::kRetry);
  EXPECT_EQ(d.reason, "retry");
  EXPECT_EQ(d.backoff, milliseconds(8000));  // 2 s * 2^(3-1)
  EXPECT_EQ(S(d.next_eligible_at), "2027-01-01T00:00:08Z");
  ASSERT_TRUE(d.classification);
  EXPECT_EQ(d.classification->error_class, ErrorClass::kTransient);
  EXPECT_FALSE(d.dead_letter);
  expectAllowed(d);
}

TEST(CompletionDecision, BackoffUsesTheJitterDraw) {
  auto in = input(ReportedOutcome::kFailed, transientError(), 1, 5);
  in.policy.jitter = Jitter::kFull;
  const auto d = decideCompletion(in, [] { return 0.25; });
  EXPECT_EQ(d.backoff, milliseconds(500));
  EXPECT_EQ(d.next_eligible_at, in.now + milliseconds(500));
}

TEST(CompletionDecision, TimedOutWithAttemptsLeftIsRetriedToo) {
  JobError e;
  e.code = "TIMEOUT";
  const auto d = decideCompletion(input(ReportedOutcome::kTimedOut, e, 1, 2), [] { return 0.0; });
  EXPECT_EQ(d.status, JobStatus::kQueued);
  EXPECT_EQ(d.reason, "retry");
  EXPECT_EQ(d.backoff, milliseconds(2000));
  expectAllowed(d);
}

TEST(CompletionDecision, RetryableFailureOnTheLastAttemptIsDeadLettered) {
  const auto d =
      decideCompletion(input(ReportedOutcome::kFailed, transientError(), 5, 5), neverCalled);
  EXPECT_EQ(d.status, JobStatus::kFailed);
  EXPECT_EQ(d.cause, TransitionCause::kFail);
  EXPECT_EQ(d.reason, "attempts_exhausted");
  EXPECT_TRUE(d.dead_letter);
  EXPECT_FALSE(d.next_eligible_at);
  ASSERT_TRUE(d.classification);
  EXPECT_EQ(d.classification->fingerprint, errorFingerprint("UPSTREAM", "bad gateway"));
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, "UPSTREAM");
  expectAllowed(d);
}

TEST(CompletionDecision, TimedOutOnTheLastAttemptStaysTimedOut) {
  JobError e;
  e.code = "TIMEOUT";
  const auto d = decideCompletion(input(ReportedOutcome::kTimedOut, e, 1, 1), neverCalled);
  EXPECT_EQ(d.status, JobStatus::kTimedOut);
  EXPECT_EQ(d.cause, TransitionCause::kTimeout);
  EXPECT_EQ(d.reason, "attempts_exhausted");
  EXPECT_TRUE(d.dead_letter);
  expectAllowed(d);
}

TEST(CompletionDecision, PermanentErrorIsDeadLetteredWithAttemptsLeft) {
  const auto d =
      decideCompletion(input(ReportedOutcome::kFailed, permanentError(), 1, 5), neverCalled);
  EXPECT_EQ(d.status, JobStatus::kFailed);
  EXPECT_EQ(d.reason, "non_retryable");
  EXPECT_TRUE(d.dead_letter);
  ASSERT_TRUE(d.classification);
  EXPECT_EQ(d.classification->error_class, ErrorClass::kPermanent);
  expectAllowed(d);
}

TEST(CompletionDecision, ReporterVerdictWinsOverTheClass) {
  auto no_retry = transientError();
  no_retry.retryable = false;
  const auto dead = decideCompletion(input(ReportedOutcome::kFailed, no_retry, 1, 5), neverCalled);
  EXPECT_EQ(dead.reason, "non_retryable");
  EXPECT_TRUE(dead.dead_letter);

  auto retry = permanentError();
  retry.retryable = true;
  const auto again =
      decideCompletion(input(ReportedOutcome::kFailed, retry, 1, 5), [] { return 0.0; });
  EXPECT_EQ(again.status, JobStatus::kQueued);
  EXPECT_EQ(again.reason, "retry");
}

TEST(CompletionDecision, ReportedErrorDefaultsItsCodeByOutcome) {
  EXPECT_EQ(reportedError(nullptr, ReportedOutcome::kFailed).code, "FAILED");
  EXPECT_EQ(reportedError(nullptr, ReportedOutcome::kTimedOut).code, "TIMEOUT");
  EXPECT_EQ(reportedError("oops", ReportedOutcome::kFailed).code, "FAILED");
  const JobError e =
      reportedError({{"code", "E1"}, {"message", "m"}, {"httpStatus", 429}, {"retryable", true}},
                    ReportedOutcome::kFailed);
  EXPECT_EQ(e.code, "E1");
  EXPECT_EQ(e.message, "m");
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.retryable, true);
}

TEST(CompletionDecision, ReportedErrorIgnoresKeysOfTheWrongType) {
  const JobError e =
      reportedError({{"httpStatus", "503"}, {"retryable", "yes"}}, ReportedOutcome::kFailed);
  EXPECT_FALSE(e.http_status);
  EXPECT_FALSE(e.retryable);
}
