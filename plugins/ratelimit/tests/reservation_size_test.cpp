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

TEST(ReservationBlockSize, GrowthRaisesOnlyTheCapNeverTheQuarter) {
  EXPECT_EQ(reservationBlockSize(1000000, 1.0e9, 256, 2), 8192);
  EXPECT_EQ(reservationBlockSize(std::nullopt, std::nullopt, 256, 16), 65536);
  EXPECT_EQ(reservationBlockSize(std::nullopt, std::nullopt, 256, 1000), 65536);  // clamped
  EXPECT_EQ(reservationBlockSize(std::nullopt, std::nullopt, 256, 0), 4096);      // as 1
  // A quarter of the room still bounds it: other replicas and locked claims keep their share.
  EXPECT_EQ(reservationBlockSize(20000, std::nullopt, 256, 16), 5000);
  EXPECT_EQ(reservationBlockSize(std::nullopt, 12000.0, 256, 16), 3000);
  EXPECT_EQ(reservationBlockSize(1000, std::nullopt, 256, 16), 0);
}

TEST(NextBlockGrowth, DoublesWhileTheKeyRunsLowQuickly) {
  EXPECT_EQ(nextBlockGrowth(1, true, 0.3), 2);
  EXPECT_EQ(nextBlockGrowth(2, true, 0.5), 4);
  EXPECT_EQ(nextBlockGrowth(8, true, 0.99), 16);
  EXPECT_EQ(nextBlockGrowth(16, true, 0.1), kMaxBlockGrowth);  // no further
}

TEST(NextBlockGrowth, StartsAgainAtOneOtherwise) {
  EXPECT_EQ(nextBlockGrowth(0, true, 0.1), 1);   // no block taken yet
  EXPECT_EQ(nextBlockGrowth(8, true, 1.0), 1);   // ran low, but slowly
  EXPECT_EQ(nextBlockGrowth(8, true, 30.0), 1);  // the key idled
  EXPECT_EQ(nextBlockGrowth(8, false, 0.2), 1);  // renewed because old, not spent
}

}  // namespace
}  // namespace jobengine::ratelimit
