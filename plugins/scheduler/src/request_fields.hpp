// Request-field readers shared by the job service files: each throws ApiError 422
// VALIDATION_FAILED naming the field and what is allowed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api_error.hpp"

namespace jobengine::scheduler {

ApiError invalidField(const std::string& field, const std::string& message);
std::optional<std::string> optString(const nlohmann::json& o, const char* key,
                                     size_t max_len = 256);
std::optional<int> optInt(const nlohmann::json& o, const char* key, int lo, int hi);
std::optional<std::string> optUuid(const nlohmann::json& o, const char* key);

}  // namespace jobengine::scheduler
