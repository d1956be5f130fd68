// The host's config schema; see config_schema.hpp. Adding a key means one entry here, one
// field in host_config.hpp and one line in docs/configuration.md.
#include "config/config_schema.hpp"

#include <jobengine/json_limits.hpp>

namespace jobengine::host {
namespace {

constexpr int64_t kMaxPort = 65535;
constexpr int64_t kMaxThreads = 256;

ConfigKey str(std::string name, std::function<void(HostConfig&, const ConfigValue&)> set,
              std::vector<std::string> choices = {}, bool secret = false) {
  return ConfigKey{std::move(name), ConfigType::kString, 0, 0, std::move(choices),
                   secret,          std::move(set)};
}

ConfigKey integer(std::string name, int64_t min, int64_t max,
                  std::function<void(HostConfig&, const ConfigValue&)> set) {
  return ConfigKey{std::move(name), ConfigType::kInteger, min, max, {}, false, std::move(set)};
}

ConfigKey number(std::string name, int64_t min, int64_t max,
                 std::function<void(HostConfig&, const ConfigValue&)> set) {
  return ConfigKey{std::move(name), ConfigType::kNumber, min, max, {}, false, std::move(set)};
}

ConfigKey boolean(std::string name, std::function<void(HostConfig&, const ConfigValue&)> set) {
  return ConfigKey{std::move(name), ConfigType::kBoolean, 0, 0, {}, false, std::move(set)};
}

ConfigKey strings(std::string name, std::function<void(HostConfig&, const ConfigValue&)> set) {
  return ConfigKey{std::move(name), ConfigType::kStringArray, 0, 0, {}, false, std::move(set)};
}

int toInt(const ConfigValue& v) { return static_cast<int>(v.integer); }

std::vector<ConfigSection> buildSchema() {
  std::vector<ConfigSection> s;
  s.push_back(
      {"host",
       {
           str("data_dir", [](HostConfig& c, const ConfigValue& v) { c.data_dir = v.text; }),
           str("plugin_dir", [](HostConfig& c, const ConfigValue& v) { c.plugin_dir = v.text; }),
           str("migrations_dir",
               [](HostConfig& c, const ConfigValue& v) { c.migrations_dir = v.text; }),
           strings("plugin_order",
                   [](HostConfig& c, const ConfigValue& v) { c.plugin_order = v.strings; }),
       }});
  s.push_back(
      {"http",
       {
           str("bind", [](HostConfig& c, const ConfigValue& v) { c.http.bind = v.text; }),
           integer("port", 0, kMaxPort,
                   [](HostConfig& c, const ConfigValue& v) { c.http.port = toInt(v); }),
           integer("stream_port", 0, kMaxPort,
                   [](HostConfig& c, const ConfigValue& v) { c.http.stream_port = toInt(v); }),
           integer(
               "body_limit_bytes", 1024, int64_t{1} << 30,
               [](HostConfig& c, const ConfigValue& v) { c.http.body_limit_bytes = v.integer; }),
           integer("json_max_depth", sdk::kJsonMinMaxDepth, sdk::kJsonMaxDepthCeiling,
                   [](HostConfig& c, const ConfigValue& v) { c.http.json_max_depth = toInt(v); }),
           integer("reactor_threads", 1, kMaxThreads,
                   [](HostConfig& c, const ConfigValue& v) { c.http.reactor_threads = toInt(v); }),
           integer("worker_threads", 1, kMaxThreads,
                   [](HostConfig& c, const ConfigValue& v) { c.http.worker_threads = toInt(v); }),
           integer("drain_timeout_ms", 0, 600000,
                   [](HostConfig& c, const ConfigValue& v) { c.http.drain_timeout_ms = toInt(v); }),
           integer("idempotency_retention_hours", 24, 24 * 366,
                   [](HostConfig& c, const ConfigValue& v) {
                     c.http.idempotency_retention_hours = toInt(v);
                   }),
       }});
  s.push_back(
      {"database",
       {
           str(
               "dsn", [](HostConfig& c, const ConfigValue& v) { c.database.dsn = v.text; }, {},
               true),
           integer(
               "embedded_port", 0, kMaxPort,
               [](HostConfig& c, const ConfigValue& v) { c.database.embedded_port = toInt(v); }),
           str("pg_bin_dir",
               [](HostConfig& c, const ConfigValue& v) { c.database.pg_bin_dir = v.text; }),
           str("run_as_user",
               [](HostConfig& c, const ConfigValue& v) { c.database.run_as_user = v.text; }),
           integer("pool_size", 1, 512,
                   [](HostConfig& c, const ConfigValue& v) { c.database.pool_size = toInt(v); }),
           boolean("fsync",
                   [](HostConfig& c, const ConfigValue& v) { c.database.fsync = v.boolean; }),
           str("app_role",
               [](HostConfig& c, const ConfigValue& v) { c.database.app_role = v.text; }),
       }});
  s.push_back(
      {"auth",
       {
           str("mode", [](HostConfig& c, const ConfigValue& v) { c.auth.mode = v.text; },
               {"dev", "production"}),
           str("issuer", [](HostConfig& c, const ConfigValue& v) { c.auth.issuer = v.text; }),
           str("audience", [](HostConfig& c, const ConfigValue& v) { c.auth.audience = v.text; }),
           str(
               "hs256_secret",
               [](HostConfig& c, const ConfigValue& v) { c.auth.hs256_secret = v.text; }, {}, true),
           strings(
               "public_key_files",
               [](HostConfig& c, const ConfigValue& v) { c.auth.public_key_files = v.strings; }),
           str(
               "stream_token_secret",
               [](HostConfig& c, const ConfigValue& v) { c.auth.stream_token_secret = v.text; }, {},
               true),
           integer("stream_token_ttl_seconds", 10, 86400,
                   [](HostConfig& c, const ConfigValue& v) {
                     c.auth.stream_token_ttl_seconds = toInt(v);
                   }),
           integer(
               "clock_skew_seconds", 0, 3600,
               [](HostConfig& c, const ConfigValue& v) { c.auth.clock_skew_seconds = toInt(v); }),
       }});
  s.push_back({"log",
               {
                   str("level", [](HostConfig& c, const ConfigValue& v) { c.log.level = v.text; },
                       {"trace", "debug", "info", "warn", "error"}),
                   str("file", [](HostConfig& c, const ConfigValue& v) { c.log.file = v.text; }),
               }});
  s.push_back({"leader",
               {
                   integer("check_interval_ms", 50, 60000,
                           [](HostConfig& c, const ConfigValue& v) {
                             c.leader.check_interval_ms = toInt(v);
                           }),
               }});
  s.push_back(
      {"retention",
       {
           number("days", 0, 36500,
                  [](HostConfig& c, const ConfigValue& v) { c.retention.days = v.number; }),
           integer("interval_seconds", 1, 86400,
                   [](HostConfig& c, const ConfigValue& v) {
                     c.retention.interval_seconds = toInt(v);
                   }),
           integer("batch_rows", 100, 100000,
                   [](HostConfig& c, const ConfigValue& v) { c.retention.batch_rows = toInt(v); }),
       }});
  return s;
}

}  // namespace

const std::vector<ConfigSection>& hostConfigSchema() {
  static const std::vector<ConfigSection> kSchema = buildSchema();
  return kSchema;
}

const char* typeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInteger:
      return "an integer";
    case ConfigType::kNumber:
      return "a number";
    case ConfigType::kBoolean:
      return "a boolean";
    case ConfigType::kStringArray:
      return "an array of strings";
  }
  return "?";
}

}  // namespace jobengine::host
