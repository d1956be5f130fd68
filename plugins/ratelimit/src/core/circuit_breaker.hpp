// CircuitBreaker: the per (tenant, job_type) breaker of SPEC §3.
//
// closed -> open when, over a sliding window, at least min_completions completions were seen and
// the failure share reached failure_ratio (defaults: >= 50 % of >= 20 completions in 60 s);
// open -> half_open once open_seconds have passed (on the next admit); half_open lets
// half_open_probes probe jobs through: one failure reopens at once, half_open_probes successes
// close it and clear the window. The window is a fixed ring of kBreakerSlots slots of
// window_seconds / kBreakerSlots each, stored as a small vector; it counts the current slot and
// the kBreakerSlots - 1 before it, so it spans between window - width and window seconds.
#pragma once

#include <optional>
#include <vector>

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

// Slots in the sliding window (5 s each with the default 60 s window).
inline constexpr int kBreakerSlots = 12;

struct BreakerConfig {
  double failure_ratio = 0.5;  // open when failures / completions >= this
  int min_completions = 20;    // ... and completions in the window >= this
  int window_seconds = 60;     // sliding window length
  int open_seconds = 30;       // time open before the first probe
  int half_open_probes = 3;    // probes admitted in half_open; as many successes close it
};

enum class BreakerState { closed, open, half_open };

struct BreakerSlot {
  TimePoint slot_start{};  // start of the slot's interval, aligned to a multiple of the width
  int successes = 0;
  int failures = 0;
};

struct CircuitBreaker {
  BreakerState state = BreakerState::closed;
  std::vector<BreakerSlot> slots;  // the ring; any other shape (e.g. only the non-empty slots,
                                   // as stored) is laid out again by slot start on first use
  TimePoint opened_until{};        // open: no admission before this
  int probes_admitted = 0;         // half_open: probes let through so far
  int probe_successes = 0;         // half_open: probes that succeeded so far
};

// A state change, so the caller can emit circuit.opened / circuit.closed.
struct Transition {
  BreakerState from = BreakerState::closed;
  BreakerState to = BreakerState::closed;
};

struct BreakerAdmission {
  int allowed = 0;
  TimePoint next_eligible_at{};  // for the refused ones; `now` when none is refused
};

// Records one completion of a job of this (tenant, job_type). closed: counts it in the window
// and opens the breaker (opened_until = now + open_seconds) when the threshold is reached — also
// on the success that brings completions up to min_completions, since the definition holds.
// half_open: a failure reopens at once, the half_open_probes-th success closes and clears the
// window. open: ignored (jobs leased before the breaker opened, finishing late). Returns the
// transition, if any.
std::optional<Transition> recordOutcome(CircuitBreaker& breaker, const BreakerConfig& config,
                                        bool success, TimePoint now);

// How many of `requested` jobs may be leased now. closed: all. open: none before opened_until
// (next_eligible_at = opened_until), after it the breaker turns half_open. half_open: up to
// half_open_probes - probes_admitted, counted as admitted probes; when none is left,
// next_eligible_at = now + open_seconds (a probe's outcome is awaited; no known end, and that is
// the longest a reopen would keep the jobs back). Call it with the number actually leased.
BreakerAdmission admit(CircuitBreaker& breaker, const BreakerConfig& config, int requested,
                       TimePoint now);

// Operator reset: closed, empty window, no probes.
void reset(CircuitBreaker& breaker);

// Completions and failures counted in the window at `now` (read only; for tests and /info).
struct WindowCounts {
  int completions = 0;
  int failures = 0;
};
WindowCounts windowCounts(const CircuitBreaker& breaker, const BreakerConfig& config,
                          TimePoint now);

}  // namespace jobengine::ratelimit
