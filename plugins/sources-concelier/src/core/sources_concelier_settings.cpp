// Strict parsing of [plugins.sources-concelier]: known keys only, exact types, documented ranges.
#include "core/sources_concelier_settings.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace jobengine::concelier {
namespace {

constexpr const char* kPrefix = "plugins.sources-concelier";
constexpr std::array<std::string_view, 2> kAllowedKeys = {"fetch_timeout_seconds", "mirror_dir"};

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

void readString(const nlohmann::json& config, const char* key, std::string& out) {
  const auto it = config.find(key);
  if (it == config.end()) {
    return;
  }
  if (!it->is_string()) {
    throw SettingsError(std::string(kPrefix) + "." + key + ": expected a string, got " +
                        typeName(*it));
  }
  out = it->get<std::string>();
}

}  // namespace

ConcelierSettings parseConcelierSettings(const nlohmann::json& config) {
  ConcelierSettings settings;
  if (config.is_null()) {
    return settings;
  }
  if (!config.is_object()) {
    throw SettingsError(std::string(kPrefix) + ": expected a table, got " + typeName(config));
  }
  rejectUnknownKeys(config);
  readInt(config, "fetch_timeout_seconds", 1, 3600, settings.fetch_timeout_seconds);
  readString(config, "mirror_dir", settings.mirror_dir);
  return settings;
}

nlohmann::json toJson(const ConcelierSettings& settings) {
  return nlohmann::json{{"fetch_timeout_seconds", settings.fetch_timeout_seconds},
                        {"mirror_dir", settings.mirror_dir}};
}

}  // namespace jobengine::concelier
