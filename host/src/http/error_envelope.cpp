// The one implementation of the error envelope (errorJson; errorEnvelope and errorReply build
// on it), and the small HttpReply / IncomingRequest helpers (see error_envelope.hpp,
// api/http_error.hpp, http_types.hpp).
#include "http/error_envelope.hpp"
#include "api/http_error.hpp"

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

nlohmann::json errorEnvelope(const HttpError& error, std::string_view trace_id) {
  // Errors built as HttpError values always carry "details" (an empty object at least).
  return errorJson(error.code, error.message, trace_id,
                   error.details.is_object() ? error.details : nlohmann::json::object());
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
