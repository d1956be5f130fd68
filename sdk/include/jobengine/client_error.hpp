// client_error.hpp — the refusal that the SDK's request helpers (pagination.hpp, etag.hpp)
// return instead of throwing: an HTTP status, the SPEC §5 UPPER_SNAKE code, a message that
// says what was wrong and what is allowed, and details (the parameter or header at fault).
//
// Plain values, so the host and each plugin map them onto their own error reply: a plugin
// route answers `response.error(e.status, e.code, e.message, request.traceId(), e.details)`,
// which is the SPEC §5 envelope {"error": {"code", "message", "traceId", "details"}}.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobengine::sdk {

struct ClientError {
  int status = 400;
  std::string code;
  std::string message;
  nlohmann::json details = nlohmann::json::object();
};

// A parsed value or the refusal: `value` is meaningful only when `error` is empty.
template <typename T>
struct Checked {
  T value{};
  std::optional<ClientError> error;
  explicit operator bool() const { return !error.has_value(); }
};

}  // namespace jobengine::sdk
