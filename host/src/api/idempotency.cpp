// Idempotency-Key validation, request fingerprints, record (de)serialization and the replay
// decision (see idempotency.hpp).
#include "api/idempotency.hpp"

#include <jobengine/json_limits.hpp>

#include <jobengine/canonical_json.hpp>

#include "api/encoding.hpp"

#include <strings.h>

#include <array>

namespace jobengine::host {

std::optional<HttpError> validateIdempotencyKey(std::string_view key) {
  bool visible = !key.empty() && key.size() <= kMaxIdempotencyKeyChars;
  for (const char c : key) {
    visible = visible && c > 0x20 && c < 0x7f;
  }
  if (!visible) {
    return makeHttpError(
        400, "INVALID_HEADER", "Idempotency-Key: must be 1 to 255 visible ASCII characters",
        {{"header", std::string(kIdempotencyKeyHeader)}, {"maxLength", kMaxIdempotencyKeyChars}});
  }
  return std::nullopt;
}

std::string canonicalBody(std::string_view body) {
  const auto parsed = sdk::parseJsonBounded(body, "the request body");
  if (!parsed.ok()) {
    return std::string(body);
  }
  const nlohmann::json& doc = parsed.value;
  // nlohmann's object is a std::map: dump() emits keys sorted, without whitespace.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string requestFingerprint(std::string_view method, std::string_view path,
                               std::string_view body) {
  std::string input;
  input.reserve(method.size() + path.size() + body.size() + 2);
  input.append(method).append("\n").append(path).append("\n").append(canonicalBody(body));
  return sdk::sha256Hex(input);
}

bool isReplayedHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kKept = {"Content-Type", "Location", "ETag",
                                                            "Retry-After", "Content-Language"};
  for (const auto k : kKept) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> replayableHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : headers) {
    if (isReplayedHeader(h.first)) {
      out.push_back(h);
    }
  }
  return out;
}

nlohmann::json IdempotencyRecord::toJson() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& [name, value] : headers) {
    h.push_back({name, value});
  }
  return {{"status", status},
          {"headers", h},
          {"body", body},
          {"fingerprint", fingerprint},
          {"completed", completed}};
}

std::optional<IdempotencyRecord> IdempotencyRecord::fromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("status") || !j["status"].is_number_integer() ||
      !j.contains("fingerprint") || !j["fingerprint"].is_string()) {
    return std::nullopt;
  }
  IdempotencyRecord r;
  r.status = j["status"].get<int>();
  r.fingerprint = j["fingerprint"].get<std::string>();
  r.body = j.value("body", std::string{});
  r.completed = j.value("completed", false);
  if (const auto h = j.find("headers"); h != j.end() && h->is_array()) {
    for (const auto& pair : *h) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        r.headers.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  return r;
}

IdempotencyDecision decideIdempotency(const std::optional<IdempotencyRecord>& existing,
                                      std::string_view fingerprint) {
  if (!existing) {
    return {IdempotencyAction::kExecute, std::nullopt};
  }
  if (existing->fingerprint != fingerprint) {
    return {IdempotencyAction::kReject,
            makeHttpError(422, "IDEMPOTENCY_KEY_REUSED",
                          "Idempotency-Key was already used with a different request body",
                          {{"header", std::string(kIdempotencyKeyHeader)}})};
  }
  if (!existing->completed) {
    return {IdempotencyAction::kReject,
            makeHttpError(409, "IDEMPOTENCY_IN_FLIGHT",
                          "a request with this Idempotency-Key is still being processed; retry "
                          "later",
                          {{"header", std::string(kIdempotencyKeyHeader)}})};
  }
  return {IdempotencyAction::kReplay, std::nullopt};
}

}  // namespace jobengine::host
