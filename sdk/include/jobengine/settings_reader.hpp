// settings_reader.hpp — strict reading of a plugin's config table ([plugins.<id>], handed to
// create() as JSON) into the plugin's own settings struct, with the house error lines.
//
// Every plugin reads its table by the same rules and says the same things (STYLE habit 12):
//   - null (no table at all) reads as an empty table: every field keeps its default;
//   - anything but an object:  "plugins.<id>: expected a table, got an array";
//   - an unknown key:          "plugins.<id>: unknown key 'x' (allowed: a, b)" (the line
//                              requireKnownKeys in plugin.hpp gives too);
//   - a value of another type: "plugins.<id>.<key>: expected an integer, got a string";
//   - a number out of range:   "plugins.<id>.<key>: must be between 1 and 100, got 0".
// An absent key leaves its field untouched, so the struct's initializers are the defaults (and
// must equal the defaults of config.schema.json; the contract test checks).
//
// Header-only; needs nlohmann_json and nothing of abi.h, so a plugin's pure-C++ core library
// (src/core) and its unit tests use it without the ABI. Errors are SettingsError, an
// std::invalid_argument; the plugin's glue turns them into JE_ERR_INVALID. No shared state:
// safe from any thread. Usage:
//
//   MySettings parseMySettings(const nlohmann::json& config) {
//     MySettings settings;
//     const sdk::SettingsReader reader("my-plugin", config, {"timeout_seconds", "dir"});
//     reader.readInt("timeout_seconds", 1, 3600, settings.timeout_seconds);
//     reader.readString("dir", settings.dir);
//     return settings;
//   }
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jobengine::sdk {

// A configuration error; what() is one line starting with "plugins.<id>".
class SettingsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace settings_detail {

// How an error line names the type of a value it did not expect.
inline std::string typeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "a table";
    default:  // null; binary and discarded never come out of a parsed config
      return "null";
  }
}

// The error line for the first key of the object `config` that is not in `allowed` (any
// container of strings or string views), or nullopt when every key is allowed.
template <typename Keys>
std::optional<std::string> unknownKeyMessage(std::string_view plugin_id,
                                             const nlohmann::json& config, const Keys& allowed) {
  for (const auto& item : config.items()) {
    bool known = false;
    for (const auto& key : allowed) {
      known = known || std::string_view(key) == item.key();
    }
    if (!known) {
      std::string list;
      for (const auto& key : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(key);
      }
      return "plugins." + std::string(plugin_id) + ": unknown key '" + item.key() +
             "' (allowed: " + (list.empty() ? "none" : list) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace settings_detail

// Reads one plugin's config table. The constructor checks the table as a whole; each read*
// then checks one key and, when it is present and valid, stores it. `config` must outlive the
// reader (it is meant to live inside one parse function).
class SettingsReader {
 public:
  // Throws SettingsError unless `config` is null or an object whose keys are all in
  // `allowed_keys`.
  SettingsReader(std::string_view plugin_id, const nlohmann::json& config,
                 std::initializer_list<std::string_view> allowed_keys)
      : prefix_("plugins." + std::string(plugin_id)), config_(config) {
    if (config_.is_null()) {
      return;
    }
    if (!config_.is_object()) {
      throw SettingsError(prefix_ + ": expected a table, got " +
                          settings_detail::typeName(config_));
    }
    if (auto message = settings_detail::unknownKeyMessage(plugin_id, config_, allowed_keys)) {
      throw SettingsError(*message);
    }
  }

  // An integer in [min, max]; a float such as 3.0 is refused.
  void readInt(const char* key, int min, int max, int& out) const {
    const nlohmann::json* value = findTyped(key, &nlohmann::json::is_number_integer, "an integer");
    if (value == nullptr) {
      return;
    }
    const int64_t number = value->get<int64_t>();
    if (number < min || number > max) {
      fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                    ", got " + std::to_string(number));
    }
    out = static_cast<int>(number);
  }

  // Any number (integer or float) in [min, max]; the bounds print as JSON does (1.0, 100.0).
  void readNumber(const char* key, double min, double max, double& out) const {
    const nlohmann::json* value = findTyped(key, &nlohmann::json::is_number, "a number");
    if (value == nullptr) {
      return;
    }
    const double number = value->get<double>();
    if (!(number >= min && number <= max)) {
      fail(key, "must be between " + nlohmann::json(min).dump() + " and " +
                    nlohmann::json(max).dump() + ", got " + value->dump());
    }
    out = number;
  }

  // Any string, the empty one included.
  void readString(const char* key, std::string& out) const {
    if (const nlohmann::json* value = findTyped(key, &nlohmann::json::is_string, "a string")) {
      out = value->get<std::string>();
    }
  }

  // true or false only; 0, 1 and "true" are refused.
  void readBool(const char* key, bool& out) const {
    if (const nlohmann::json* value = findTyped(key, &nlohmann::json::is_boolean, "a boolean")) {
      out = value->get<bool>();
    }
  }

 private:
  using TypeCheck = bool (nlohmann::json::*)() const noexcept;

  // The value of `key`, or nullptr when it is absent (always, for a null table); throws naming
  // the `expected` type when `has_type` says no.
  const nlohmann::json* findTyped(const char* key, TypeCheck has_type, const char* expected) const {
    if (!config_.is_object()) {
      return nullptr;
    }
    const auto it = config_.find(key);
    if (it == config_.end()) {
      return nullptr;
    }
    if (!((*it).*has_type)()) {
      fail(key, std::string("expected ") + expected + ", got " + settings_detail::typeName(*it));
    }
    return &*it;
  }

  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw SettingsError(prefix_ + "." + key + ": " + what);
  }

  std::string prefix_;  // "plugins.<id>", the start of every error line
  const nlohmann::json& config_;
};

}  // namespace jobengine::sdk
