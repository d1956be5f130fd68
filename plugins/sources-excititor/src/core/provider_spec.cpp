// provider_spec.cpp — see provider_spec.hpp (a copy of concelier's connector_spec.cpp with the
// VEX sources). Each refusal names the field, what was wrong and what is allowed.
#include "core/provider_spec.hpp"

#include <set>
#include <string_view>
#include <vector>

namespace jobengine::excititor {

namespace {

using nlohmann::json;

const std::vector<std::string> kFields = {"providerId",  "source",   "baseUri",    "capabilities",
                                          "authRef",     "schedule", "ratePolicy", "artifactKinds",
                                          "egressGuard", "options",  "enabled"};

bool slug(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-') {
    return false;
  }
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

InputError invalid(const std::string& field, const std::string& what) {
  return InputError{422, "VALIDATION_FAILED", field + ": " + what, field};
}

// The host (and :port) of an http(s) URI, or "" for file:// and anything unparsable.
std::string networkHost(const std::string& uri) {
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (uri.rfind(scheme, 0) == 0) {
      const std::string rest = uri.substr(scheme.size());
      return rest.substr(0, rest.find_first_of("/?#"));
    }
  }
  return "";
}

bool validBaseUri(const std::string& uri) {
  if (uri.size() > 2048) {
    return false;
  }
  if (uri.rfind("file:///", 0) == 0) {
    return uri.size() > 8;
  }
  const std::string host = networkHost(uri);
  return !host.empty() && host.find('@') == std::string::npos;
}

std::optional<InputError> stringArray(const json& v, const std::string& field) {
  if (!v.is_array() || v.size() > 64) {
    return invalid(field, "must be an array of at most 64 strings");
  }
  for (const auto& item : v) {
    if (!item.is_string() || item.get<std::string>().empty() ||
        item.get<std::string>().size() > 253) {
      return invalid(field, "must be an array of non-empty strings");
    }
  }
  return std::nullopt;
}

std::optional<InputError> checkAuthRef(const json& v) {
  if (v.is_null()) {
    return std::nullopt;
  }
  const std::string what =
      "must be \"env:NAME\" (NAME of A-Z 0-9 _) or \"file:/absolute/path\": a reference to the "
      "secret, never the secret itself";
  if (!v.is_string()) {
    return invalid("authRef", what);
  }
  const std::string s = v.get<std::string>();
  if (s.rfind("env:", 0) == 0 && s.size() > 4 && s.size() <= 132) {
    for (const char c : s.substr(4)) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return invalid("authRef", what);
      }
    }
    return std::nullopt;
  }
  if (s.rfind("file:/", 0) == 0 && s.size() > 6 && s.size() <= 1024) {
    return std::nullopt;
  }
  return invalid("authRef", what);
}

std::optional<InputError> checkEgressGuard(const json& v) {
  if (!v.is_object()) {
    return invalid("egressGuard", "must be an object {allowlist, airgapMode}");
  }
  for (const auto& item : v.items()) {
    if (item.key() != "allowlist" && item.key() != "airgapMode") {
      return InputError{422, "UNKNOWN_FIELD",
                        "egressGuard." + item.key() +
                            ": unknown field (allowed: allowlist, "
                            "airgapMode)",
                        "egressGuard." + item.key()};
    }
  }
  if (v.contains("allowlist")) {
    if (auto e = stringArray(v["allowlist"], "egressGuard.allowlist")) {
      return e;
    }
  }
  if (v.contains("airgapMode") && !v["airgapMode"].is_boolean()) {
    return invalid("egressGuard.airgapMode", "must be true or false");
  }
  return std::nullopt;
}

std::optional<InputError> checkOptions(const json& v, const std::string& source) {
  if (!v.is_object()) {
    return invalid("options", "must be an object");
  }
  if (!v.empty()) {
    const std::string key = v.begin().key();
    return InputError{
        422, "UNKNOWN_FIELD",
        "options." + key + ": unknown option for source '" + source + "' (none allowed)",
        "options." + key};
  }
  return std::nullopt;
}

json defaultArtifactKinds(const std::string& source) {
  if (source == "openvex") {
    return json::array({"openvex-json"});
  }
  if (source == "csaf") {
    return json::array({"csaf-json"});
  }
  return json::array({"cyclonedx-vex-json"});
}

