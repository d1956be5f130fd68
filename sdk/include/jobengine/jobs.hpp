// jobengine/jobs.hpp — the C++ side of je.jobs (the scheduler's service, abi.h): register job
// types with an in-process handler written as an ordinary lambda, and enqueue jobs or DAG runs
// inside your own transaction. Header-only, over the C vtable; needs ABI 1.2 for registration
// (the scheduler asks the host who is calling: a plugin never names itself).
//
//   class MyPlugin {
//     void start() {                       // je.jobs is plugin-provided: look it up in start()
//       jobs_.emplace(host_);
//       sdk::JobTypeOptions options;
//       options.max_attempts = 3;
//       jobs_->registerType("myplugin.fetch", [](sdk::JobContext& job) {
//         const auto payload = job.payload();
//         if (job.progress(50, "half way")) return;  // canceled: stop early
//         job.addArtifact("s3://bucket/key", "sha256:...", "application/json", 42);
//       }, options);
//     }
//     std::optional<sdk::Jobs> jobs_;
//   };
//
// A handler succeeds by returning. It fails by throwing JobFailure (outcome, code, message,
// retryable) or any other exception (a retryable failure, code HANDLER_ERROR). Handlers run
// on the scheduler's runner threads, never on the plugin's own.
#pragma once

#include <jobengine/abi.h>
#include <jobengine/json_limits.hpp>
#include <jobengine/plugin.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jobengine::sdk {

// Thrown by a handler to end its job with an outcome other than success.
class JobFailure : public std::runtime_error {
 public:
  JobFailure(std::string code, const std::string& message, bool retryable = true,
             int32_t outcome = JE_JOB_FAILED)
      : std::runtime_error(message),
        code_(std::move(code)),
        retryable_(retryable),
        outcome_(outcome) {}
  const std::string& code() const { return code_; }
  bool retryable() const { return retryable_; }
  int32_t outcome() const { return outcome_; }

 private:
  std::string code_;
  bool retryable_;
  int32_t outcome_;
};

// What a handler sees of its job; valid only during the handler call.
class JobContext {
 public:
  explicit JobContext(const je_job_context& ctx) : ctx_(ctx) {}

  int attempt() const { return ctx_.attempt; }
  std::string_view tenant() const { return view(ctx_.tenant); }
  std::string_view project() const { return view(ctx_.project); }
  std::string_view jobId() const { return view(ctx_.job_id); }
  std::string_view jobType() const { return view(ctx_.job_type); }
  std::string_view runId() const { return view(ctx_.run_id); }
  std::string_view sourceId() const { return view(ctx_.source_id); }
  std::string_view leaseId() const { return view(ctx_.lease_id); }
  std::string_view traceId() const { return view(ctx_.trace_id); }
  std::string_view correlationId() const { return view(ctx_.correlation_id); }
  // The payload as JSON (bounded parse, json_limits.hpp).
  nlohmann::json payload() const {
    auto parsed = parseJsonBounded(view(ctx_.payload), "job payload");
    if (!parsed.ok()) {
      throw JobFailure("PAYLOAD_INVALID", parsed.error, false);
    }
    return std::move(parsed.value);
  }
  // Reports progress (0..100) and renews the lease; true when the job was canceled and the
  // handler should stop.
  bool progress(int percent, std::string_view message = {}) const {
    int32_t cancel = 0;
    const je_status st = ctx_.progress(&ctx_, percent, message.data(), message.size(), &cancel);
    if (st != JE_OK) {
      throw Error(st, "progress: the lease is gone");
    }
    return cancel != 0;
  }
  bool cancelRequested() const { return ctx_.cancel_requested(&ctx_) != 0; }
  void addArtifact(std::string_view uri, std::string_view digest, std::string_view media_type,
                   int64_t size_bytes) const {
    const je_status st =
        ctx_.add_artifact(&ctx_, uri.data(), uri.size(), digest.data(), digest.size(),
                          media_type.data(), media_type.size(), size_bytes);
    if (st != JE_OK) {
      throw Error(st, "add_artifact failed");
    }
  }
  const je_job_context& raw() const { return ctx_; }

 private:
  static std::string_view view(je_str s) {
    return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
  }
  const je_job_context& ctx_;
};

using JobHandler = std::function<void(JobContext&)>;

// Per-type settings; 0 leaves the scheduler's default.
struct JobTypeOptions {
  int32_t max_attempts = 0;
  int32_t lease_seconds = 0;
  int32_t timeout_seconds = 0;
  int32_t backoff_base_ms = 0;
  double backoff_factor = 0;
  int32_t backoff_cap_ms = 0;
};

class Jobs {
 public:
  // Looks je.jobs up; throws Error(JE_ERR_NOT_FOUND) when no plugin provides it. Only in
  // start() or later (plugin-provided services exist once every plugin was created).
  explicit Jobs(const Host& host)
      : host_(host), jobs_(host.required<je_jobs_v1>(JE_SERVICE_JOBS, 1)) {}
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;

