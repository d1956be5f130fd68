// ApiComponents (see api_components.hpp).
#include "api/api_components.hpp"

#include <array>
#include <string_view>

namespace jobengine::host {
namespace {

constexpr std::array<std::string_view, 7> kKinds = {"schemas",        "responses", "parameters",
                                                    "examples",       "headers",   "requestBodies",
                                                    "securitySchemes"};

bool knownKind(const std::string& kind) {
  for (const auto k : kKinds) {
    if (k == kind) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> ApiComponents::add(const std::string& owner,
                                              const nlohmann::json& components) {
  const std::string who = "components of '" + owner + "'";
  if (!components.is_object()) {
    return who + ": must be a JSON object of component maps";
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [kind, entries] : components.items()) {
    if (!knownKind(kind)) {
      return who + ": '" + kind +
             "' is not a component kind (schemas, responses, parameters, examples, headers, "
             "requestBodies, securitySchemes)";
    }
    if (!entries.is_object()) {
      return who + ": '" + kind + "' must be an object of named components";
    }
    for (const auto& [name, value] : entries.items()) {
      if (!value.is_object()) {
        return who + ": " + kind + "/" + name + " must be a JSON object";
      }
      const auto existing = by_kind_.find(kind);
      if (existing != by_kind_.end()) {
        const auto it = existing->second.find(name);
        if (it != existing->second.end()) {
          return "component " + kind + "/" + name + " is registered by both '" + it->second.owner +
                 "' and '" + owner + "'";
        }
      }
    }
  }
  for (const auto& [kind, entries] : components.items()) {
    for (const auto& [name, value] : entries.items()) {
      by_kind_[kind][name] = Entry{owner, value};
    }
  }
  return std::nullopt;
}

nlohmann::json ApiComponents::merged() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [kind, entries] : by_kind_) {
    auto& target = out[kind];
    target = nlohmann::json::object();
    for (const auto& [name, entry] : entries) {
      target[name] = entry.value;
    }
  }
  return out;
}

std::string ApiComponents::ownerOf(const std::string& kind, const std::string& name) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto k = by_kind_.find(kind);
  if (k == by_kind_.end()) {
    return "";
  }
  const auto it = k->second.find(name);
  return it == k->second.end() ? "" : it->second.owner;
}

}  // namespace jobengine::host
