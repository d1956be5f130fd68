// connector_spec.cpp — see connector_spec.hpp. Each refusal names the field, what was wrong and
// what is allowed.
#include "core/connector_spec.hpp"

#include "plugin_identity.hpp"

#include <set>
#include <string_view>
#include <vector>

namespace jobengine::concelier {

namespace {

using nlohmann::json;

const std::vector<std::string> kFields = {"connectorId", "source",   "baseUri",    "capabilities",
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
  for (const auto& item : v.items()) {
    if (source == "nvd" && item.key() == "resultsPerPage") {
      if (!item.value().is_number_integer() || item.value().get<int64_t>() < 1 ||
          item.value().get<int64_t>() > 2000) {
        return invalid("options.resultsPerPage", "must be an integer from 1 to 2000");
      }
      continue;
    }
    return InputError{422, "UNKNOWN_FIELD",
                      "options." + item.key() + ": unknown option for source '" + source + "' (" +
                          (source == "nvd" ? "allowed: resultsPerPage" : "none allowed") + ")",
                      "options." + item.key()};
  }
  return std::nullopt;
}

json defaultArtifactKinds(const std::string& source) {
  if (source == "osv") {
    return json::array({"osv-json"});
  }
  if (source == "nvd") {
    return json::array({"nvd-cve-page"});
  }
  return json::array({"kev-catalog"});
}

// Validates every field of a full record body; `fixed` holds connectorId and source when they
// cannot change (a replace).
ConnectorInput parse(const json& body, const json* fixed) {
  ConnectorInput out;
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
  for (const char* key : {"connectorId", "source"}) {
    if (fixed != nullptr) {
      if (body.contains(key) && body[key] != (*fixed)[key]) {
        out.error = InputError{422, "IMMUTABLE_FIELD",
                               std::string(key) + ": cannot change (was " + (*fixed)[key].dump() +
                                   "); register a new connector instead",
                               key};
        return out;
      }
    } else if (!body.contains(key)) {
      out.error = invalid(key, "is required");
      return out;
    }
  }
  json r = fixed != nullptr
               ? json{{"connectorId", (*fixed)["connectorId"]}, {"source", (*fixed)["source"]}}
               : json{{"connectorId", body["connectorId"]}, {"source", body["source"]}};
  if (!r["connectorId"].is_string() || !slug(r["connectorId"].get<std::string>())) {
    out.error = invalid("connectorId",
                        "must be 1-63 characters of a-z 0-9 - starting with a letter or digit, "
                        "e.g. \"osv-pypi\"");
    return out;
  }
  const std::set<std::string> sources = {"osv", "nvd", "kev"};
  if (!r["source"].is_string() || sources.count(r["source"].get<std::string>()) == 0) {
    out.error = invalid("source", "must be one of osv, nvd, kev");
    return out;
  }
  const std::string source = r["source"].get<std::string>();
  if (!body.contains("baseUri") || !body["baseUri"].is_string() ||
      !validBaseUri(body["baseUri"].get<std::string>())) {
    out.error = invalid("baseUri",
                        "required: an https://, http:// or file:/// URI without credentials, "
                        "e.g. \"https://osv-vulnerabilities.storage.googleapis.com/PyPI/\"");
    return out;
  }
  r["baseUri"] = body["baseUri"];
  r["capabilities"] =
      body.value("capabilities", json::array({source == "kev" ? "exploited" : "advisories"}));
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

ConnectorInput parseConnectorCreate(const json& body) { return parse(body, nullptr); }

ConnectorInput parseConnectorReplace(const json& body, const json& current) {
  return parse(body, &current);
}

std::string connectorLockKey(const std::string& tenant, const std::string& connector_id) {
  return std::string(kPluginName) + ":" + tenant + ":" + connector_id;
}

std::string sourceKindOf(const std::string& source) {
  return std::string(kPluginName) + "." + source;
}

json schedulerSourceFor(const std::string& tenant, const json& record) {
  const std::string id = record["connectorId"].get<std::string>();
  const std::string host = networkHost(record["baseUri"].get<std::string>());
  return {{"name", std::string(kPluginName) + ":" + id},
          {"kind", sourceKindOf(record["source"].get<std::string>())},
          {"upstreamHost", host.empty() ? json(nullptr) : json(host)},
          {"ratePolicy", record["ratePolicy"]},
          {"schedule", record["schedule"]},
          {"config", {{"connectorId", id}}},
          {"enabled", record["enabled"]},
          {"lockKey", connectorLockKey(tenant, id)}};
}

}  // namespace jobengine::concelier
