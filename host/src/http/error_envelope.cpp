// Error envelope and the small HttpReply / IncomingRequest helpers (see error_envelope.hpp,
// http_types.hpp).
#include "http/error_envelope.hpp"

#include "http/http_util.hpp"

namespace jobengine::host {

std::optional<std::string> IncomingRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

void HttpReply::setHeader(std::string_view name, std::string_view value) {
  for (auto& [key, existing] : headers) {
    if (iequals(key, name)) {
      existing = std::string(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

nlohmann::json errorJson(std::string_view code, std::string_view message, std::string_view trace_id,
                         const nlohmann::json& details) {
  nlohmann::json error = {{"code", code}, {"message", message}, {"traceId", trace_id}};
  if (!details.is_null()) {
    error["details"] = details;
  }
  return nlohmann::json{{"error", std::move(error)}};
}

HttpReply errorReply(int status, std::string_view code, std::string_view message,
                     std::string_view trace_id, const nlohmann::json& details) {
  HttpReply reply;
  reply.status = status;
  reply.body = errorJson(code, message, trace_id, details)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

}  // namespace jobengine::host
