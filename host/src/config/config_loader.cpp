// Strict TOML loading for the host; see config_loader.hpp for precedence and error rules.
#include "config/config_loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <jobengine/json_limits.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/config_schema.hpp"

namespace jobengine::host {
namespace {

// toml++ 3.3 parses a dotted key path recursively, so a key of 50,000 segments overflows the
// stack (fuzz/README.md); no key of ours has more than a few segments.
constexpr size_t kMaxKeySegments = 64;

std::string deepKeyMessage() {
  return "key path has more than " + std::to_string(kMaxKeySegments) + " segments";
}

// The 1-based line of the first table header or key whose path has more than kMaxKeySegments
// segments, or 0. Dots inside quotes and after '#', '=' or a header's ']' do not count. (A
// continuation line of a multi-line string is read like a key line: one with 64 dots before
// any '=' would be refused, which no real file has.)
size_t deepKeyLine(std::string_view text) {
  size_t line = 1;
  size_t dots = 0;
  bool in_key = true;
  char quote = 0;
  for (const char c : text) {
    if (c == '\n') {
      ++line;
      dots = 0;
      in_key = true;
      quote = 0;
      continue;
    }
    if (!in_key) {
      continue;
    }
    if (quote != 0) {
      quote = c == quote ? 0 : quote;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' || c == '=' || c == ']') {
      in_key = false;
    } else if (c == '.' && ++dots >= kMaxKeySegments) {
      return line;
    }
  }
  return 0;
}

const std::vector<std::string> kDefaultPluginOrder = {"scheduler", "ratelimit", "audit",
                                                      "sources-concelier", "sources-excititor"};

// Says where a node came from: "file:line:col" or the override that set it.
class Locator {
 public:
  Locator(std::string file, std::map<std::string, std::string> origins)
      : file_(std::move(file)), origins_(std::move(origins)) {}

  std::string at(const std::string& path, const toml::source_region& src) const {
    auto it = origins_.find(path);
    if (it != origins_.end()) {
      return it->second;
    }
    std::ostringstream os;
    os << (file_.empty() ? "<defaults>" : file_) << ":" << src.begin.line << ":"
       << src.begin.column;
    return os.str();
  }

 private:
  std::string file_;
  std::map<std::string, std::string> origins_;
};

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

std::vector<std::string> sectionNames() {
  std::vector<std::string> names;
  for (const auto& s : hostConfigSchema()) {
    names.push_back(s.name);
  }
  names.emplace_back("plugins");
  return names;
}

// Parses an override value as a TOML value; anything that is not one is a plain string.
toml::table parseOverrideValue(const std::string& value) {
  try {
    return toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    toml::table t;
    t.insert_or_assign("v", value);
    return t;
  }
}

void applyOverride(toml::table& root, const ConfigOverride& o) {
  if (static_cast<size_t>(std::count(o.path.begin(), o.path.end(), '.')) >= kMaxKeySegments) {
    throw ConfigError(o.origin + ": " + deepKeyMessage());
  }
  std::vector<std::string> parts;
  std::stringstream ss(o.path);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) {
      throw ConfigError(o.origin + ": malformed key path '" + o.path + "'");
    }
    parts.push_back(part);
  }
  if (parts.size() < 2) {
    throw ConfigError(o.origin + ": key path '" + o.path + "' must name a table and a key");
  }
  toml::table* table = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* next = table->get(parts[i]);
    if (next == nullptr) {
      table->insert_or_assign(parts[i], toml::table{});
      next = table->get(parts[i]);
    }
    if (!next->is_table()) {
      throw ConfigError(o.origin + ": '" + parts[i] + "' in '" + o.path + "' is not a table");
    }
    table = next->as_table();
  }
  toml::table parsed = parseOverrideValue(o.value);
  table->insert_or_assign(parts.back(), *parsed.get("v"));
}

