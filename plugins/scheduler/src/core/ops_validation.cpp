// ops_validation.cpp — field errors and non-negative integer parsing (see ops_validation.hpp).
#include "core/ops_validation.hpp"

#include <charconv>

namespace jobengine::scheduler {

FieldError validationFailed(const std::string& field, const std::string& message) {
  return FieldError{422, "VALIDATION_FAILED", field + ": " + message, field};
}

std::optional<int64_t> parseNonNegative(std::string_view text) {
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace jobengine::scheduler
