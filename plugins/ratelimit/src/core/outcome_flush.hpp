// outcome_flush.hpp — when a replica writes the job outcomes it folded for one breaker
// (outcome_recorder.hpp): the pure rule, unit-tested.
//
// Successes alone never move a closed breaker (they only lower its failure ratio), so while
// this replica last saw the breaker closed, a key with only successes folded waits until
// kQuietOutcomesEvery has passed since the key was last written; its successes then go with
// the next write, a failure's at the latest, so the failure ratio is judged on every outcome.
// Failures, and anything for a breaker never written here or last seen open or half-open (a
// probe's success closes it), are due at once. Measured: writing a busy, succeeding job type's
// outcomes every outcome_flush_ms (250 ms) took about a tenth of a 20,000-job drain
// (bench/README.md, 2026-12-07 23:00).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/circuit_breaker.hpp"

namespace jobengine::ratelimit {

inline constexpr std::chrono::seconds kQuietOutcomesEvery{2};

// failed: the failures folded for the key; last_seen: the breaker's state as this replica last
// wrote or admitted it (nullopt: never); since_written: time since this replica last wrote the
// key; everything: a final flush (stop), where all is due.
bool outcomesDue(int64_t failed, std::optional<BreakerState> last_seen,
                 std::chrono::steady_clock::duration since_written, bool everything);

}  // namespace jobengine::ratelimit
