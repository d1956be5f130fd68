// reservation_size.hpp — how big a local reservation block is (docs/reservations.md): the
// pure rule the reservation keeper applies under the quota's row lock. Plain C++, unit-tested.
//
// A block takes a quarter of what the quota has left — free slots (maxActive minus the active
// jobs and the other blocks) and whole tokens — so that other replicas and the claims that lock
// the quota still find room, at most 16 minimum blocks, and none at all when the quarter is
// under the minimum: a quota near its limits is admitted claim by claim under its lock, where
// every decision is exact to the job.
#pragma once

#include <cstdint>
#include <optional>

namespace jobengine::ratelimit {

// free_slots: maxActive - active - reserved (nullopt: no maxActive); tokens: the refilled
// bucket level (nullopt: no maxPerHour); min_block: reservation_min_block (0: never). Returns
// the block's size, 0 for none.
int64_t reservationBlockSize(std::optional<int64_t> free_slots, std::optional<double> tokens,
                             int64_t min_block);

}  // namespace jobengine::ratelimit