ConfigValue checkValue(const ConfigKey& key, const std::string& path, const toml::node& node,
                       const Locator& where) {
  ConfigValue v;
  auto wrongType = [&]() {
    return ConfigError(where.at(path, node.source()) + ": " + path + " must be " +
                       typeName(key.type));
  };
  switch (key.type) {
    case ConfigType::kString: {
      if (!node.is_string()) {
        throw wrongType();
      }
      v.text = node.as_string()->get();
      if (!key.choices.empty() &&
          std::find(key.choices.begin(), key.choices.end(), v.text) == key.choices.end()) {
        throw ConfigError(where.at(path, node.source()) + ": " + path + " = \"" + v.text +
                          "\" is not allowed (allowed: " + joinNames(key.choices) + ")");
      }
      break;
    }
    case ConfigType::kInteger: {
      if (!node.is_integer()) {
        throw wrongType();
      }
      v.integer = node.as_integer()->get();
      if (v.integer < key.min || v.integer > key.max) {
        throw ConfigError(where.at(path, node.source()) + ": " + path + " = " +
                          std::to_string(v.integer) + " is out of range [" +
                          std::to_string(key.min) + ", " + std::to_string(key.max) + "]");
      }
      break;
    }
    case ConfigType::kNumber: {
      if (!node.is_integer() && !node.is_floating_point()) {
        throw wrongType();
      }
      v.number = node.is_integer() ? static_cast<double>(node.as_integer()->get())
                                   : node.as_floating_point()->get();
      if (!(v.number >= static_cast<double>(key.min) &&
            v.number <= static_cast<double>(key.max))) {  // NaN is out of range too
        throw ConfigError(where.at(path, node.source()) + ": " + path + " = " +
                          nlohmann::json(v.number).dump() + " is out of range [" +
                          std::to_string(key.min) + ", " + std::to_string(key.max) + "]");
      }
      break;
    }
    case ConfigType::kBoolean:
      if (!node.is_boolean()) {
        throw wrongType();
      }
      v.boolean = node.as_boolean()->get();
      break;
    case ConfigType::kStringArray: {
      const toml::array* arr = node.as_array();
      if (arr == nullptr) {
        throw wrongType();
      }
      for (const auto& el : *arr) {
        if (!el.is_string()) {
          throw ConfigError(where.at(path, el.source()) + ": " + path +
                            " must contain only strings");
        }
        v.strings.push_back(el.as_string()->get());
      }
      break;
    }
  }
  return v;
}

void loadSection(HostConfig& config, const ConfigSection& section, const toml::table& table,
                 const Locator& where) {
  std::vector<std::string> allowed;
  for (const auto& k : section.keys) {
    allowed.push_back(k.name);
  }
  for (const auto& [name, node] : table) {
    const std::string key(name.str());
    const std::string path = section.name + "." + key;
    auto it = std::find_if(section.keys.begin(), section.keys.end(),
                           [&](const ConfigKey& k) { return k.name == key; });
    if (it == section.keys.end()) {
      throw ConfigError(where.at(path, name.source()) + ": unknown key '" + key + "' in [" +
                        section.name + "] (allowed: " + joinNames(allowed) + ")");
    }
    it->set(config, checkValue(*it, path, node, where));
  }
}

void loadPlugins(HostConfig& config, const toml::table& plugins, const Locator& where) {
  std::map<std::string, PluginConfig> found;
  for (const auto& [name, node] : plugins) {
    const std::string id(name.str());
    const std::string path = "plugins." + id;
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      throw ConfigError(where.at(path, node.source()) + ": " + path + " must be a table");
    }
    PluginConfig pc;
    pc.id = id;
    toml::table rest = *table;
    if (const toml::node* enabled = table->get("enabled")) {
      if (!enabled->is_boolean()) {
        throw ConfigError(where.at(path + ".enabled", enabled->source()) + ": " + path +
                          ".enabled must be a boolean");
      }
      pc.enabled = enabled->as_boolean()->get();
      rest.erase("enabled");
    }
    std::ostringstream os;
    os << toml::json_formatter{rest};
    // Re-serialize through nlohmann so plugins always get compact, valid JSON. A table nested
    // deeper than any JSON input may be (dotted keys have no limit in TOML) is refused here.
    const auto parsed = sdk::parseJsonBounded(os.str(), "[" + path + "]");
    if (!parsed.ok()) {
      throw ConfigError(where.at(path, table->source()) + ": " + parsed.error);
    }
    pc.config_json = parsed.value.dump();
    found[id] = pc;
  }
  std::vector<std::string> order =
      config.plugin_order.empty() ? kDefaultPluginOrder : config.plugin_order;
  for (const auto& [id, pc] : found) {
    if (std::find(order.begin(), order.end(), id) == order.end()) {
      order.push_back(id);
    }
  }
  config.plugins.clear();
  for (const auto& id : order) {
    auto it = found.find(id);
    if (it != found.end()) {
      config.plugins.push_back(it->second);
    } else {
      PluginConfig pc;
      pc.id = id;
      config.plugins.push_back(pc);
    }
  }
  config.plugin_order = order;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(c == '-' ? '_' : std::toupper(c));
  });
  return s;
}

}  // namespace

std::vector<ConfigOverride> overridesFromEnvironment() {
  std::vector<ConfigOverride> out;
  for (const auto& section : hostConfigSchema()) {
    for (const auto& key : section.keys) {
      const std::string env = "JOBENGINE_" + upper(section.name) + "_" + upper(key.name);
      if (const char* value = std::getenv(env.c_str())) {
        std::string v(value);
        // Strings from the environment are taken literally (no TOML quoting needed).
        if (key.type == ConfigType::kString) {
          nlohmann::json quoted = v;
          v = quoted.dump();
        }
        out.push_back({section.name + "." + key.name, v, "environment " + env});
      }
    }
  }
  return out;
}

