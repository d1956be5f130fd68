// The semantic rules of quota and throttle requests (see operator_input.hpp). Types and ranges
// were checked by the request schema; these checks stay defensive anyway (a wrong type is an
// InputError, never an exception), since the functions are also called from unit tests.
#include "core/operator_input.hpp"

#include <jobengine/time_format.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace jobengine::ratelimit {

namespace {

constexpr int kMaxJobTypeChars = 128;
constexpr int kMaxTargetChars = 256;

// An optional non-negative integer field (absent or null → nullopt); error names the field.
std::optional<int> optCount(const nlohmann::json& body, const char* key, int minimum,
                            std::optional<InputError>& error) {
  if (!body.contains(key) || body[key].is_null()) {
    return std::nullopt;
  }
  const auto& v = body[key];
  if (!v.is_number_integer() || v.get<int64_t>() < minimum || v.get<int64_t>() > 1'000'000'000) {
    error = InputError{key, std::string(key) + ": must be an integer from " +
                                std::to_string(minimum) + " to 1000000000"};
    return std::nullopt;
  }
  return static_cast<int>(v.get<int64_t>());
}

// Reads the limits shared by POST and PUT; burst defaults to max(maxPerHour, 1).
QuotaLimits readLimits(const nlohmann::json& body, std::optional<InputError>& error) {
  QuotaLimits limits;
  limits.max_active = optCount(body, "maxActive", 0, error);
  limits.max_per_hour = optCount(body, "maxPerHour", 0, error);
  limits.burst = optCount(body, "burst", 1, error);
  limits.backlog_limit = optCount(body, "backlogLimit", 0, error);
  if (body.contains("paused") && !body["paused"].is_null()) {
    if (!body["paused"].is_boolean()) {
      error = InputError{"paused", "paused: must be true or false"};
    } else {
      limits.paused = body["paused"].get<bool>();
    }
  }
  if (error) {
    return limits;
  }
  if (limits.burst && !limits.max_per_hour) {
    error = InputError{"burst", "burst: is the bucket size of maxPerHour; set maxPerHour too"};
  } else if (limits.max_per_hour && !limits.burst) {
    limits.burst = std::max(*limits.max_per_hour, 1);
  }
  return limits;
}

bool hasLimit(const QuotaLimits& limits) {
  return limits.max_active || limits.max_per_hour || limits.backlog_limit;
}

const char* kNeedsLimit =
    "a quota needs at least one of maxActive, maxPerHour, backlogLimit or paused: true";

bool isUuid(std::string_view text) {
  if (text.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

QuotaInput parseQuotaCreate(const nlohmann::json& body) {
  QuotaInput input;
  if (!body.is_object()) {
    input.error = InputError{"", "the body must be a JSON object"};
    return input;
  }
  if (!body.contains("jobType") || !body["jobType"].is_string() ||
      body["jobType"].get<std::string>().empty() ||
      body["jobType"].get<std::string>().size() > static_cast<size_t>(kMaxJobTypeChars)) {
    input.error = InputError{"jobType", "jobType: must be a job type of 1 to 128 characters"};
    return input;
  }
  input.job_type = body["jobType"].get<std::string>();
  input.limits = readLimits(body, input.error);
  if (input.error) {
    return input;
  }
  if (!input.limits.paused) {
    input.limits.paused = false;
  }
  if (!hasLimit(input.limits) && !*input.limits.paused) {
    input.error = InputError{"maxActive", kNeedsLimit};
  }
  return input;
}

QuotaInput parseQuotaReplace(const nlohmann::json& body, bool was_paused) {
  QuotaInput input;
  if (!body.is_object()) {
    input.error = InputError{"", "the body must be a JSON object"};
    return input;
  }
  if (body.contains("jobType")) {
    input.error = InputError{"jobType", "jobType: cannot change; delete the quota and create one"};
    return input;
  }
  input.limits = readLimits(body, input.error);
  if (input.error) {
    return input;
  }
  if (!hasLimit(input.limits) && !input.limits.paused.value_or(was_paused)) {
    input.error = InputError{"maxActive", kNeedsLimit};
  }
  return input;
}

std::optional<TokenBucket> quotaBucket(const QuotaLimits& limits, const QuotaBucketState& state) {
  if (!limits.max_per_hour) {
    return std::nullopt;
  }
  TokenBucket bucket =
      makeQuotaBucket(*limits.max_per_hour,
                      limits.burst.value_or(std::max(*limits.max_per_hour, 1)), state.tokens_at);
  bucket.level = std::clamp(state.tokens, 0.0, bucket.capacity);
  return bucket;
}

QuotaBucketState newQuotaBucket(const QuotaLimits& limits, TimePoint now) {
  const auto bucket = quotaBucket(limits, QuotaBucketState{0.0, now});
  return QuotaBucketState{bucket ? bucket->capacity : 0.0, now};
}

QuotaBucketState editedQuotaBucket(const QuotaLimits& before, const QuotaBucketState& bucket,
                                   const QuotaLimits& after, TimePoint now) {
  const auto old_bucket = quotaBucket(before, bucket);
  const auto new_bucket = quotaBucket(after, QuotaBucketState{0.0, now});
  if (!new_bucket) {
    return QuotaBucketState{0.0, now};
  }
  if (!old_bucket) {
    return newQuotaBucket(after, now);
  }
  TokenBucket refilled = *old_bucket;
  refill(refilled, now);
  return QuotaBucketState{std::min(refilled.level, new_bucket->capacity),
                          std::max(now, refilled.updated_at)};
}

ThrottleInput parseThrottleCreate(const nlohmann::json& body, TimePoint now) {
  ThrottleInput input;
  const auto fail = [&](const char* field, const std::string& message) {
    input.error = InputError{field, message};
    return input;
  };
  if (!body.is_object()) {
    return fail("", "the body must be a JSON object");
  }
  const std::string kind = body.value("targetKind", "");
  if (kind != "source" && kind != "jobType") {
    return fail("targetKind", R"(targetKind: must be "source" or "jobType")");
  }
  input.target_kind = kind == "source" ? "source" : "job_type";
  if (!body.contains("target") || !body["target"].is_string() ||
      body["target"].get<std::string>().empty() ||
      body["target"].get<std::string>().size() > static_cast<size_t>(kMaxTargetChars)) {
    return fail("target", "target: must be a string of 1 to 256 characters");
  }
  input.target = body["target"].get<std::string>();
  if (kind == "source") {
    if (!isUuid(input.target)) {
      return fail("target", "target: a source throttle names the source's id (a UUID)");
    }
    input.target = lower(input.target);
  }
  input.action = body.value("action", "");
  if (input.action != "pause" && input.action != "cap") {
    return fail("action", R"(action: must be "pause" or "cap")");
  }
  const bool has_max = body.contains("maxActive") && !body["maxActive"].is_null();
  if (input.action == "cap") {
    if (kind != "jobType") {
      return fail("action", "action: cap applies to a jobType target only; pause a source");
    }
    if (!has_max || !body["maxActive"].is_number_integer() ||
        body["maxActive"].get<int64_t>() < 0 || body["maxActive"].get<int64_t>() > 1'000'000'000) {
      return fail("maxActive", "maxActive: a cap needs an integer from 0 to 1000000000");
    }
    input.max_active = static_cast<int>(body["maxActive"].get<int64_t>());
  } else if (has_max) {
    return fail("maxActive", "maxActive: only a cap takes maxActive");
  }
  const bool has_at = body.contains("expiresAt") && !body["expiresAt"].is_null();
  const bool has_duration = body.contains("durationSeconds") && !body["durationSeconds"].is_null();
  if (has_at == has_duration) {
    return fail(has_at ? "durationSeconds" : "expiresAt",
                "give exactly one of expiresAt (RFC 3339) and durationSeconds (1 to 2592000)");
  }
  const TimePoint latest = now + std::chrono::seconds(kMaxThrottleSeconds);
  if (has_duration) {
    const auto& d = body["durationSeconds"];
    if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > kMaxThrottleSeconds) {
      return fail("durationSeconds", "durationSeconds: must be an integer from 1 to 2592000");
    }
    input.expires_at = now + std::chrono::seconds(d.get<int64_t>());
    return input;
  }
  const auto parsed = body["expiresAt"].is_string()
                          ? sdk::parseRfc3339(body["expiresAt"].get<std::string>())
                          : std::nullopt;
  if (!parsed) {
    return fail("expiresAt", "expiresAt: must be an RFC 3339 date-time");
  }
  if (*parsed <= now) {
    return fail("expiresAt", "expiresAt: must be in the future");
  }
  if (*parsed > latest) {
    return fail("expiresAt", "expiresAt: must be at most 30 days from now");
  }
  input.expires_at = std::chrono::time_point_cast<Clock::duration>(*parsed);
  return input;
}

}  // namespace jobengine::ratelimit