// Validates every field of a full record body; `fixed` holds providerId and source when they
// cannot change (a replace).
ProviderInput parse(const json& body, const json* fixed) {
  ProviderInput out;
  if (!body.is_object()) {
    out.error = InputError{400, "INVALID_BODY", "the body must be a JSON object", ""};
    return out;
  }
  for (const auto& item : body.items()) {
    bool known = false;
    std::string list;
    for (const auto& f : kFields) {
      known = known || f == item.key();
      list += (list.empty() ? "" : ", ") + f;
    }
    if (!known) {
      out.error = InputError{422, "UNKNOWN_FIELD",
                             item.key() + ": unknown field (allowed: " + list + ")", item.key()};
      return out;
    }
  }
  for (const char* key : {"providerId", "source"}) {
    if (fixed != nullptr) {
      if (body.contains(key) && body[key] != (*fixed)[key]) {
        out.error = InputError{422, "IMMUTABLE_FIELD",
                               std::string(key) + ": cannot change (was " + (*fixed)[key].dump() +
                                   "); register a new provider instead",
                               key};
        return out;
      }
    } else if (!body.contains(key)) {
      out.error = invalid(key, "is required");
      return out;
    }
  }
  json r = fixed != nullptr
               ? json{{"providerId", (*fixed)["providerId"]}, {"source", (*fixed)["source"]}}
               : json{{"providerId", body["providerId"]}, {"source", body["source"]}};
  if (!r["providerId"].is_string() || !slug(r["providerId"].get<std::string>())) {
    out.error = invalid("providerId",
                        "must be 1-63 characters of a-z 0-9 - starting with a letter or digit, "
                        "e.g. \"acme-openvex\"");
    return out;
  }
  const std::set<std::string> sources = {"openvex", "csaf", "cyclonedx"};
  if (!r["source"].is_string() || sources.count(r["source"].get<std::string>()) == 0) {
    out.error = invalid("source", "must be one of openvex, csaf, cyclonedx");
    return out;
  }
  const std::string source = r["source"].get<std::string>();
  if (!body.contains("baseUri") || !body["baseUri"].is_string() ||
      !validBaseUri(body["baseUri"].get<std::string>())) {
    out.error =
        invalid("baseUri",
                "required: an https://, http:// or file:/// URI without credentials, "
                "the folder holding changes.csv, e.g. \"https://vex.example.com/openvex/\"");
    return out;
  }
  r["baseUri"] = body["baseUri"];
  r["capabilities"] = body.value("capabilities", json::array({"vex"}));
  if (auto e = stringArray(r["capabilities"], "capabilities")) {
    out.error = e;
    return out;
  }
  r["authRef"] = body.value("authRef", json(nullptr));
  if (auto e = checkAuthRef(r["authRef"])) {
    out.error = e;
    return out;
  }
  r["schedule"] = body.value("schedule", json(nullptr));
  if (!r["schedule"].is_null() && !r["schedule"].is_object()) {
    out.error = invalid("schedule", "must be an object {cron, timeZone, ...} or null");
    return out;
  }
  r["ratePolicy"] = body.value("ratePolicy", json(nullptr));
  if (!r["ratePolicy"].is_null() && !r["ratePolicy"].is_object()) {
    out.error = invalid("ratePolicy", "must be an object {rpm, burst, cooldownSeconds} or null");
    return out;
  }
  r["artifactKinds"] = body.value("artifactKinds", defaultArtifactKinds(source));
  if (auto e = stringArray(r["artifactKinds"], "artifactKinds")) {
    out.error = e;
    return out;
  }
  json guard = body.value("egressGuard", json::object());
  if (auto e = checkEgressGuard(guard)) {
    out.error = e;
    return out;
  }
  r["egressGuard"] = {{"allowlist", guard.value("allowlist", json::array())},
                      {"airgapMode", guard.value("airgapMode", false)}};
  r["options"] = body.value("options", json::object());
  if (auto e = checkOptions(r["options"], source)) {
    out.error = e;
    return out;
  }
  r["enabled"] = body.value("enabled", json(true));
  if (!r["enabled"].is_boolean()) {
    out.error = invalid("enabled", "must be true or false");
    return out;
  }
  out.record = std::move(r);
  return out;
}

}  // namespace

ProviderInput parseProviderCreate(const json& body) { return parse(body, nullptr); }

ProviderInput parseProviderReplace(const json& body, const json& current) {
  return parse(body, &current);
}

std::string providerLockKey(const std::string& tenant, const std::string& provider_id) {
  return "excititor:" + tenant + ":" + provider_id;
}

std::string sourceKindOf(const std::string& source) { return "excititor." + source; }

json schedulerSourceFor(const std::string& tenant, const json& record) {
  const std::string id = record["providerId"].get<std::string>();
  const std::string host = networkHost(record["baseUri"].get<std::string>());
  return {{"name", "excititor:" + id},
          {"kind", sourceKindOf(record["source"].get<std::string>())},
          {"upstreamHost", host.empty() ? json(nullptr) : json(host)},
          {"ratePolicy", record["ratePolicy"]},
          {"schedule", record["schedule"]},
          {"config", {{"providerId", id}}},
          {"enabled", record["enabled"]},
          {"lockKey", providerLockKey(tenant, id)}};
}

}  // namespace jobengine::excititor
