// source_record.cpp — the registry record of a source adapter (see
// jobengine/adapter/source_record.hpp). Each refusal names the field, what was wrong and what is
// allowed.
#include "jobengine/adapter/source_record.hpp"

#include <cctype>
#include <string_view>

namespace jobengine::adapter {

namespace {

using nlohmann::json;

// Every field of a record, the kind's id field first.
std::vector<std::string> fieldsOf(const RecordKind& kind) {
  return {kind.id_field, "source",        "baseUri",     "capabilities", "authRef", "schedule",
          "ratePolicy",  "artifactKinds", "egressGuard", "options",      "enabled"};
}

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

std::optional<RecordInputError> stringArray(const json& v, const std::string& field) {
  if (!v.is_array() || v.size() > 64) {
    return invalidField(field, "must be an array of at most 64 strings");
  }
  for (const auto& item : v) {
    if (!item.is_string() || item.get<std::string>().empty() ||
        item.get<std::string>().size() > 253) {
      return invalidField(field, "must be an array of non-empty strings");
    }
  }
  return std::nullopt;
}

std::optional<RecordInputError> checkAuthRef(const json& v) {
  if (v.is_null()) {
    return std::nullopt;
  }
  const std::string what =
      "must be \"env:NAME\" (NAME of A-Z 0-9 _) or \"file:/absolute/path\": a reference to the "
      "secret, never the secret itself";
  if (!v.is_string()) {
    return invalidField("authRef", what);
  }
  const std::string s = v.get<std::string>();
  if (s.rfind("env:", 0) == 0 && s.size() > 4 && s.size() <= 132) {
    for (const char c : s.substr(4)) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return invalidField("authRef", what);
      }
    }
    return std::nullopt;
  }
  if (s.rfind("file:/", 0) == 0 && s.size() > 6 && s.size() <= 1024) {
    return std::nullopt;
  }
  return invalidField("authRef", what);
}

