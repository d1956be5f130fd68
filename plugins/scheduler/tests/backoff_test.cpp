// backoff_test.cpp — exponential growth, cap, jitter bounds and determinism of core/backoff.
#include "core/backoff.hpp"

#include <gtest/gtest.h>

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)
using std::chrono::milliseconds;

TEST(Backoff, DefaultsMatchSpec) {
  const BackoffPolicy p;
  EXPECT_EQ(p.base, milliseconds(2000));
  EXPECT_EQ(p.factor, 2.0);
  EXPECT_EQ(p.cap, milliseconds(600000));
  EXPECT_EQ(p.max_attempts, 5);
  EXPECT_FALSE(validatePolicy(p));
}

TEST(Backoff, NominalGrowsExponentiallyAndCaps) {
  const BackoffPolicy p;
  EXPECT_EQ(nominalDelay(0, p), milliseconds(2000));
  EXPECT_EQ(nominalDelay(1, p), milliseconds(2000));
  EXPECT_EQ(nominalDelay(2, p), milliseconds(4000));
  EXPECT_EQ(nominalDelay(5, p), milliseconds(32000));
  EXPECT_EQ(nominalDelay(9, p), milliseconds(512000));
  EXPECT_EQ(nominalDelay(10, p), milliseconds(600000));
  EXPECT_EQ(nominalDelay(100000, p), milliseconds(600000));
}

TEST(Backoff, NoJitterIsNominal) {
  BackoffPolicy p;
  p.jitter = Jitter::kNone;
  EXPECT_EQ(nextDelay(3, p, [] { return 0.99; }), milliseconds(8000));
}

TEST(Backoff, FullJitterBounds) {
  BackoffPolicy p;
  p.jitter = Jitter::kFull;
  EXPECT_EQ(nextDelay(3, p, [] { return 0.0; }), milliseconds(0));
  EXPECT_EQ(nextDelay(3, p, [] { return 0.5; }), milliseconds(4000));
  EXPECT_LT(nextDelay(3, p, [] { return 0.999999; }), milliseconds(8000));
  EXPECT_LT(nextDelay(3, p, [] { return 7.0; }), milliseconds(8000));  // clamped
  EXPECT_EQ(nextDelay(3, p, [] { return -1.0; }), milliseconds(0));    // clamped
}

TEST(Backoff, EqualJitterBoundsAndCap) {
  const BackoffPolicy p;  // equal jitter by default
  EXPECT_EQ(nextDelay(3, p, [] { return 0.0; }), milliseconds(4000));
  EXPECT_EQ(nextDelay(3, p, [] { return 0.5; }), milliseconds(6000));
  EXPECT_EQ(nextDelay(50, p, [] { return 0.0; }), milliseconds(300000));
  EXPECT_LT(nextDelay(50, p, [] { return 0.9999999; }), milliseconds(600000));
  const auto rng = defaultUniformRandom();
  for (int attempt = 1; attempt <= 30; ++attempt) {
    const auto d = nextDelay(attempt, p, rng);
    EXPECT_GE(d, nominalDelay(attempt, p) / 2);
    EXPECT_LE(d, nominalDelay(attempt, p));
  }
}

TEST(Backoff, DeterministicWithInjectedRandom) {
  const BackoffPolicy p;
  double seq[] = {0.1, 0.7, 0.3};
  int i = 0;
  const UniformRandom rng = [&] { return seq[i++ % 3]; };
  const auto a = nextDelay(4, p, rng);
  i = 0;
  EXPECT_EQ(nextDelay(4, p, rng), a);
}

TEST(Backoff, AttemptsLeftAndValidation) {
  const BackoffPolicy p;
  EXPECT_TRUE(hasAttemptsLeft(4, p));
  EXPECT_FALSE(hasAttemptsLeft(5, p));
  BackoffPolicy bad;
  bad.factor = 0.5;
  EXPECT_TRUE(validatePolicy(bad));
  bad = BackoffPolicy{};
  bad.cap = milliseconds(10);
  EXPECT_TRUE(validatePolicy(bad));
  bad = BackoffPolicy{};
  bad.max_attempts = 0;
  EXPECT_TRUE(validatePolicy(bad));
  EXPECT_EQ(parseJitter("full"), Jitter::kFull);
  EXPECT_EQ(parseJitter("bogus"), std::nullopt);
}
