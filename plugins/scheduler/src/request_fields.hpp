// Request-field readers shared by the job service files: each throws JobRefusal kInvalid
// (HTTP 422) VALIDATION_FAILED naming the field and what is allowed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "job_refusal.hpp"

namespace jobengine::scheduler {

JobRefusal invalidField(const std::string& field, const std::string& message);
std::optional<std::string> optString(const nlohmann::json& o, const char* key,
                                     size_t max_len = 256);
std::optional<int> optInt(const nlohmann::json& o, const char* key, int lo, int hi);
std::optional<std::string> optUuid(const nlohmann::json& o, const char* key);

}  // namespace jobengine::scheduler