std::optional<RecordInputError> checkEgressGuard(const json& v) {
  if (!v.is_object()) {
    return invalidField("egressGuard", "must be an object {allowlist, airgapMode}");
  }
  for (const auto& item : v.items()) {
    if (item.key() != "allowlist" && item.key() != "airgapMode") {
      return RecordInputError{422, "UNKNOWN_FIELD",
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
    return invalidField("egressGuard.airgapMode", "must be true or false");
  }
  return std::nullopt;
}

std::optional<RecordInputError> checkOptions(const RecordKind& kind, const json& v,
                                             const std::string& source) {
  if (!v.is_object()) {
    return invalidField("options", "must be an object");
  }
  if (kind.check_options) {
    return kind.check_options(v, source);
  }
  if (!v.empty()) {
    return unknownOption(v.begin().key(), source, "none allowed");
  }
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// Validates every field of a full record body; `fixed` holds the id and source when they cannot
// change (a replace).
RecordInput parse(const RecordKind& kind, const json& body, const json* fixed) {
  RecordInput out;
  if (!body.is_object()) {
    out.error = RecordInputError{400, "INVALID_BODY", "the body must be a JSON object", ""};
    return out;
  }
  const std::vector<std::string> fields = fieldsOf(kind);
  for (const auto& item : body.items()) {
    bool known = false;
    for (const auto& f : fields) {
      known = known || f == item.key();
    }
    if (!known) {
      out.error = RecordInputError{422, "UNKNOWN_FIELD",
                                   item.key() + ": unknown field (allowed: " + joined(fields) + ")",
                                   item.key()};
      return out;
    }
  }
  const std::string& id_field = kind.id_field;
  for (const std::string& key : {id_field, std::string("source")}) {
    if (fixed != nullptr) {
      if (body.contains(key) && body[key] != (*fixed)[key]) {
        out.error = RecordInputError{422, "IMMUTABLE_FIELD",
                                     key + ": cannot change (was " + (*fixed)[key].dump() +
                                         "); register a new " + kind.noun + " instead",
                                     key};
        return out;
      }
    } else if (!body.contains(key)) {
      out.error = invalidField(key, "is required");
      return out;
    }
  }
  json r = fixed != nullptr ? json{{id_field, (*fixed)[id_field]}, {"source", (*fixed)["source"]}}
                            : json{{id_field, body[id_field]}, {"source", body["source"]}};
  if (!r[id_field].is_string() || !slug(r[id_field].get<std::string>())) {
    out.error = invalidField(id_field,
                             "must be 1-63 characters of a-z 0-9 - starting with a letter or "
                             "digit, e.g. \"" +
                                 kind.id_example + "\"");
    return out;
  }
  bool known_source = false;
  for (const auto& s : kind.sources) {
    known_source = known_source || (r["source"].is_string() && r["source"] == s);
  }
  if (!known_source) {
    out.error = invalidField("source", "must be one of " + joined(kind.sources));
    return out;
  }
  const std::string source = r["source"].get<std::string>();
  if (!body.contains("baseUri") || !body["baseUri"].is_string() ||
      !validBaseUri(body["baseUri"].get<std::string>())) {
    out.error = invalidField(
        "baseUri", "required: an https://, http:// or file:/// URI without credentials, " +
                       kind.base_uri_hint);
    return out;
  }
  r["baseUri"] = body["baseUri"];
  r["capabilities"] = body.value("capabilities", kind.default_capabilities(source));
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
    out.error = invalidField("schedule", "must be an object {cron, timeZone, ...} or null");
    return out;
  }
  r["ratePolicy"] = body.value("ratePolicy", json(nullptr));
  if (!r["ratePolicy"].is_null() && !r["ratePolicy"].is_object()) {
    out.error =
        invalidField("ratePolicy", "must be an object {rpm, burst, cooldownSeconds} or null");
    return out;
  }
  r["artifactKinds"] = body.value("artifactKinds", kind.default_artifact_kinds(source));
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
  if (auto e = checkOptions(kind, r["options"], source)) {
    out.error = e;
    return out;
  }
  r["enabled"] = body.value("enabled", json(true));
  if (!r["enabled"].is_boolean()) {
    out.error = invalidField("enabled", "must be true or false");
    return out;
  }
  out.record = std::move(r);
  return out;
}

}  // namespace

RecordInputError invalidField(const std::string& field, const std::string& what) {
  return RecordInputError{422, "VALIDATION_FAILED", field + ": " + what, field};
}

RecordInputError unknownOption(const std::string& key, const std::string& source,
                               const std::string& allowed) {
  return RecordInputError{
      422, "UNKNOWN_FIELD",
      "options." + key + ": unknown option for source '" + source + "' (" + allowed + ")",
      "options." + key};
}

RecordInput parseRecordCreate(const RecordKind& kind, const json& body) {
  return parse(kind, body, nullptr);
}

RecordInput parseRecordReplace(const RecordKind& kind, const json& body, const json& current) {
  return parse(kind, body, &current);
}

std::string errorNoun(const RecordKind& kind) {
  std::string out = kind.noun;
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string recordLockKey(const RecordKind& kind, const std::string& tenant,
                          const std::string& id) {
  return kind.plugin_name + ":" + tenant + ":" + id;
}

std::string sourceKindOf(const RecordKind& kind, const std::string& source) {
  return kind.plugin_name + "." + source;
}

json schedulerSourceFor(const RecordKind& kind, const std::string& tenant, const json& record) {
  const std::string id = record[kind.id_field].get<std::string>();
  const std::string host = networkHost(record["baseUri"].get<std::string>());
  return {{"name", kind.plugin_name + ":" + id},
          {"kind", sourceKindOf(kind, record["source"].get<std::string>())},
          {"upstreamHost", host.empty() ? json(nullptr) : json(host)},
          {"ratePolicy", record["ratePolicy"]},
          {"schedule", record["schedule"]},
          {"config", {{kind.id_field, id}}},
          {"enabled", record["enabled"]},
          {"lockKey", recordLockKey(kind, tenant, id)}};
}

}  // namespace jobengine::adapter
