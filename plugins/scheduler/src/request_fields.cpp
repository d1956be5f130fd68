// Request-field readers shared by the job service files (see request_fields.hpp).
#include "request_fields.hpp"

#include <jobengine/ids.hpp>

namespace jobengine::scheduler {

using nlohmann::json;

JobRefusal invalidField(const std::string& field, const std::string& message) {
  return JobRefusal(RefusalKind::kInvalid, "VALIDATION_FAILED", field + ": " + message,
                    json{{"field", field}});
}

std::optional<std::string> optString(const json& o, const char* key, size_t max_len) {
  if (!o.contains(key) || o[key].is_null()) {
    return std::nullopt;
  }
  if (!o[key].is_string()) {
    throw invalidField(key, "must be a string");
  }
  auto v = o[key].get<std::string>();
  if (v.empty() || v.size() > max_len) {
    throw invalidField(key, "must be 1.." + std::to_string(max_len) + " characters");
  }
  return v;
}

std::optional<int> optInt(const json& o, const char* key, int lo, int hi) {
  if (!o.contains(key) || o[key].is_null()) {
    return std::nullopt;
  }
  if (!o[key].is_number_integer()) {
    throw invalidField(key, "must be an integer");
  }
  const auto v = o[key].get<int64_t>();
  if (v < lo || v > hi) {
    throw invalidField(key, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int>(v);
}

std::optional<std::string> optUuid(const json& o, const char* key) {
  auto v = optString(o, key, 64);
  if (v && !sdk::isUuid(*v)) {
    throw invalidField(key, "must be a UUID");
  }
  return v;
}

}  // namespace jobengine::scheduler
