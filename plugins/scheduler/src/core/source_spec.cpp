// source_spec.cpp — field-by-field validation behind source_spec.hpp. Each check names the
// field, what was wrong and what is allowed (STYLE habit 12).
#include "core/source_spec.hpp"

#include "core/schedule_spec.hpp"

#include <cctype>
#include <string_view>
#include <vector>

namespace jobengine::scheduler {

namespace {

bool slugChars(std::string_view s, std::string_view extra) {
  if (s.empty() || std::isalnum(static_cast<unsigned char>(s.front())) == 0) {
    return false;
  }
  for (const char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool validHost(std::string_view s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  const size_t colon = s.find(':');
  std::string_view host = s.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string_view port = s.substr(colon + 1);
    const auto value = parseNonNegative(port);
    if (!value || *value < 1 || *value > 65535) {
      return false;
    }
  }
  if (host.empty() || host.front() == '.' || host.front() == '-' || host.back() == '.') {
    return false;
  }
  for (const char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<FieldError> checkInt(const nlohmann::json& obj, const std::string& parent,
                                   const char* key, int64_t min, bool required) {
  const std::string field = parent + "." + key;
  if (!obj.contains(key)) {
    return required ? std::optional<FieldError>(validationFailed(field, "is required"))
                    : std::nullopt;
  }
  const auto& v = obj.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > 1000000000) {
    return validationFailed(field, "must be an integer >= " + std::to_string(min));
  }
  return std::nullopt;
}

std::optional<FieldError> checkKeys(const nlohmann::json& obj, const std::string& parent,
                                    const std::vector<std::string>& allowed) {
  for (const auto& item : obj.items()) {
    bool known = false;
    std::string list;
    for (const auto& a : allowed) {
      known = known || a == item.key();
      list += (list.empty() ? "" : ", ") + a;
    }
    if (!known) {
      const std::string field = parent.empty() ? item.key() : parent + "." + item.key();
      return FieldError{422, "UNKNOWN_FIELD", field + ": unknown field (allowed: " + list + ")",
                        field};
    }
  }
  return std::nullopt;
}

std::optional<FieldError> checkRatePolicy(const nlohmann::json& v) {
  if (!v.is_object()) {
    return validationFailed("ratePolicy", "must be an object {rpm, burst, cooldownSeconds}");
  }
  if (auto e = checkKeys(v, "ratePolicy", {"rpm", "burst", "cooldownSeconds"})) {
    return e;
  }
  if (auto e = checkInt(v, "ratePolicy", "rpm", 1, true)) {
    return e;
  }
  if (auto e = checkInt(v, "ratePolicy", "burst", 1, false)) {
    return e;
  }
  return checkInt(v, "ratePolicy", "cooldownSeconds", 0, false);
}

// Validates every present field; `create` additionally requires name and kind and refuses
// nulls everywhere.
SourceInput parse(const nlohmann::json& body, bool create) {
  SourceInput out;
  if (!body.is_object()) {
    out.error = FieldError{400, "INVALID_BODY", "the body must be a JSON object", ""};
    return out;
  }
  if (auto e = checkKeys(body, "",
                         {"name", "kind", "upstreamHost", "schedule", "ratePolicy", "config",
                          "enabled", "lockKey"})) {
    out.error = e;
    return out;
  }
  if (!create && body.empty()) {
    out.error = FieldError{422, "VALIDATION_FAILED", "the patch names no field to change", ""};
    return out;
  }
  for (const char* required : {"name", "kind"}) {
    if (create && !body.contains(required)) {
      out.error = validationFailed(required, "is required");
      return out;
    }
  }
  auto& cols = out.columns;
  for (const auto& item : body.items()) {
    const std::string& key = item.key();
    const auto& v = item.value();
    const bool nullable =
        key == "upstreamHost" || key == "schedule" || key == "ratePolicy" || key == "lockKey";
    if (v.is_null()) {
      if (create || !nullable) {
        out.error = validationFailed(key, "must not be null");
        return out;
      }
    }
    std::optional<FieldError> e;
    if (key == "name") {
      if (!v.is_string() || v.get<std::string>().size() > 200 ||
          !slugChars(v.get<std::string>(), "abcdefghijklmnopqrstuvwxyz0123456789._:/-")) {
        e = validationFailed("name",
                             "must be 1-200 characters of a-z 0-9 . _ : / - starting with a "
                             "letter or digit, e.g. \"concelier:osv\"");
      }
      cols["name"] = v;
    } else if (key == "kind") {
      if (!v.is_string() || v.get<std::string>().size() > 64 ||
          !slugChars(v.get<std::string>(), "._-")) {
        e = validationFailed("kind",
                             "must be 1-64 characters of a-z 0-9 . _ - starting with a letter or "
                             "digit, e.g. \"concelier\"");
      }
      cols["kind"] = v;
    } else if (key == "upstreamHost") {
      if (!v.is_null() && (!v.is_string() || !validHost(v.get<std::string>()))) {
        e = validationFailed("upstreamHost",
                             "must be a host name with optional :port, without scheme or "
                             "path, e.g. \"api.osv.dev\"");
      }
      cols["upstream_host"] = v;
    } else if (key == "schedule") {
      e = v.is_null() ? std::nullopt : parseScheduleBody(v, ScheduleBody::kOfSource).error;
      out.schedule = v;
    } else if (key == "ratePolicy") {
      e = v.is_null() ? std::nullopt : checkRatePolicy(v);
      cols["rate_policy"] = v;
    } else if (key == "config") {
      if (!v.is_object()) {
        e = validationFailed("config", "must be an object");
      } else if (v.contains("syncJobType") &&
                 (!v["syncJobType"].is_string() ||
                  !slugChars(v["syncJobType"].get<std::string>(), "._-"))) {
        e = validationFailed("config.syncJobType",
                             "must be a job type such as \"concelier.fetch\"");
      }
      cols["config"] = v;
    } else if (key == "lockKey") {
      if (!v.is_null() && (!v.is_string() || v.get<std::string>().size() > 200 ||
                           !slugChars(v.get<std::string>(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ._:/-"))) {
        // Upper case too: a lock key often embeds a tenant id, and tenant ids may have it.
        e = validationFailed("lockKey",
                             "must be 1-200 characters of A-Z a-z 0-9 . _ : / - starting with a "
                             "letter or digit, e.g. \"concelier:acme:osv\"");
      }
      cols["lock_key"] = v;
    } else if (key == "enabled") {
      if (!v.is_boolean()) {
        e = validationFailed("enabled", "must be true or false");
      }
      cols["enabled"] = v;
    }
    if (e) {
      out.error = e;
      return out;
    }
  }
  return out;
}

}  // namespace

SourceInput parseSourceCreate(const nlohmann::json& body) { return parse(body, true); }
SourceInput parseSourcePatch(const nlohmann::json& body) { return parse(body, false); }

std::string syncJobType(const std::string& kind, const nlohmann::json& config) {
  if (config.is_object() && config.contains("syncJobType") && config["syncJobType"].is_string()) {
    return config["syncJobType"].get<std::string>();
  }
  return kind + ".fetch";
}

}  // namespace jobengine::scheduler
