// The schema of the host's own TOML tables ([host], [http], [database], [auth], [log],
// [leader]): for every key its type, its allowed range and where it lands in HostConfig. The
// loader checks the file and the overrides against it; docs/configuration.md mirrors it for
// operators.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/host_config.hpp"

namespace jobengine::host {

enum class ConfigType { kString, kInteger, kNumber, kBoolean, kStringArray };

// A checked value handed to a key's setter.
struct ConfigValue {
  std::string text;
  int64_t integer = 0;
  double number = 0;  // kNumber: an integer or a float in the file
  bool boolean = false;
  std::vector<std::string> strings;
};

struct ConfigKey {
  std::string name;
  ConfigType type;
  int64_t min = 0;                   // integers and numbers only
  int64_t max = 0;                   // integers and numbers only
  std::vector<std::string> choices;  // strings only; empty = any
  bool secret = false;               // never printed
  std::function<void(HostConfig&, const ConfigValue&)> set;
};

struct ConfigSection {
  std::string name;
  std::vector<ConfigKey> keys;
};

// The host's sections, in documentation order. "plugins" is handled separately.
const std::vector<ConfigSection>& hostConfigSchema();

const char* typeName(ConfigType type);

}  // namespace jobengine::host
