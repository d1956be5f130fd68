// Unit tests of the time helpers: seconds between points, rounding up, saturation at kNever.
#include "core/time_types.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::atMs;
using testing::kT0;

TEST(TimeTypesTest, SecondsBetweenIsSignedAndFractional) {
  EXPECT_DOUBLE_EQ(secondsBetween(kT0, atMs(2500)), 2.5);
  EXPECT_DOUBLE_EQ(secondsBetween(at(3), kT0), -3.0);
}

TEST(TimeTypesTest, AddSecondsAddsExactBinaryFractions) {
  EXPECT_EQ(addSeconds(kT0, 1.25), atMs(1250));
  EXPECT_EQ(addSeconds(kT0, 0.0), kT0);
  EXPECT_EQ(addSeconds(kT0, -4.0), kT0);
}

TEST(TimeTypesTest, AddSecondsRoundsUpToTheNextTick) {
  const TimePoint result = addSeconds(kT0, 1e-10);  // a tenth of a nanosecond
  EXPECT_EQ(result, kT0 + Clock::duration(1));
}

TEST(TimeTypesTest, AddSecondsSaturatesAtNever) {
  EXPECT_EQ(addSeconds(kT0, 1e30), kNever);
  EXPECT_EQ(addSeconds(kNever, 1.0), kNever);
}

}  // namespace
}  // namespace jobengine::ratelimit
