// Loads HostConfig from TOML, environment variables and command-line overrides, strictly.
//
// Precedence (lowest to highest): built-in defaults, the TOML file, environment variables
// (JOBENGINE_<SECTION>_<KEY>, e.g. JOBENGINE_HTTP_PORT), then `--set section.key=value`
// overrides from the command line. Every key is checked against the schema in
// config_schema.cpp: an unknown table or key, or a value of the wrong type or out of range,
// is a ConfigError whose message names the file, line and column (or the override it came
// from) and lists what is allowed.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/host_config.hpp"

namespace jobengine::host {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One override: "http.port" = "9090", with where it came from for error messages.
struct ConfigOverride {
  std::string path;    // dotted: "http.port", "plugins.scheduler.enabled"
  std::string value;   // parsed as a TOML value; taken as a string when it is not one
  std::string origin;  // "JOBENGINE_HTTP_PORT" or "--set"
};

// Reads JOBENGINE_<SECTION>_<KEY> variables for every key of the host schema.
std::vector<ConfigOverride> overridesFromEnvironment();

// Parses "section.key=value" (as given to --set); throws ConfigError on a malformed one.
ConfigOverride parseSetOption(const std::string& text);

// Loads the file (an empty path means defaults only) and applies the overrides in order.
HostConfig loadConfig(const std::string& path, const std::vector<ConfigOverride>& overrides);

// The non-secret settings as JSON (je.config host_setting, `config check --print`).
std::string publicSettingsJson(const HostConfig& config);

// "postgresql://user:***@host/db" — DSNs never reach a log with their password.
std::string redactDsn(const std::string& dsn);

}  // namespace jobengine::host
