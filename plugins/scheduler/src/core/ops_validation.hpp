// ops_validation.hpp — request validation shared by the operator routes (sources, dead
// letters, pack runs): one error type that maps onto the SPEC §5 envelope, and non-negative
// integer parsing. Page size, page tokens and ETags come from the SDK (jobengine/pagination.hpp,
// jobengine/etag.hpp), like every other list and editable resource.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::scheduler {

// A client error: HTTP status (400 malformed, 422 semantically invalid), UPPER_SNAKE code,
// a message saying what was wrong and what is allowed, and the offending field (may be empty).
struct FieldError {
  int status = 400;
  std::string code;
  std::string message;
  std::string field;
};

// 422 VALIDATION_FAILED on `field`, the message prefixed with the field's name.
FieldError validationFailed(const std::string& field, const std::string& message);

// A non-negative decimal integer (e.g. ?after=<seq>); nullopt when not one.
std::optional<int64_t> parseNonNegative(std::string_view text);

}  // namespace jobengine::scheduler
