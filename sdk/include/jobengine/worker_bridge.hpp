// jobengine/worker_bridge.hpp — the worker bridge's values for the worker SDK, without HTTP:
// the errors a call can end in (ApiError with the SPEC §5 envelope, TransportError), the
// connection Options and RetryPolicy, what the bridge routes take and answer (Grant,
// HeartbeatItem/Result, Completion, Artifact; plugins/scheduler/README.md, "Routes"), the pure
// rules the client follows (Retry-After, back-off, which answers are retried, the request
// bodies) and StopFlag. jobengine/worker_client.hpp sends them with libcurl; worker.hpp runs
// the loop. Kept apart so the rules are unit tested without a server
// (sdk/tests/worker_client_test.cpp) and the client stays one concern.
//
// Not ABI (a REST contract); header-only, C++17, needs nlohmann_json only.
#pragma once

#include <jobengine/json_limits.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::worker {

inline constexpr const char* kApiBase = "/api/v1/jobengine";

// ---------------------------------------------------------------------------------------------
// Errors

// The engine answered with a non-2xx status; the fields come from the SPEC §5 envelope
// {"error": {"code", "message", "traceId", "details"}}. A body that is not an envelope (a proxy
// page) gives code "HTTP_<status>" and the start of the body as the message.
class ApiError : public std::runtime_error {
 public:
  ApiError(long status, std::string code, const std::string& message, std::string trace_id,
           nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(std::to_string(status) + " " + code + ": " + message +
                           (trace_id.empty() ? "" : " (trace id " + trace_id + ")")),
        status_(status),
        code_(std::move(code)),
        message_(message),
        trace_id_(std::move(trace_id)),
        details_(std::move(details)) {}

  long status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& traceId() const { return trace_id_; }
  const nlohmann::json& details() const { return details_; }
  // 409 LEASE_STALE: the lease expired, was re-leased or the job is already complete.
  bool leaseStale() const { return status_ == 409 && code_ == "LEASE_STALE"; }

 private:
  long status_;
  std::string code_;
  std::string message_;
  std::string trace_id_;
  nlohmann::json details_;
};

// No HTTP answer: the connection failed and kept failing past the retry budget, or failed in
// a way a retry cannot fix (a malformed URL).
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& what, int curl_code)
      : std::runtime_error(what), curl_code_(curl_code) {}
  int curlCode() const { return curl_code_; }

 private:
  int curl_code_;
};

// ---------------------------------------------------------------------------------------------
// Options

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{200};  // the first back-off
  std::chrono::milliseconds max_delay{5000};     // back-off ceiling (Retry-After may exceed it)
  std::chrono::milliseconds max_elapsed{60000};  // total budget for one call; then it throws
};

// One retry about to happen, for logs and tests (Options::on_retry).
struct RetryNotice {
  std::string path;  // relative to /api/v1/jobengine
  int attempt = 0;   // 1 for the first retry
  long status = 0;   // the answer that caused it; 0: no answer (connection loss)
  std::string code;  // the envelope code, or curl's message when status is 0
  std::chrono::milliseconds delay{0};
};

struct Options {
  std::string base_url = "http://127.0.0.1:8080";  // scheme://host:port of the REST listener
  std::string tenant;                              // X-StellaOps-Tenant (required)
  std::string token;                               // bearer token; empty: no Authorization
  std::string project;                             // X-StellaOps-Project; empty: not sent
  std::string worker_id = "worker";                // workerId on claims
  std::string operator_reason;                     // empty: "worker <worker_id>"
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // one attempt, connect included
  RetryPolicy retry;
  std::function<void(const RetryNotice&)> on_retry;  // on the requesting thread; throws dropped
};

// ---------------------------------------------------------------------------------------------
// Bridge values

struct Grant {
  std::string job_id;
  std::string job_type;
  std::string lease_id;
  std::string lease_until;
  std::string idempotency_key;  // the job's own key (enqueue), handy for downstream writes
  int attempt = 0;
  int max_attempts = 0;
  int priority = 0;
  nlohmann::json payload;
  nlohmann::json provenance;  // {tenant, project, correlationId, runId, sourceId, traceId, ...}
  nlohmann::json raw;         // the grant as the engine sent it
};

struct ClaimRequest {
  std::vector<std::string> job_types;
  int max_count = 1;      // 1..1000
  int lease_seconds = 0;  // 0: the engine's choice (the smallest lease of the types)
  std::string worker_id;  // empty: Options::worker_id
};

struct HeartbeatItem {
  std::string job_id;
  std::string lease_id;
  std::optional<int> progress;  // 0..100
  std::string message;          // empty: not sent
};

struct HeartbeatResult {
  std::string job_id;
  bool applied = false;  // false: the lease is stale; stop working on the job
  bool cancel_requested = false;
  std::string lease_until;
  std::string error_code;  // "LEASE_STALE" when not applied
};

struct Artifact {
  std::string uri;
  std::string digest;  // "sha256:<hex>"
  std::string media_type;
  std::optional<int64_t> size_bytes;
};

enum class Outcome { kSucceeded, kFailed, kTimedOut, kCanceled };

inline const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSucceeded:
      return "succeeded";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kTimedOut:
      return "timed_out";
    case Outcome::kCanceled:
      return "canceled";
  }
  return "failed";
}

