// reservation_size.cpp — see reservation_size.hpp.
#include "core/reservation_size.hpp"

#include <algorithm>
#include <cmath>

namespace jobengine::ratelimit {

int64_t reservationBlockSize(std::optional<int64_t> free_slots, std::optional<double> tokens,
                             int64_t min_block) {
  if (min_block <= 0) {
    return 0;
  }
  int64_t size = min_block * 16;
  if (free_slots) {
    size = std::min(size, std::max<int64_t>(0, *free_slots) / 4);
  }
  if (tokens) {
    const double whole = std::floor(std::max(0.0, *tokens));
    size = std::min(size, static_cast<int64_t>(std::min(whole, 4.0e18)) / 4);
  }
  return size >= min_block ? size : 0;
}

}  // namespace jobengine::ratelimit
