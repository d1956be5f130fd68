// A plugin's API description, read from the JSON files of its `openapi/` folder (docs/api.md,
// "Schemas"). The files are embedded into the plugin at build time (`je_add_plugin(... OPENAPI
// dir)` generates `api_doc_files.hpp` with `kApiDocFiles`), so the description travels inside
// the .so and cannot drift from the build.
//
// Two kinds of file:
//  - `components.json`: `{"schemas": {...}, "examples": {...}}`, this plugin's shared
//    components, registered once with `Host::apiComponents()`;
//  - every other `*.json`: an object whose keys are `"METHOD /path"` (the path exactly as the
//    route registers it, ":name" segments included) and whose values are OpenAPI 3.1 operation
//    objects (summary, requestBody, responses with schemas and examples).
//
// `operation(method, path)` hands a route its fragment; `requireAllUsed()` at the end of
// registration refuses an operation documented for a route that does not exist (a typo in a
// path would otherwise leave a route undocumented and a description orphaned).
#pragma once

#include <jobengine/abi.h>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::sdk {

// One embedded file: its name in the openapi/ folder and its text.
struct ApiDocFile {
  const char* name;
  const char* text;
};

class ApiDoc {
 public:
  // Parses every file; throws Error(JE_ERR_INVALID) naming the file on malformed JSON, a
  // non-object, a key that is not "METHOD /path" or an operation described twice.
  template <size_t N>
  explicit ApiDoc(const ApiDocFile (&files)[N]) : ApiDoc(files, N) {}  // NOLINT: kApiDocFiles

  ApiDoc(const ApiDocFile* files, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      const ApiDocFile& file = files[i];
      const std::string name = file.name;
      auto parsed = nlohmann::json::parse(file.text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        throw Error(JE_ERR_INVALID, "openapi/" + name + " is not a JSON object");
      }
      if (name == "components.json") {
        components_ = std::move(parsed);
        continue;
      }
      for (auto& [key, op] : parsed.items()) {
        const auto space = key.find(' ');
        if (space == std::string::npos || key.find('/') != space + 1 || !op.is_object()) {
          throw Error(JE_ERR_INVALID, "openapi/" + name + ": '" + key +
                                          "' must be \"METHOD /path\" naming an operation object");
        }
        if (!operations_.emplace(key, op.dump()).second) {
          throw Error(JE_ERR_INVALID, "openapi/" + name + ": '" + key + "' is described twice");
        }
      }
    }
  }

  // The components object as JSON text ("{}" when the plugin has none).
  std::string components() const { return components_.dump(); }

  // The operation fragment of one route; throws Error(JE_ERR_INVALID) when it is undocumented.
  // The returned pointer stays valid for the ApiDoc's life (the host copies it at
  // registration).
  const char* operation(std::string_view method, std::string_view path) {
    const std::string key = std::string(method) + " " + std::string(path);
    const auto it = operations_.find(key);
    if (it == operations_.end()) {
      throw Error(JE_ERR_INVALID,
                  "route " + key + " has no description in the plugin's openapi/ folder");
    }
    used_.insert(key);
    return it->second.c_str();
  }

  // Throws Error(JE_ERR_INVALID) listing operations described for routes never registered.
  void requireAllUsed() const {
    std::string unused;
    for (const auto& [key, _] : operations_) {
      if (used_.count(key) == 0) {
        unused += (unused.empty() ? "" : ", ") + key;
      }
    }
    if (!unused.empty()) {
      throw Error(JE_ERR_INVALID, "openapi/ describes routes that are not registered: " + unused);
    }
  }

 private:
  nlohmann::json components_ = nlohmann::json::object();
  std::map<std::string, std::string> operations_;
  std::set<std::string> used_;
};

}  // namespace jobengine::sdk