  // An in-process type: handler runs on the scheduler's runner. Only in start().
  void registerType(const std::string& job_type, JobHandler handler,
                    const JobTypeOptions& options = {}) {
    handlers_.push_back(std::move(handler));  // deque: the address stays valid
    try {
      registerDef(job_type, &handlers_.back(), options);
    } catch (...) {
      handlers_.pop_back();
      throw;
    }
  }
  // An external type: claimed by workers through the worker bridge. Only in start().
  void registerExternalType(const std::string& job_type, const JobTypeOptions& options = {}) {
    registerDef(job_type, nullptr, options);
  }

  // Enqueues {"jobs":[...]} or one job object inside txn (nullptr: a transaction of its own,
  // bound to tenant); returns the scheduler's answer ({"jobs":[{"id":...}, ...]}).
  nlohmann::json enqueue(Txn* txn, std::string_view tenant, const nlohmann::json& request) const {
    return submit(jobs_->enqueue, txn, tenant, request, "enqueue");
  }
  // Creates a run (a DAG: jobs with keys and dependsOn) inside txn, same conventions.
  nlohmann::json createRun(Txn* txn, std::string_view tenant, const nlohmann::json& request) const {
    return submit(jobs_->create_run, txn, tenant, request, "create_run");
  }

  // Counts a tenant's jobs (what: JE_JOBS_COUNT_*; no job type: every type) inside txn
  // (nullptr: a transaction of its own), at most cap. Needs a 1.4 scheduler: throws
  // Error(JE_ERR_UNSUPPORTED) on an older one.
  int64_t count(Txn* txn, const std::string& tenant, int32_t what,
                const std::optional<std::string>& job_type, int64_t cap) const {
    if (jobs_->struct_size < offsetof(je_jobs_v1, count_jobs) + sizeof(jobs_->count_jobs)) {
      throw Error(JE_ERR_UNSUPPORTED, "count_jobs: the je.jobs provider predates ABI 1.4");
    }
    int64_t out = 0;
    char err[kErrCap] = {0};
    const je_status st =
        jobs_->count_jobs(jobs_->self, txn == nullptr ? nullptr : txn->raw(), tenant.c_str(), what,
                          job_type ? job_type->c_str() : nullptr, cap, &out, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string("count_jobs: ") + err);
    }
    return out;
  }

  const je_jobs_v1* raw() const { return jobs_; }

 private:
  using SubmitFn = je_status (*)(void*, je_txn*, const char*, const char*, uint64_t, je_str_sink,
                                 void*, char*, uint32_t);

  void registerDef(const std::string& job_type, JobHandler* handler,
                   const JobTypeOptions& options) {
    if (jobs_->struct_size <
        offsetof(je_jobs_v1, register_type_for) + sizeof(jobs_->register_type_for)) {
      throw Error(JE_ERR_UNSUPPORTED, "je.jobs on this host has no register_type_for (ABI 1.2)");
    }
    je_job_type_def def{};
    def.struct_size = sizeof(def);
    def.job_type = job_type.c_str();
    def.handler = handler == nullptr ? nullptr : &runHandler;
    def.user = handler;
    def.max_attempts = options.max_attempts;
    def.lease_seconds = options.lease_seconds;
    def.timeout_seconds = options.timeout_seconds;
    def.backoff_base_ms = options.backoff_base_ms;
    def.backoff_factor = options.backoff_factor;
    def.backoff_cap_ms = options.backoff_cap_ms;
    char err[kErrCap] = {0};
    const je_status st =
        jobs_->register_type_for(jobs_->self, host_.api()->host, &def, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, err);
    }
  }

  static je_status runHandler(void* user, const je_job_context* ctx) noexcept {
    auto fail = [ctx](int32_t outcome, const std::string& code, const std::string& message,
                      bool retryable) {
      ctx->fail(ctx, outcome, code.data(), code.size(), message.data(), message.size(),
                retryable ? 1 : 0);
      return JE_ERR_INTERNAL;
    };
    try {
      JobContext job(*ctx);
      (*static_cast<JobHandler*>(user))(job);
      return JE_OK;
    } catch (const JobFailure& f) {
      return fail(f.outcome(), f.code(), f.what(), f.retryable());
    } catch (const std::exception& e) {
      return fail(JE_JOB_FAILED, "HANDLER_ERROR", e.what(), true);
    } catch (...) {
      return fail(JE_JOB_FAILED, "HANDLER_ERROR", "unknown exception", true);
    }
  }

  nlohmann::json submit(SubmitFn fn, Txn* txn, std::string_view tenant,
                        const nlohmann::json& request, const char* what) const {
    const std::string body = request.dump();
    const std::string tenant_text(tenant);
    std::string out;
    char err[kErrCap] = {0};
    const je_status st = fn(
        jobs_->self, txn == nullptr ? nullptr : txn->raw(), tenant_text.c_str(), body.data(),
        body.size(),
        [](void* u, const char* d, uint64_t n) { static_cast<std::string*>(u)->assign(d, n); },
        &out, err, kErrCap);
    if (st != JE_OK) {
      throw Error(st, std::string(what) + ": " + err);
    }
    auto parsed = parseJsonBounded(out, what);
    if (!parsed.ok()) {
      throw Error(JE_ERR_INTERNAL, std::string(what) + ": " + parsed.error);
    }
    return std::move(parsed.value);
  }

  const Host& host_;
  const je_jobs_v1* jobs_;
  std::deque<JobHandler> handlers_;
};

}  // namespace jobengine::sdk
