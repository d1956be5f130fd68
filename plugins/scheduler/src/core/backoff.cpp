// backoff.cpp — exponential backoff with jitter; see backoff.hpp for the formulas.
#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace jobengine::scheduler {

std::optional<std::string> validatePolicy(const BackoffPolicy& policy) {
  if (policy.base.count() <= 0) {
    return "backoff base must be > 0 ms";
  }
  if (!(policy.factor >= 1.0) || !std::isfinite(policy.factor)) {
    return "backoff factor must be a finite number >= 1";
  }
  if (policy.cap < policy.base) {
    return "backoff cap must be >= base";
  }
  if (policy.max_attempts < 1) {
    return "max_attempts must be >= 1";
  }
  return std::nullopt;
}

std::chrono::milliseconds nominalDelay(int attempt, const BackoffPolicy& policy) {
  const int n = std::max(attempt, 1) - 1;
  const auto cap_ms = static_cast<double>(policy.cap.count());
  // Computed in double and clamped before converting, so large attempts cannot overflow.
  const double raw = static_cast<double>(policy.base.count()) *
                     std::pow(policy.factor, static_cast<double>(std::min(n, 1024)));
  const double capped = std::isfinite(raw) ? std::min(raw, cap_ms) : cap_ms;
  return std::chrono::milliseconds(static_cast<int64_t>(capped));
}

std::chrono::milliseconds nextDelay(int attempt, const BackoffPolicy& policy,
                                    const UniformRandom& rng) {
  const auto nominal = static_cast<double>(nominalDelay(attempt, policy).count());
  double u = rng ? rng() : 0.0;
  if (!(u >= 0.0)) {
    u = 0.0;
  }
  u = std::min(u, std::nextafter(1.0, 0.0));
  double delay = nominal;
  switch (policy.jitter) {
    case Jitter::kNone:
      break;
    case Jitter::kFull:
      delay = u * nominal;
      break;
    case Jitter::kEqual:
      delay = nominal / 2.0 + u * (nominal / 2.0);
      break;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::floor(delay)));
}

bool hasAttemptsLeft(int attempts_made, const BackoffPolicy& policy) {
  return attempts_made < policy.max_attempts;
}

UniformRandom defaultUniformRandom() {
  return [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::optional<Jitter> parseJitter(const std::string& name) {
  if (name == "none") {
    return Jitter::kNone;
  }
  if (name == "full") {
    return Jitter::kFull;
  }
  if (name == "equal") {
    return Jitter::kEqual;
  }
  return std::nullopt;
}

}  // namespace jobengine::scheduler
