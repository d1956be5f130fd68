// The HTTP error every API layer returns: status, UPPER_SNAKE code, message and details.
//
// SPEC §5 fixes the wire shape: {"error": {"code", "message", "traceId", "details"}}. Layers
// below the HTTP adapter (auth, idempotency, streams) build HttpError values, and the SDK's
// ClientError (pagination, ETag) maps field by field onto one; only the adapter adds the trace
// id and serializes the envelope.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace jobengine::host {

struct HttpError {
  int status = 500;
  std::string code;     // UPPER_SNAKE, e.g. "SCOPE_MISSING"
  std::string message;  // says what was wrong, where, and what is allowed
  nlohmann::json details = nlohmann::json::object();
};

inline HttpError makeHttpError(int status, std::string code, std::string message,
                               nlohmann::json details = nlohmann::json::object()) {
  return HttpError{status, std::move(code), std::move(message), std::move(details)};
}

// The error envelope body for `error`, carrying `trace_id` (may be empty). Implemented with
// the host's one envelope builder, errorJson (http/error_envelope.cpp).
nlohmann::json errorEnvelope(const HttpError& error, std::string_view trace_id);

}  // namespace jobengine::host
