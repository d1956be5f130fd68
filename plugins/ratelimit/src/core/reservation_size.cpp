// reservation_size.cpp — see reservation_size.hpp.
#include "core/reservation_size.hpp"

#include <algorithm>
#include <cmath>

namespace jobengine::ratelimit {

int64_t reservationBlockSize(std::optional<int64_t> free_slots, std::optional<double> tokens,
                             int64_t min_block, int64_t growth) {
  if (min_block <= 0) {
    return 0;
  }
  int64_t size = min_block * 16 * std::clamp<int64_t>(growth, 1, kMaxBlockGrowth);
  if (free_slots) {
    size = std::min(size, std::max<int64_t>(0, *free_slots) / 4);
  }
  if (tokens) {
    const double whole = std::floor(std::max(0.0, *tokens));
    size = std::min(size, static_cast<int64_t>(std::min(whole, 4.0e18)) / 4);
  }
  return size >= min_block ? size : 0;
}

int64_t nextBlockGrowth(int64_t previous, bool ran_low, double seconds_since_last_take) {
  if (previous < 1 || !ran_low || !(seconds_since_last_take < kQuickRetakeSeconds)) {
    return 1;
  }
  return std::min(previous * 2, kMaxBlockGrowth);
}

}  // namespace jobengine::ratelimit