ConfigOverride parseSetOption(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + text + ": expected section.key=value");
  }
  return {text.substr(0, eq), text.substr(eq + 1), "--set " + text.substr(0, eq)};
}

HostConfig loadConfig(const std::string& path, const std::vector<ConfigOverride>& overrides) {
  toml::table root;
  if (!path.empty()) {
    try {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        throw ConfigError(path + ": cannot be read");
      }
      std::ostringstream text;
      text << in.rdbuf();
      if (const size_t line = deepKeyLine(text.str())) {
        throw ConfigError(path + ":" + std::to_string(line) + ":1: " + deepKeyMessage());
      }
      root = toml::parse(text.str(), path);
    } catch (const toml::parse_error& e) {
      std::ostringstream os;
      os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
         << e.description();
      throw ConfigError(os.str());
    }
  }
  std::map<std::string, std::string> origins;
  for (const auto& o : overrides) {
    applyOverride(root, o);
    origins[o.path] = o.origin;
  }
  const Locator where(path, origins);

  HostConfig config;
  config.source_path = path;
  const toml::table* plugins = nullptr;
  for (const auto& [name, node] : root) {
    const std::string section_name(name.str());
    if (!node.is_table()) {
      throw ConfigError(where.at(section_name, node.source()) + ": '" + section_name +
                        "' must be a table (allowed tables: " + joinNames(sectionNames()) + ")");
    }
    if (section_name == "plugins") {
      plugins = node.as_table();
      continue;
    }
    const auto& schema = hostConfigSchema();
    auto it = std::find_if(schema.begin(), schema.end(),
                           [&](const ConfigSection& s) { return s.name == section_name; });
    if (it == schema.end()) {
      throw ConfigError(where.at(section_name, name.source()) + ": unknown table [" + section_name +
                        "] (allowed: " + joinNames(sectionNames()) + ")");
    }
    loadSection(config, *it, *node.as_table(), where);
  }
  const toml::table no_plugins;
  loadPlugins(config, plugins != nullptr ? *plugins : no_plugins, where);
  config.database.embedded_dir = config.data_dir + "/postgres";
  config.http.spool_dir = config.data_dir + "/spool";
  return config;
}

std::string publicSettingsJson(const HostConfig& c) {
  nlohmann::json j;
  j["host"] = {{"data_dir", c.data_dir},
               {"plugin_dir", c.plugin_dir},
               {"migrations_dir", c.migrations_dir},
               {"plugin_order", c.plugin_order}};
  j["http"] = {{"bind", c.http.bind},
               {"port", c.http.port},
               {"stream_port", c.http.stream_port},
               {"body_limit_bytes", c.http.body_limit_bytes},
               {"json_max_depth", c.http.json_max_depth},
               {"reactor_threads", c.http.reactor_threads},
               {"worker_threads", c.http.worker_threads},
               {"drain_timeout_ms", c.http.drain_timeout_ms},
               {"idempotency_retention_hours", c.http.idempotency_retention_hours}};
  j["database"] = {{"mode", c.database.dsn.empty() ? "embedded" : "external"},
                   {"dsn", redactDsn(c.database.dsn)},
                   {"embedded_port", c.database.embedded_port},
                   {"pool_size", c.database.pool_size},
                   {"fsync", c.database.fsync},
                   {"app_role", c.database.app_role}};
  j["auth"] = {{"mode", c.auth.mode},
               {"issuer", c.auth.issuer},
               {"audience", c.auth.audience},
               {"public_key_files", c.auth.public_key_files},
               {"clock_skew_seconds", c.auth.clock_skew_seconds}};
  j["log"] = {{"level", c.log.level}, {"file", c.log.file}};
  j["leader"] = {{"check_interval_ms", c.leader.check_interval_ms}};
  j["retention"] = {{"days", c.retention.days},
                    {"interval_seconds", c.retention.interval_seconds},
                    {"batch_rows", c.retention.batch_rows}};
  return j.dump();
}

std::string redactDsn(const std::string& dsn) {
  std::string out = dsn;
  // URI form: scheme://user:password@host
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // keyword form: password=secret (until whitespace)
  for (auto pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const auto start = pos + 9;
    auto end = out.find(' ', start);
    if (end == std::string::npos) {
      end = out.size();
    }
    out.replace(start, end - start, "***");
  }
  return out;
}

}  // namespace jobengine::host
