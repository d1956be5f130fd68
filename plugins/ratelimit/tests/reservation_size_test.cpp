// Unit tests for the local reservation block size (core/reservation_size.hpp).
#include <gtest/gtest.h>

#include "core/reservation_size.hpp"

namespace jobengine::ratelimit {
namespace {

TEST(ReservationBlockSize, TakesAQuarterOfWhatIsLeftUpToSixteenMinimumBlocks) {
  EXPECT_EQ(reservationBlockSize(4000, std::nullopt, 256), 1000);
  EXPECT_EQ(reservationBlockSize(std::nullopt, 8000.9, 256), 2000);
  EXPECT_EQ(reservationBlockSize(1000000, 1.0e9, 256), 4096);
  EXPECT_EQ(reservationBlockSize(std::nullopt, std::nullopt, 256), 4096);
}

TEST(ReservationBlockSize, TheSmallerOfSlotsAndTokensWins) {
  EXPECT_EQ(reservationBlockSize(2000, 100000.0, 256), 500);
  EXPECT_EQ(reservationBlockSize(100000, 1200.0, 256), 300);
}

TEST(ReservationBlockSize, NoneNearTheLimitsOrWhenDisabled) {
  // maxActive = 5 (the system test): admitted claim by claim under the quota's lock.
  EXPECT_EQ(reservationBlockSize(5, std::nullopt, 256), 0);
  EXPECT_EQ(reservationBlockSize(1023, std::nullopt, 256), 0);
  EXPECT_EQ(reservationBlockSize(1024, std::nullopt, 256), 256);
  EXPECT_EQ(reservationBlockSize(std::nullopt, 1023.99, 256), 0);
  EXPECT_EQ(reservationBlockSize(-40, std::nullopt, 256), 0);  // over the limit already
  EXPECT_EQ(reservationBlockSize(std::nullopt, -3.0, 256), 0);
  EXPECT_EQ(reservationBlockSize(1000000, 1.0e9, 0), 0);
}

}  // namespace
}  // namespace jobengine::ratelimit
