// deadletter_filter.cpp — validation behind deadletter_filter.hpp.
#include "core/deadletter_filter.hpp"

#include <jobengine/time_format.hpp>

#include <cctype>

#include "core/error_classifier.hpp"

namespace jobengine::scheduler {

namespace {

bool isFingerprint(const std::string& s) {
  if (s.size() != 71 || s.rfind("sha256:", 0) != 0) {
    return false;
  }
  for (size_t i = 7; i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

nlohmann::json DeadLetterFilter::toJson() const {
  nlohmann::json out = nlohmann::json::object();
  if (job_type) {
    out["jobType"] = *job_type;
  }
  if (error_class) {
    out["errorClass"] = *error_class;
  }
  if (fingerprint) {
    out["fingerprint"] = *fingerprint;
  }
  if (since) {
    out["since"] = *since;
  }
  return out;
}

DeadLetterFilterResult parseDeadLetterFilter(const nlohmann::json& values, int error_status,
                                             const std::string& field_prefix) {
  DeadLetterFilterResult out;
  const auto fail = [&](const std::string& key, const std::string& message) {
    const std::string field = field_prefix + key;
    out.error =
        FieldError{error_status, error_status == 400 ? "INVALID_ARGUMENT" : "VALIDATION_FAILED",
                   field + ": " + message, field};
    return out;
  };
  if (values.is_null()) {
    return out;
  }
  if (!values.is_object()) {
    return fail("filter", "must be an object {jobType, errorClass, fingerprint, since}");
  }
  for (const auto& item : values.items()) {
    const std::string& key = item.key();
    if (!item.value().is_string()) {
      return fail(key, "must be a string");
    }
    const std::string v = item.value().get<std::string>();
    if (key == "jobType") {
      if (v.empty() || v.size() > 200) {
        return fail(key, "must be a job type of 1-200 characters, e.g. \"concelier.fetch\"");
      }
      out.filter.job_type = v;
    } else if (key == "errorClass") {
      if (!parseErrorClass(v)) {
        return fail(key, "must be one of transient, permanent, unknown; got '" + v + "'");
      }
      out.filter.error_class = v;
    } else if (key == "fingerprint") {
      if (!isFingerprint(v)) {
        return fail(key, "must be \"sha256:\" followed by 64 lower-case hex digits");
      }
      out.filter.fingerprint = v;
    } else if (key == "since") {
      const auto tp = sdk::parseRfc3339(v);
      if (!tp) {
        return fail(key,
                    "must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z; got '" + v + "'");
      }
      out.filter.since = sdk::formatRfc3339(*tp, sdk::TimePrecision::kMicros);
    } else {
      return fail(key, "unknown filter (allowed: jobType, errorClass, fingerprint, since)");
    }
  }
  return out;
}

}  // namespace jobengine::scheduler
