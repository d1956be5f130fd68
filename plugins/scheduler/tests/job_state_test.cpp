// job_state_test.cpp — all 81 (from, to) pairs against the expected table of
// docs/state_machine.md, plus causes, events and names.
#include "core/job_state.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)

namespace {

// The expected allowed pairs with their event types (first cause for multi-cause pairs).
const std::map<std::pair<JobStatus, JobStatus>, std::string>& expectedAllowed() {
  using S = JobStatus;
  static const std::map<std::pair<S, S>, std::string> kExpected = {
      {{S::kPending, S::kQueued}, "job.queued"},
      {{S::kPending, S::kCanceled}, "job.canceled"},
      {{S::kQueued, S::kThrottled}, "job.throttled"},
      {{S::kQueued, S::kLeased}, "job.leased"},
      {{S::kQueued, S::kCanceled}, "job.canceled"},
      {{S::kThrottled, S::kQueued}, "job.queued"},
      {{S::kThrottled, S::kCanceled}, "job.canceled"},
      {{S::kLeased, S::kRunning}, "job.started"},
      {{S::kLeased, S::kQueued}, "job.lease_expired"},
      {{S::kLeased, S::kSucceeded}, "job.succeeded"},
      {{S::kLeased, S::kFailed}, "job.failed"},
      {{S::kLeased, S::kTimedOut}, "job.timed_out"},
      {{S::kLeased, S::kCanceled}, "job.canceled"},
      {{S::kRunning, S::kSucceeded}, "job.succeeded"},
      {{S::kRunning, S::kFailed}, "job.failed"},
      {{S::kRunning, S::kTimedOut}, "job.timed_out"},
      {{S::kRunning, S::kCanceled}, "job.canceled"},
      {{S::kRunning, S::kQueued}, "job.lease_expired"},
      {{S::kFailed, S::kQueued}, "job.retry_scheduled"},
      {{S::kTimedOut, S::kQueued}, "job.retry_scheduled"},
  };
  return kExpected;
}

struct PairCase {
  JobStatus from;
  JobStatus to;
};

std::vector<PairCase> allPairs() {
  std::vector<PairCase> out;
  for (const auto from : kAllJobStatuses) {
    for (const auto to : kAllJobStatuses) {
      out.push_back({from, to});
    }
  }
  return out;
}

class TransitionPair : public ::testing::TestWithParam<PairCase> {};

}  // namespace

TEST_P(TransitionPair, MatchesTable) {
  const auto [from, to] = GetParam();
  const auto it = expectedAllowed().find({from, to});
  const auto err = checkTransition(from, to);
  if (it != expectedAllowed().end()) {
    EXPECT_FALSE(err) << *err;
    EXPECT_EQ(eventTypeFor(from, to), it->second);
  } else {
    ASSERT_TRUE(err);
    EXPECT_NE(err->find(std::string(statusName(from)) + " -> " + std::string(statusName(to))),
              std::string::npos)
        << *err;
    EXPECT_FALSE(eventTypeFor(from, to));
  }
}

INSTANTIATE_TEST_SUITE_P(All81, TransitionPair, ::testing::ValuesIn(allPairs()),
                         [](const ::testing::TestParamInfo<PairCase>& pair_info) {
                           return std::string(statusName(pair_info.param.from)) + "_to_" +
                                  std::string(statusName(pair_info.param.to));
                         });

TEST(JobState, CountsAndTerminalSet) {
  EXPECT_EQ(allPairs().size(), 81U);
  std::set<std::pair<JobStatus, JobStatus>> pairs;
  for (const auto& t : allowedTransitions()) {
    pairs.insert({t.from, t.to});
  }
  EXPECT_EQ(pairs.size(), expectedAllowed().size());
  EXPECT_EQ(pairs.size(), 20U);
  std::set<std::string> terminal;
  for (const auto s : kAllJobStatuses) {
    if (isTerminal(s)) {
      terminal.insert(std::string(statusName(s)));
    }
  }
  EXPECT_EQ(terminal, (std::set<std::string>{"succeeded", "failed", "timed_out", "canceled"}));
  EXPECT_TRUE(isInFlight(JobStatus::kLeased));
  EXPECT_TRUE(isInFlight(JobStatus::kRunning));
  EXPECT_FALSE(isInFlight(JobStatus::kQueued));
  EXPECT_TRUE(isInitialStatus(JobStatus::kPending));
  EXPECT_TRUE(isInitialStatus(JobStatus::kQueued));
  EXPECT_FALSE(isInitialStatus(JobStatus::kLeased));
}

TEST(JobState, CausesPickTheEvent) {
  using S = JobStatus;
  using C = TransitionCause;
  EXPECT_EQ(eventTypeFor(S::kRunning, S::kQueued, C::kRetry), "job.retry_scheduled");
  EXPECT_EQ(eventTypeFor(S::kRunning, S::kQueued, C::kLeaseExpired), "job.lease_expired");
  EXPECT_EQ(eventTypeFor(S::kLeased, S::kQueued, C::kRetry), "job.retry_scheduled");
  EXPECT_EQ(eventTypeFor(S::kPending, S::kCanceled, C::kUpstreamFailed), "job.canceled");
  EXPECT_FALSE(checkTransition(S::kPending, S::kCanceled, C::kUpstreamFailed));
  EXPECT_TRUE(checkTransition(S::kQueued, S::kCanceled, C::kUpstreamFailed));
  EXPECT_TRUE(checkTransition(S::kRunning, S::kQueued, C::kOperatorRetry));
  EXPECT_FALSE(eventTypeFor(S::kQueued, S::kLeased, C::kStart));
}

TEST(JobState, NamesRoundTrip) {
  for (const auto s : kAllJobStatuses) {
    EXPECT_EQ(parseStatus(statusName(s)), s);
  }
  EXPECT_EQ(parseStatus("dead"), std::nullopt);
  EXPECT_NE(checkTransition(JobStatus::kSucceeded, JobStatus::kQueued)->find("terminal"),
            std::string::npos);
}
