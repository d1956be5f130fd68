// jobengine/worker_client.hpp — the HTTP half of the worker SDK: a small, thread-safe client
// for the scheduler's worker bridge (plugins/scheduler/README.md, "Routes": POST
// /worker/claim, /worker/jobs/{id}/heartbeat, /worker/jobs/{id}/complete,
// /worker/jobs/{id}/artifacts and the batch forms /worker/heartbeat, /worker/complete).
// jobengine/worker.hpp builds the claim / heartbeat / complete loop on top of it; use this
// header alone when you want to drive the bridge yourself.
//
// It lives in the SDK, next to the plugin headers, but it is not part of the ABI: it speaks the
// REST contract (SPEC §5), not abi.h, and an external worker never loads into the host.
//
// What it does for you:
//   * every request carries the bearer token, X-StellaOps-Tenant, X-StellaOps-Project (when
//     set) and X-StellaOps-Operator-Reason (the bridge is an orch:operate surface; default
//     "worker <worker_id>", so the audit ledger says which worker acted);
//   * retries, with bounded exponential back-off and equal jitter, on connection loss, on 502 /
//     503 / 504 / 429 (honouring Retry-After as a lower bound) and on 409
//     IDEMPOTENCY_IN_FLIGHT (a retry that overtook its own first attempt), until
//     RetryPolicy::max_elapsed is spent;
//   * completions carry an Idempotency-Key (default `complete-<jobId>-<leaseId>`), so a
//     completion retried after a lost answer is replayed by the engine, never applied twice;
//   * a non-2xx answer becomes ApiError carrying the envelope's status, code, message, traceId
//     and details; a transport failure that outlived the retries becomes TransportError.
//
// Claims and heartbeats are sent without an Idempotency-Key: a heartbeat is harmless to
// repeat, and a claim whose answer was lost only leaves leases that expire after
// lease_seconds (the jobs then run elsewhere); keying every empty poll would store one
// idempotency record per poll for 24 h.
//
// Linking: libcurl (pkg-config `libcurl`; in this tree `PkgConfig::CURL`), nlohmann_json
// and the platform thread library. C++17. curl_global_init runs once, the first time a
// Client is built (libcurl wants it done before threads use curl); curl_global_cleanup is
// never called, which libcurl allows at exit.
//
// Threading: a Client may be shared by any number of threads. It keeps a pool of curl easy
// handles under a mutex; each request takes one handle for its whole duration, so
// connections are reused (keep-alive) without two threads ever touching one handle.
#pragma once

#include <curl/curl.h>

#include <jobengine/json_limits.hpp>

#include <algorithm>
#include <cctype>
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
#include <thread>
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

