// backoff.hpp — retry delays: exponential backoff with jitter (SPEC §2; defaults base 2 s,
// factor 2, cap 10 min, 5 attempts).
//
// nominal(attempt) = min(cap, base * factor^(attempt-1)) for the attempt that just failed
// (1-based). Jitter spreads retries of many jobs failing together:
//   kNone  -> nominal
//   kFull  -> uniform in [0, nominal)            (AWS "full jitter": least contention)
//   kEqual -> nominal/2 + uniform in [0, nominal/2)  (never retries sooner than half)
// The default is kEqual: a job failing against a 429-ing upstream must not come back at once.
// The random source is injected (uniform in [0, 1)), so results are deterministic in tests.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace jobengine::scheduler {

enum class Jitter { kNone, kFull, kEqual };

struct BackoffPolicy {
  std::chrono::milliseconds base{2000};
  double factor = 2.0;
  std::chrono::milliseconds cap{600000};
  int max_attempts = 5;
  Jitter jitter = Jitter::kEqual;
};

// Returns uniform doubles in [0, 1). Values outside are clamped.
using UniformRandom = std::function<double()>;

// nullopt when the policy is usable; otherwise what is wrong with it.
std::optional<std::string> validatePolicy(const BackoffPolicy& policy);

// The un-jittered delay after `attempt` (1-based) failed; attempt < 1 counts as 1.
std::chrono::milliseconds nominalDelay(int attempt, const BackoffPolicy& policy);

// The delay before the next attempt after `attempt` (1-based) failed, jittered with rng.
std::chrono::milliseconds nextDelay(int attempt, const BackoffPolicy& policy,
                                    const UniformRandom& rng);

// True when a job that has made `attempts_made` attempts may try again.
bool hasAttemptsLeft(int attempts_made, const BackoffPolicy& policy);

// A UniformRandom backed by a thread-local std::mt19937_64 seeded from std::random_device.
UniformRandom defaultUniformRandom();

std::optional<Jitter> parseJitter(const std::string& name);

}  // namespace jobengine::scheduler
