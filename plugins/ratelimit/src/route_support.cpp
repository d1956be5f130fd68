// route_support.cpp — error envelopes, pages, bodies and events of the operator routes (see
// route_support.hpp).
#include "route_support.hpp"

namespace jobengine::ratelimit {

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message, const nlohmann::json& details) {
  response.error(status, code, message, request.traceId(), details);
}

void sendInputError(sdk::Response& response, const sdk::Request& request, const InputError& e) {
  sendError(response, request, 422, "VALIDATION_FAILED", e.message,
            e.field.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"field", e.field}});
}

void sendClientError(sdk::Response& response, const sdk::Request& request,
                     const sdk::ClientError& e) {
  sendError(response, request, e.status, e.code, e.message, e.details);
}

void sendNotFound(sdk::Response& response, const sdk::Request& request, const std::string& what,
                  const std::string& id, const nlohmann::json& details) {
  sendError(response, request, 404, "NOT_FOUND", "no " + what + " '" + id + "'", details);
}

std::optional<sdk::PageRequest> pageRequest(const sdk::Request& request, sdk::Response& response,
                                            const std::string& binding) {
  auto page =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 1);
  if (!page) {
    sendClientError(response, request, *page.error);
    return std::nullopt;
  }
  return std::move(page.value);
}

std::optional<std::string> pageKey(const sdk::PageRequest& page, const sdk::Request& request,
                                   sdk::Response& response,
                                   const std::function<bool(const std::string&)>& valid,
                                   bool& refused) {
  refused = false;
  if (!page.after) {
    return std::nullopt;
  }
  const auto& key = (*page.after)[0];
  if (!key.is_string() || !valid(key.get<std::string>())) {
    sendClientError(response, request, sdk::invalidPageToken("the token's key is not valid here"));
    refused = true;
    return std::nullopt;
  }
  return key.get<std::string>();
}

std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response) {
  if (request.body().find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return nlohmann::json::object();
  }
  auto parsed = request.json();
  if (!parsed) {
    sendError(response, request, 400, "INVALID_JSON", "the request body is not valid JSON");
  }
  return parsed;
}

bool isUuid(const std::string& text) {
  if (text.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

void emitEvent(const RouteContext& ctx, sdk::Txn& txn, const std::string& type,
               const nlohmann::json& data) {
  ctx.host->emit(txn, {{"eventType", type}, {"data", data}});
}

std::optional<std::string> operatorReason(const sdk::Request& request) {
  const std::string_view reason = request.operatorReason();
  if (reason.empty()) {
    return std::nullopt;
  }
  return std::string(reason);
}

}  // namespace jobengine::ratelimit