// Transport failures a retry may cure (refused, reset, timed out, cut short); a malformed URL or
// an unsupported scheme will not get better.
inline bool retryableCurlCode(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
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

inline void curlGlobalInitOnce() {
  // A function-local static: initialised once, thread-safely, on first use; never torn down.
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (kInit != CURLE_OK) {
    throw TransportError(std::string("curl_global_init failed: ") + curl_easy_strerror(kInit),
                         static_cast<int>(kInit));
  }
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

// ---------------------------------------------------------------------------------------------
// The client

// A 2xx answer.
struct Answer {
  long status = 0;
  nlohmann::json body;
  bool replayed = false;  // Idempotent-Replayed: true
};

class Client {
 public:
  explicit Client(Options options) : options_(std::move(options)) {
    if (options_.tenant.empty()) {
      throw std::invalid_argument("worker::Options::tenant is required (X-StellaOps-Tenant)");
    }
    while (!options_.base_url.empty() && options_.base_url.back() == '/') {
      options_.base_url.pop_back();
    }
    if (options_.operator_reason.empty()) {
      options_.operator_reason = "worker " + options_.worker_id;
    }
    detail::curlGlobalInitOnce();
  }
  ~Client() {
    for (CURL* h : idle_) {
      curl_easy_cleanup(h);
    }
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Options& options() const { return options_; }

  // POST /worker/claim. An empty vector: nothing to do right now.
  std::vector<Grant> claim(const ClaimRequest& request, const StopFlag* stop = nullptr) {
    nlohmann::json body = {
        {"jobTypes", request.job_types},
        {"maxCount", request.max_count},
        {"workerId", request.worker_id.empty() ? options_.worker_id : request.worker_id}};
    if (request.lease_seconds > 0) {
      body["leaseSeconds"] = request.lease_seconds;
    }
    const Answer a = post("/worker/claim", body, "", stop);
    std::vector<Grant> grants;
    for (const auto& g : detail::field(a.body, "grants", nlohmann::json::array())) {
      Grant out;
      out.job_id = detail::field(g, "jobId", "");
      out.job_type = detail::field(g, "jobType", "");
      out.lease_id = detail::field(g, "leaseId", "");
      out.lease_until = detail::field(g, "leaseUntil", "");
      out.idempotency_key = detail::field(g, "idempotencyKey", "");
      out.attempt = detail::field(g, "attempt", 0);
      out.max_attempts = detail::field(g, "maxAttempts", 0);
      out.priority = detail::field(g, "priority", 0);
      out.payload = detail::field(g, "payload", nlohmann::json());
      out.provenance = detail::field(g, "provenance", nlohmann::json::object());
      out.raw = g;
      grants.push_back(std::move(out));
    }
    return grants;
  }

  // POST /worker/jobs/{id}/heartbeat. A stale lease is an answer here (applied = false), not
  // an exception. lease_seconds > 0 renews to that length, else to the engine's default.
  HeartbeatResult heartbeat(const HeartbeatItem& item, int lease_seconds = 0,
                            const RetryPolicy* policy = nullptr, const StopFlag* stop = nullptr) {
    nlohmann::json body = detail::heartbeatJson(item);
    if (lease_seconds > 0) {
      body["leaseSeconds"] = lease_seconds;
    }
    HeartbeatResult r;
    r.job_id = item.job_id;
    try {
      const Answer a = post("/worker/jobs/" + item.job_id + "/heartbeat", body, "", stop, policy);
      r.applied = true;
      r.cancel_requested = detail::field(a.body, "cancelRequested", false);
      r.lease_until = detail::field(a.body, "leaseUntil", "");
    } catch (const ApiError& e) {
      if (!e.leaseStale()) {
        throw;
      }
      r.error_code = e.code();
    }
    return r;
  }

  // POST /worker/heartbeat: many leases in one request, each answered separately.
  std::vector<HeartbeatResult> heartbeatBatch(const std::vector<HeartbeatItem>& items,
                                              int lease_seconds = 0,
                                              const RetryPolicy* policy = nullptr,
                                              const StopFlag* stop = nullptr) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : items) {
      nlohmann::json j = detail::heartbeatJson(item);
      j["jobId"] = item.job_id;
      list.push_back(std::move(j));
    }
    nlohmann::json body = {{"heartbeats", list}};
    if (lease_seconds > 0) {
      body["leaseSeconds"] = lease_seconds;
    }
    const Answer a = post("/worker/heartbeat", body, "", stop, policy);
    std::vector<HeartbeatResult> out;
    for (const auto& r : detail::field(a.body, "results", nlohmann::json::array())) {
      HeartbeatResult h;
      h.job_id = detail::field(r, "jobId", "");
      h.applied = detail::field(r, "applied", false);
      h.cancel_requested = detail::field(r, "cancelRequested", false);
      h.lease_until = detail::field(r, "leaseUntil", "");
      if (r.contains("error") && r["error"].is_object()) {
        h.error_code = detail::field(r["error"], "code", "");
      }
      out.push_back(std::move(h));
    }
    return out;
  }

  // POST /worker/jobs/{id}/complete with an Idempotency-Key (default
  // `complete-<jobId>-<leaseId>`: a lease completes once, so every retry of this report, in
  // this call or a later one, is replayed). Throws ApiError; leaseStale() when fenced out.
  CompletionResult complete(const Completion& completion, std::string idempotency_key = {}) {
    if (idempotency_key.empty()) {
      idempotency_key = "complete-" + completion.job_id + "-" + completion.lease_id;
    }
    const Answer a = post("/worker/jobs/" + completion.job_id + "/complete",
                          detail::completionJson(completion), idempotency_key);
    CompletionResult r;
    r.job_id = completion.job_id;
    r.applied = true;
    r.status = detail::field(a.body, "status", "");
    r.replayed = a.replayed;
    return r;
  }

  // POST /worker/complete: many completions in one request, each answered separately (a stale
  // lease gives applied = false). Empty key: a random one, reused by this call's retries.
  std::vector<CompletionResult> completeBatch(const std::vector<Completion>& completions,
                                              std::string idempotency_key = {}) {
    if (idempotency_key.empty()) {
      idempotency_key = detail::randomKey("complete-batch-");
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : completions) {
      nlohmann::json j = detail::completionJson(c);
      j["jobId"] = c.job_id;
      list.push_back(std::move(j));
    }
    const Answer a = post("/worker/complete", {{"completions", list}}, idempotency_key);
    std::vector<CompletionResult> out;
    for (const auto& r : detail::field(a.body, "results", nlohmann::json::array())) {
      CompletionResult c;
      c.job_id = detail::field(r, "jobId", "");
      c.applied = detail::field(r, "applied", false);
      c.status = detail::field(r, "status", "");
      c.replayed = a.replayed;
      if (r.contains("error") && r["error"].is_object()) {
        c.error_code = detail::field(r["error"], "code", "");
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  // POST /worker/jobs/{id}/artifacts: record artifacts now, before the completion. Returns how
  // many were recorded. A random Idempotency-Key makes this call's retries replays.
  int64_t recordArtifacts(const std::string& job_id, const std::string& lease_id,
                          const std::vector<Artifact>& artifacts) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : artifacts) {
      list.push_back(detail::artifactJson(a));
    }
    const Answer a =
        post("/worker/jobs/" + job_id + "/artifacts", {{"leaseId", lease_id}, {"artifacts", list}},
             detail::randomKey("artifacts-"));
    return detail::field(a.body, "recorded", int64_t{0});
  }

  // Any POST under /api/v1/jobengine, with the headers and retries above. Returns a 2xx answer
  // or throws ApiError / TransportError. A set `stop` cuts a back-off short (TransportError
  // or the last ApiError is thrown then).
  Answer post(const std::string& path, const nlohmann::json& body,
              const std::string& idempotency_key = {}, const StopFlag* stop = nullptr,
              const RetryPolicy* policy = nullptr) {
    const RetryPolicy& p = policy != nullptr ? *policy : options_.retry;
    const std::string payload = body.dump();
    const auto deadline = std::chrono::steady_clock::now() + p.max_elapsed;
    for (int attempt = 1;; ++attempt) {
      Raw raw = perform(kApiBase + path, payload, idempotency_key);
      std::string code;
      if (raw.curl_code == CURLE_OK && raw.status >= 200 && raw.status < 300) {
        return parseAnswer(raw);
      }
      if (raw.curl_code == CURLE_OK) {
        ApiError e = detail::errorFromAnswer(raw.status, raw.body);
        if (!detail::retryableStatus(raw.status, e.code())) {
          throw e;
        }
        code = e.code();
      } else if (!detail::retryableCurlCode(raw.curl_code)) {
        throw TransportError(transportMessage(path, raw), static_cast<int>(raw.curl_code));
      } else {
        code = raw.error;
      }
      auto delay = detail::backoffDelay(p, attempt, detail::jitterUnit());
      if (const auto after = detail::parseRetryAfter(raw.retry_after)) {
        delay = std::max(delay, std::chrono::duration_cast<std::chrono::milliseconds>(*after));
      }
      const bool stopped = stop != nullptr && stop->requested();
      if (stopped || std::chrono::steady_clock::now() + delay > deadline) {
        giveUp(path, raw);
      }
      if (options_.on_retry) {
        try {  // a logger: what it throws is dropped
          options_.on_retry(RetryNotice{path, attempt, raw.status, code, delay});
        } catch (...) {
        }
      }
      if (stop != nullptr) {
        if (!stop->sleepFor(delay)) {
          giveUp(path, raw);
        }
      } else {
        std::this_thread::sleep_for(delay);
      }
    }
  }

 private:
  struct Raw {
    CURLcode curl_code = CURLE_OK;
    std::string error;  // curl's message when curl_code != CURLE_OK
    long status = 0;
    std::string body;
    std::string retry_after;
    bool replayed = false;
  };

  // Owns a curl_slist.
  struct HeaderList {
    curl_slist* list = nullptr;
    HeaderList() = default;
    HeaderList(const HeaderList&) = delete;
    HeaderList& operator=(const HeaderList&) = delete;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& line) {
      curl_slist* grown = curl_slist_append(list, line.c_str());
      if (grown == nullptr) {
        throw std::bad_alloc();
      }
      list = grown;
    }
  };

  static size_t onBody(char* data, size_t size, size_t n, void* user) {
    static_cast<Raw*>(user)->body.append(data, size * n);
    return size * n;
  }

  static size_t onHeader(char* data, size_t size, size_t n, void* user) {
    Raw& raw = *static_cast<Raw*>(user);
    const std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a 1xx): start over
      raw.retry_after.clear();
      raw.replayed = false;
    }
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
        value.remove_suffix(1);
      }
      if (name == "retry-after") {
        raw.retry_after = std::string(value);
      } else if (name == "idempotent-replayed") {
        raw.replayed = value == "true";
      }
    }
    return size * n;
  }

  CURL* acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) {
      throw TransportError("curl_easy_init failed", static_cast<int>(CURLE_FAILED_INIT));
    }
    return h;
  }

  void release(CURL* h) {
    std::lock_guard lock(mutex_);
    idle_.push_back(h);
  }

  Raw perform(const std::string& path, const std::string& payload,
              const std::string& idempotency_key) {
    HeaderList headers;
    headers.add("Content-Type: application/json");
    headers.add("Accept: application/json");
    headers.add("Expect:");  // no 100-continue round trip
    headers.add("X-StellaOps-Tenant: " + options_.tenant);
    headers.add("X-StellaOps-Operator-Reason: " + options_.operator_reason);
    if (!options_.project.empty()) {
      headers.add("X-StellaOps-Project: " + options_.project);
    }
    if (!options_.token.empty()) {
      headers.add("Authorization: Bearer " + options_.token);
    }
    if (!idempotency_key.empty()) {
      headers.add("Idempotency-Key: " + idempotency_key);
    }
    const std::string url = options_.base_url + path;
    Raw raw;
    char error[CURL_ERROR_SIZE] = {0};
    CURL* h = acquire();
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Client::onBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &raw);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Client::onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &raw);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "jobengine-worker-sdk");
    raw.curl_code = curl_easy_perform(h);
    if (raw.curl_code == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &raw.status);
    } else {
      raw.error = error[0] != '\0' ? error : curl_easy_strerror(raw.curl_code);
      raw.body.clear();
    }
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // `error` dies with this frame
    release(h);
    return raw;
  }

  static Answer parseAnswer(const Raw& raw) {
    Answer a;
    a.status = raw.status;
    a.replayed = raw.replayed;
    if (raw.body.empty()) {
      a.body = nlohmann::json::object();
      return a;
    }
    auto parsed = sdk::parseJsonBounded(raw.body, "worker bridge answer");
    if (!parsed.ok()) {
      throw ApiError(raw.status, "INVALID_ANSWER", parsed.error, "");
    }
    a.body = std::move(parsed.value);
    return a;
  }

  std::string transportMessage(const std::string& path, const Raw& raw) const {
    return "POST " + options_.base_url + kApiBase + path + ": " + raw.error;
  }

  [[noreturn]] void giveUp(const std::string& path, const Raw& raw) const {
    if (raw.curl_code != CURLE_OK) {
      throw TransportError(transportMessage(path, raw), static_cast<int>(raw.curl_code));
    }
    throw detail::errorFromAnswer(raw.status, raw.body);
  }

  Options options_;
  std::mutex mutex_;  // guards idle_
  std::vector<CURL*> idle_;
};

}  // namespace jobengine::worker
