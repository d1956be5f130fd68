// reservation_size.hpp — how big a local reservation block is (docs/reservations.md): the
// pure rules the reservation keeper applies under the quota's row lock. Plain C++, unit-tested.
//
// A block takes a quarter of what the quota has left — free slots (maxActive minus the active
// jobs and the other blocks) and whole tokens — so that other replicas and the claims that lock
// the quota still find room, at most 16 minimum blocks times the key's growth factor, and none
// at all when the quarter is under the minimum: a quota near its limits is admitted claim by
// claim under its lock, where every decision is exact to the job.
//
// The growth factor (1, 2, 4 .. kMaxBlockGrowth) follows how fast the key spends its blocks: a
// key that ran low again within kQuickRetakeSeconds of its last take gets a block twice as big
// as the last, any other take starts again at 1. A drain then needs a few takes, not one every
// few hundred milliseconds (each take is a transaction that locks the quota row and, under a
// drain, took 60-220 ms; bench/README.md 2026-12-08).
#pragma once

#include <cstdint>
#include <optional>

namespace jobengine::ratelimit {

inline constexpr int64_t kMaxBlockGrowth = 16;
inline constexpr double kQuickRetakeSeconds = 1.0;

// free_slots: maxActive - active - reserved (nullopt: no maxActive); tokens: the refilled
// bucket level (nullopt: no maxPerHour); min_block: reservation_min_block (0: never); growth:
// the key's factor (nextBlockGrowth). Returns the block's size, 0 for none.
int64_t reservationBlockSize(std::optional<int64_t> free_slots, std::optional<double> tokens,
                             int64_t min_block, int64_t growth = 1);

// The growth factor of a key's next block. previous: the factor of its last block (0 or less:
// none yet); ran_low: the key's blocks hold less than it needs (rather than being old);
// seconds_since_last_take: since that block was taken.
int64_t nextBlockGrowth(int64_t previous, bool ran_low, double seconds_since_last_take);

}  // namespace jobengine::ratelimit
