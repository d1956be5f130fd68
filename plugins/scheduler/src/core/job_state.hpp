// job_state.hpp — the job lifecycle of SPEC §2 as data: the nine statuses, the terminal set,
// the allowed transitions with their cause and the one orch.event.v1 type each emits.
//
// The table is the source of truth for the transitions, and tests hold the code to it:
// job_state_sql_test reads every `UPDATE scheduler.jobs` of core/sql.cpp (the statements that
// move jobs) and checks each (from, to) its guard and SET allow against checkTransition();
// completion_decision_test checks every completion decision's (to, cause) from leased and
// running. The SQL still spells the statuses as literals; the test, not code generation, keeps
// them in step. The full reasoning (and every refused pair) is in
// plugins/scheduler/docs/state_machine.md. Creation (no previous status) is not a pair: see
// isInitialStatus(). Pure C++, no I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::scheduler {

enum class JobStatus {
  kPending,
  kQueued,
  kThrottled,
  kLeased,
  kRunning,
  kSucceeded,
  kFailed,
  kTimedOut,
  kCanceled,
};

inline constexpr std::array<JobStatus, 9> kAllJobStatuses = {
    JobStatus::kPending, JobStatus::kQueued,   JobStatus::kThrottled,
    JobStatus::kLeased,  JobStatus::kRunning,  JobStatus::kSucceeded,
    JobStatus::kFailed,  JobStatus::kTimedOut, JobStatus::kCanceled};

// What made a transition happen. Several causes can share a (from, to) pair, e.g.
// running -> queued is either a lease expiry or a scheduled retry.
enum class TransitionCause {
  kParentsSucceeded,  // pending -> queued
  kUpstreamFailed,    // pending -> canceled (a parent failed / timed out / was canceled)
  kThrottle,          // queued -> throttled (quota, rate limit, breaker, paused source)
  kUnthrottle,        // throttled -> queued (the limit lifted / next_eligible_at reached)
  kClaim,             // queued -> leased
  kStart,             // leased -> running (explicit start or first heartbeat)
  kSucceed,           // leased|running -> succeeded
  kFail,              // leased|running -> failed (no attempts left or non-retryable)
  kTimeout,           // leased|running -> timed_out (reported, or lease expired on last attempt)
  kCancel,            // pending|queued|throttled|leased|running -> canceled
  kLeaseExpired,      // leased|running -> queued (attempt counted)
  kRetry,             // leased|running -> queued (failed attempt, attempts left, backoff)
  kOperatorRetry,     // failed|timed_out -> queued (audited operator action)
};

struct Transition {
  JobStatus from;
  JobStatus to;
  TransitionCause cause;
  std::string_view event_type;  // orch.event.v1 eventType
};

std::string_view statusName(JobStatus status);
std::optional<JobStatus> parseStatus(std::string_view name);
std::string_view causeName(TransitionCause cause);

bool isTerminal(JobStatus status);
// Holds a lease: the statuses the expired-lease sweep and heartbeats look at.
bool isInFlight(JobStatus status);
// The statuses a job may be created in (enqueue): pending (has parents) or queued.
bool isInitialStatus(JobStatus status);

// Every allowed transition, in table order (from, then to, then cause).
const std::vector<Transition>& allowedTransitions();

// nullopt when from -> to is allowed for some cause; otherwise why not.
std::optional<std::string> checkTransition(JobStatus from, JobStatus to);
// nullopt when from -> to is allowed for exactly this cause; otherwise why not.
std::optional<std::string> checkTransition(JobStatus from, JobStatus to, TransitionCause cause);

// The event a transition emits; nullopt when the transition (with this cause) is not allowed.
std::optional<std::string_view> eventTypeFor(JobStatus from, JobStatus to, TransitionCause cause);
// The event of the pair's first cause (for pairs with one cause, the only one).
std::optional<std::string_view> eventTypeFor(JobStatus from, JobStatus to);

// Events that are not status transitions (SPEC §6), listed for completeness.
inline constexpr std::string_view kEventJobCreated = "job.created";
inline constexpr std::string_view kEventJobProgress = "job.progress";
inline constexpr std::string_view kEventJobDeadLettered = "job.dead_lettered";
inline constexpr std::string_view kEventJobReplayed = "job.replayed";

}  // namespace jobengine::scheduler