// The error a failed job reports; the scheduler classifies it (retryable wins, else the code).
struct JobError {
  std::string code;  // UPPER_SNAKE, e.g. UPSTREAM_503, PARSE_ERROR
  std::string message;
  bool retryable = true;
  int http_status = 0;  // the upstream status that caused it; 0: not sent
};

struct Completion {
  std::string job_id;
  std::string lease_id;
  Outcome outcome = Outcome::kSucceeded;
  std::optional<JobError> error;  // for kFailed / kTimedOut
  std::vector<Artifact> artifacts;
};

struct CompletionResult {
  std::string job_id;
  bool applied = false;    // batch items: false when the lease was stale
  std::string status;      // the job's status now; "queued" means a retry was scheduled
  bool replayed = false;   // the engine replayed an earlier identical completion
  std::string error_code;  // batch items that were not applied
};

// ---------------------------------------------------------------------------------------------
// Pure helpers (unit tested in sdk/tests/worker_client_test.cpp)

namespace detail {

// Retry-After as delta-seconds; the HTTP-date form and garbage give nullopt (then the
// back-off alone decides).
inline std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty() || value.size() > 9) {
    return std::nullopt;
  }
  long seconds = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

// The back-off before retry number `attempt` (1-based): min(max_delay, initial * 2^(attempt-1))
// with equal jitter (`unit` in [0, 1) scales the upper half), so it never drops below half.
inline std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempt, double unit) {
  double ceiling = static_cast<double>(policy.initial_delay.count());
  for (int i = 1; i < attempt && ceiling < static_cast<double>(policy.max_delay.count()); ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling / 2 + ceiling / 2 * unit));
}

// Whether an answer (status 0: none) is worth the same request again.
inline bool retryableStatus(long status, std::string_view code) {
  return status == 0 || status == 429 || status == 502 || status == 503 || status == 504 ||
         (status == 409 && code == "IDEMPOTENCY_IN_FLIGHT");
}

// A field of an engine answer, or `fallback` when it is absent or of another type: an answer
// of an unexpected shape never throws nlohmann's type_error out of the client.
template <typename T>
T field(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.is_object()) {
    return fallback;
  }
  const auto it = j.find(key);
  if (it == j.end()) {
    return fallback;
  }
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}
inline std::string field(const nlohmann::json& j, const char* key, const char* fallback) {
  return field<std::string>(j, key, std::string(fallback));
}

// The exception for a non-2xx answer.
inline ApiError errorFromAnswer(long status, const std::string& body) {
  const auto parsed = sdk::parseJsonBounded(body, "error answer");
  if (parsed.ok() && parsed.value.is_object() && parsed.value.contains("error") &&
      parsed.value["error"].is_object()) {
    const nlohmann::json& e = parsed.value["error"];
    return ApiError(status, detail::field(e, "code", "HTTP_" + std::to_string(status)),
                    detail::field(e, "message", std::string()),
                    detail::field(e, "traceId", std::string()),
                    e.contains("details") ? e["details"] : nlohmann::json::object());
  }
  return ApiError(status, "HTTP_" + std::to_string(status), body.substr(0, 200), "");
}

inline double jitterUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// A random key for calls that have no natural one (a batch completion).
inline std::string randomKey(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key(prefix);
  for (int i = 0; i < 32; ++i) {
    key += kHex[rng() % 16];
  }
  return key;
}

inline nlohmann::json artifactJson(const Artifact& a) {
  nlohmann::json j = {{"uri", a.uri}, {"digest", a.digest}};
  if (!a.media_type.empty()) {
    j["mediaType"] = a.media_type;
  }
  if (a.size_bytes) {
    j["sizeBytes"] = *a.size_bytes;
  }
  return j;
}

inline nlohmann::json completionJson(const Completion& c) {
  nlohmann::json j = {{"leaseId", c.lease_id}, {"status", outcomeName(c.outcome)}};
  if (c.error) {
    j["error"] = {
        {"code", c.error->code}, {"message", c.error->message}, {"retryable", c.error->retryable}};
    if (c.error->http_status != 0) {
      j["error"]["httpStatus"] = c.error->http_status;
    }
  }
  if (!c.artifacts.empty()) {
    j["artifacts"] = nlohmann::json::array();
    for (const auto& a : c.artifacts) {
      j["artifacts"].push_back(artifactJson(a));
    }
  }
  return j;
}

inline nlohmann::json heartbeatJson(const HeartbeatItem& h) {
  nlohmann::json j = {{"leaseId", h.lease_id}};
  if (h.progress) {
    j["progress"] = std::clamp(*h.progress, 0, 100);
  }
  if (!h.message.empty()) {
    j["message"] = h.message;
  }
  return j;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Stopping

// A stop request that also wakes sleepers: Worker::stop() sets it, back-offs wait on it.
class StopFlag {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      requested_ = true;
    }
    cv_.notify_all();
  }
  bool requested() const {
    std::lock_guard lock(mutex_);
    return requested_;
  }
  // Sleeps up to `d`; false when a stop was requested (before or during the sleep).
  bool sleepFor(std::chrono::milliseconds d) const {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, d, [this] { return requested_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool requested_ = false;
};

}  // namespace jobengine::worker
