// Serializes HttpError into the SPEC §5 error envelope.
#include "api/http_error.hpp"

namespace jobengine::host {

nlohmann::json errorEnvelope(const HttpError& error, std::string_view trace_id) {
  nlohmann::json body = {{"code", error.code}, {"message", error.message}};
  body["traceId"] = std::string(trace_id);
  body["details"] = error.details.is_object() ? error.details : nlohmann::json::object();
  return nlohmann::json{{"error", std::move(body)}};
}

}  // namespace jobengine::host
