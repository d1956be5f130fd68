// Strict parsing of [plugins.scheduler]: known keys only, exact types, documented ranges.
#include "core/scheduler_settings.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace jobengine::scheduler {
namespace {

constexpr const char* kPrefix = "plugins.scheduler";
constexpr std::array<std::string_view, 9> kAllowedKeys = {
    "default_max_attempts", "default_lease_seconds", "runner_threads",
    "claim_batch_size",     "backoff_base_ms",       "backoff_factor",
    "backoff_cap_ms",       "poll_interval_ms",      "sweep_interval_ms"};

std::string typeName(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    return "an integer";
  }
  if (value.is_number()) {
    return "a number";
  }
  if (value.is_string()) {
    return "a string";
  }
  if (value.is_boolean()) {
    return "a boolean";
  }
  if (value.is_array()) {
    return "an array";
  }
  if (value.is_object()) {
    return "a table";
  }
  return "null";
}

void rejectUnknownKeys(const nlohmann::json& config) {
  for (const auto& item : config.items()) {
    bool known = false;
    for (const std::string_view allowed : kAllowedKeys) {
      known = known || allowed == item.key();
    }
    if (!known) {
      std::string list;
      for (const std::string_view allowed : kAllowedKeys) {
        list += (list.empty() ? "" : ", ") + std::string(allowed);
      }
      throw SettingsError(std::string(kPrefix) + ": unknown key '" + item.key() +
                          "' (allowed: " + list + ")");
    }
  }
}

void readInt(const nlohmann::json& config, const char* key, int min, int max, int& out) {
  const auto it = config.find(key);
  if (it == config.end()) {
    return;
  }
  if (!it->is_number_integer()) {
    throw SettingsError(std::string(kPrefix) + "." + key + ": expected an integer, got " +
                        typeName(*it));
  }
  const int64_t value = it->get<int64_t>();
  if (value < min || value > max) {
    throw SettingsError(std::string(kPrefix) + "." + key + ": must be between " +
                        std::to_string(min) + " and " + std::to_string(max) + ", got " +
                        std::to_string(value));
  }
  out = static_cast<int>(value);
}

void readNumber(const nlohmann::json& config, const char* key, double min, double max,
                double& out) {
  const auto it = config.find(key);
  if (it == config.end()) {
    return;
  }
  if (!it->is_number()) {
    throw SettingsError(std::string(kPrefix) + "." + key + ": expected a number, got " +
                        typeName(*it));
  }
  const double value = it->get<double>();
  if (!(value >= min && value <= max)) {
    throw SettingsError(std::string(kPrefix) + "." + key + ": must be between " +
                        nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump() +
                        ", got " + it->dump());
  }
  out = value;
}

}  // namespace

SchedulerSettings parseSchedulerSettings(const nlohmann::json& config) {
  SchedulerSettings settings;
  if (config.is_null()) {
    return settings;
  }
  if (!config.is_object()) {
    throw SettingsError(std::string(kPrefix) + ": expected a table, got " + typeName(config));
  }
  rejectUnknownKeys(config);
  readInt(config, "default_max_attempts", 1, 100, settings.default_max_attempts);
  readInt(config, "default_lease_seconds", 1, 86400, settings.default_lease_seconds);
  readInt(config, "runner_threads", 0, 256, settings.runner_threads);
  readInt(config, "claim_batch_size", 1, 1000, settings.claim_batch_size);
  readInt(config, "backoff_base_ms", 1, 86400000, settings.backoff_base_ms);
  readNumber(config, "backoff_factor", 1.0, 100.0, settings.backoff_factor);
  readInt(config, "backoff_cap_ms", 1, 86400000, settings.backoff_cap_ms);
  readInt(config, "poll_interval_ms", 10, 60000, settings.poll_interval_ms);
  readInt(config, "sweep_interval_ms", 50, 600000, settings.sweep_interval_ms);
  return settings;
}

nlohmann::json toJson(const SchedulerSettings& settings) {
  return nlohmann::json{{"default_max_attempts", settings.default_max_attempts},
                        {"default_lease_seconds", settings.default_lease_seconds},
                        {"runner_threads", settings.runner_threads},
                        {"claim_batch_size", settings.claim_batch_size},
                        {"backoff_base_ms", settings.backoff_base_ms},
                        {"backoff_factor", settings.backoff_factor},
                        {"backoff_cap_ms", settings.backoff_cap_ms},
                        {"poll_interval_ms", settings.poll_interval_ms},
                        {"sweep_interval_ms", settings.sweep_interval_ms}};
}

}  // namespace jobengine::scheduler
