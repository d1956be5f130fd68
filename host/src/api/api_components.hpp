// The shared OpenAPI components of the live document (`components` of /openapi/jobengine.json):
// the host's own (error envelope, standard parameters and responses) and each plugin's
// (je_http_v1.register_components, ABI 1.3), one owner per name.
//
// A schema name is global in the document, so two owners registering "Job" would silently
// describe each other's routes: the second registration is refused naming both owners, like a
// duplicate route.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace jobengine::host {

class ApiComponents {
 public:
  // Adds an owner's components, an object of component maps such as
  // {"schemas": {"Job": {...}}, "examples": {...}}. Kinds are those OpenAPI 3.1 defines
  // (schemas, responses, parameters, examples, requestBodies, headers,
  // securitySchemes). Returns an error and
  // adds nothing on a non-object, an unknown kind, a non-object entry or a name already owned.
  std::optional<std::string> add(const std::string& owner, const nlohmann::json& components);
  // Every owner's components merged into one components object.
  nlohmann::json merged() const;
  // Who registered kind/name ("" when nobody did).
  std::string ownerOf(const std::string& kind, const std::string& name) const;

 private:
  struct Entry {
    std::string owner;
    nlohmann::json value;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Entry>> by_kind_;
};

}  // namespace jobengine::host
