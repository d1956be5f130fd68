// jobengine/worker_client.hpp — the HTTP half of the worker SDK: a small, thread-safe client
// for the scheduler's worker bridge (plugins/scheduler/README.md, "Routes": POST
// /worker/claim, /worker/jobs/{id}/heartbeat, /worker/jobs/{id}/complete,
// /worker/jobs/{id}/artifacts and the batch forms /worker/heartbeat, /worker/complete).
// jobengine/worker.hpp builds the claim / heartbeat / complete loop on top of it; use this
// header alone when you want to drive the bridge yourself. The values it takes and returns,
// the errors and the retry rules are in jobengine/worker_bridge.hpp.
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

#include <jobengine/worker_bridge.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace jobengine::worker {

namespace detail {

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
