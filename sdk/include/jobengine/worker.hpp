// jobengine/worker.hpp — the worker SDK: write an external JobEngine worker as one lambda.
// The Worker claims jobs of your types through the scheduler's worker bridge, runs your
// handler for each, keeps the lease alive with heartbeats, tells the handler when the engine
// asked to cancel, and completes the job with its outcome and artifacts. The HTTP side
// (headers, retries, idempotency keys, the error envelope) is jobengine/worker_client.hpp.
//
//   namespace jw = jobengine::worker;
//   jw::Options connection;                       // base_url, tenant, token, worker_id
//   jw::WorkerOptions options;                    // job_types, concurrency, lease, limits
//   options.job_types = {"demo.echo"};
//   jw::Worker worker(connection, options, [](jw::Job& job) {
//     if (job.cancelRequested()) return;          // ends `canceled`
//     job.addArtifact({"s3://bucket/key", "sha256:...", "text/plain", 42});
//     // return: `succeeded`; throw jw::JobFailure("UPSTREAM_503", "busy"): `failed`
//   });
//   worker.run();                                 // until stop(), max_jobs or idle_exit
//
// Outcomes: a handler that returns ends its job `succeeded` with the artifacts it added. It
// fails the job by throwing JobFailure (code, message, retryable, outcome) or any other
// exception (code HANDLER_ERROR, retryable), like jobengine/jobs.hpp for in-process handlers.
// Once the engine asked to cancel (cancelRequested()), the job ends `canceled` however the
// handler ends. When the lease was lost (a heartbeat answered LEASE_STALE: it expired and the
// job may already run elsewhere), nothing is reported: leaseLost() tells the handler to stop.
//
// Claiming: the bridge has no long-poll, so an empty claim backs off from poll_min, doubling
// up to poll_max with equal jitter, and a grant resets it. Each handler thread claims one job
// at a time (maxCount 1), so a worker never holds a lease it has no thread for.
//
// Threading model: run() runs `concurrency` handler loops, the first on the calling thread and
// the others on threads named je-worker-<n>, plus one shared heartbeat thread (je-heartbeat)
// that renews every in-flight lease in one batch request (POST /worker/heartbeat) every
// heartbeat_interval. run() joins every thread it started before it returns. Handlers run on
// the handler threads; Job's cancelRequested() / leaseLost() are atomics the heartbeat thread
// sets; progress() may be called from any thread. on_event is called on whichever thread the
// event happened (handler or heartbeat thread), so it must be thread-safe. stop() may be
// called from any thread (a signal handler must not: use a flag and a thread of your own).
//
// Linking: as worker_client.hpp (libcurl, nlohmann_json, threads). Header-only, C++17, no ABI.
#pragma once

#if defined(__linux__)
#include <pthread.h>
#endif

#include <jobengine/worker_client.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace jobengine::worker {

// Thrown by a handler to end its job with an outcome other than success.
class JobFailure : public std::runtime_error {
 public:
  JobFailure(std::string code, const std::string& message, bool retryable = true,
             Outcome outcome = Outcome::kFailed, int http_status = 0)
      : std::runtime_error(message),
        code_(std::move(code)),
        retryable_(retryable),
        outcome_(outcome),
        http_status_(http_status) {}
  const std::string& code() const { return code_; }
  bool retryable() const { return retryable_; }
  Outcome outcome() const { return outcome_; }
  int httpStatus() const { return http_status_; }

 private:
  std::string code_;
  bool retryable_;
  Outcome outcome_;
  int http_status_;
};

// One claimed job, as the handler sees it. It lives for the handler call.
class Job {
 public:
  explicit Job(Grant grant) : grant_(std::move(grant)) {}
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& id() const { return grant_.job_id; }
  const std::string& type() const { return grant_.job_type; }
  const std::string& leaseId() const { return grant_.lease_id; }
  int attempt() const { return grant_.attempt; }
  const nlohmann::json& payload() const { return grant_.payload; }
  const Grant& grant() const { return grant_; }

  // The engine asked to cancel (POST /jobs/{id}/cancel, a run cancel); learnt from the
  // latest heartbeat. Stop early: the job ends `canceled` whatever the handler does.
  bool cancelRequested() const { return cancel_requested_.load(); }
  // A heartbeat answered LEASE_STALE: the job is no longer ours; nothing will be reported.
  bool leaseLost() const { return lease_lost_.load(); }
  bool shouldStop() const { return cancelRequested() || leaseLost(); }

  // Progress (0..100) and a short message, sent with the next heartbeat. Any thread.
  void progress(int percent, std::string message = {}) {
    std::lock_guard lock(mutex_);
    progress_ = std::clamp(percent, 0, 100);
    message_ = std::move(message);
  }
  // An artifact reported with the completion (whatever the outcome). Handler thread only.
  void addArtifact(Artifact artifact) { artifacts_.push_back(std::move(artifact)); }

 private:
  friend class Worker;

  HeartbeatItem heartbeatItem() const {
    std::lock_guard lock(mutex_);
    return HeartbeatItem{grant_.job_id, grant_.lease_id, progress_, message_};
  }
  void apply(const HeartbeatResult& r) {
    if (!r.applied) {
      lease_lost_.store(true);
    } else if (r.cancel_requested) {
      cancel_requested_.store(true);
    }
  }

  Grant grant_;
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> lease_lost_{false};
  mutable std::mutex mutex_;  // guards progress_, message_
  std::optional<int> progress_;
  std::string message_;
  std::vector<Artifact> artifacts_;
};

// What happened, for logs (WorkerOptions::on_event).
struct WorkerEvent {
  enum class Kind {
    kClaimed,           // a grant arrived; the handler runs next
    kCompleted,         // the completion was accepted (status: the job's status now)
    kCompletionFailed,  // the completion was refused or could not be sent (code, message)
    kLeaseLost,         // the lease went stale while the handler ran; nothing was reported
    kHeartbeatFailed,   // a heartbeat got no usable answer; the next one tries again
  };
  Kind kind = Kind::kClaimed;
  std::string job_id;  // empty for a batch heartbeat failure
  int attempt = 0;
  long http_status = 0;  // kCompleted: 200; kCompletionFailed: the answer, 0 for none
  std::string status;    // kCompleted: the job's status ("queued": a retry was scheduled)
  Outcome outcome = Outcome::kSucceeded;  // kCompleted / kCompletionFailed: what was reported
  bool replayed = false;                  // kCompleted: an earlier identical report was replayed
  std::string code;                       // failures: the envelope code or curl's message
  std::string message;
};

struct WorkerOptions {
  std::vector<std::string> job_types;  // required
  int concurrency = 1;                 // handler loops, 1..1000
  int lease_seconds = 30;              // asked on claim, renewed by heartbeats; 0: the engine's
  std::chrono::milliseconds heartbeat_interval{0};  // 0: a third of the lease (10 s for 0)
  std::chrono::milliseconds poll_min{100};          // back-off after an empty claim ...
  std::chrono::milliseconds poll_max{2000};         // ... doubling up to this
  std::chrono::milliseconds idle_exit{0};           // run() returns after this long idle; 0: never
  int max_jobs = 0;  // run() returns after this many jobs; 0: no limit
  std::function<void(const WorkerEvent&)> on_event;  // a logger; what it throws is dropped
};

using Handler = std::function<void(Job&)>;

class Worker {
 public:
  Worker(Options connection, WorkerOptions options, Handler handler)
      : client_(std::move(connection)), options_(std::move(options)), handler_(std::move(handler)) {
    if (options_.job_types.empty()) {
      throw std::invalid_argument("worker::WorkerOptions::job_types: at least one job type");
    }
    if (options_.concurrency < 1 || options_.concurrency > 1000) {
      throw std::invalid_argument("worker::WorkerOptions::concurrency: must be in 1..1000, got " +
                                  std::to_string(options_.concurrency));
    }
    if (options_.lease_seconds < 0 || options_.lease_seconds > 86400) {
      throw std::invalid_argument("worker::WorkerOptions::lease_seconds: must be in 0..86400");
    }
    if (!handler_) {
      throw std::invalid_argument("worker::Worker: a handler is required");
    }
    if (options_.heartbeat_interval.count() <= 0) {
      options_.heartbeat_interval = std::chrono::milliseconds(
          options_.lease_seconds > 0 ? options_.lease_seconds * 1000 / 3 : 10000);
    }
    // A heartbeat that fails gives up by the next tick, which tries again with fresh progress.
    heartbeat_retry_.initial_delay = std::chrono::milliseconds(100);
    heartbeat_retry_.max_delay = options_.heartbeat_interval / 2;
    heartbeat_retry_.max_elapsed = options_.heartbeat_interval;
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Claims and handles jobs until stop(), max_jobs or idle_exit; once per Worker. In-flight
  // jobs are finished and completed before it returns. Throws what a claim threw when it was
  // not worth retrying (ApiError: a bad token, a missing scope) or outlived the retry budget.
  void run() {
    touch();
    std::thread heartbeat([this] {
      nameThread("je-heartbeat");
      heartbeatLoop();
    });
    std::vector<std::thread> loops;
    for (int n = 1; n < options_.concurrency; ++n) {
      loops.emplace_back([this, n] {
        nameThread("je-worker-" + std::to_string(n));
        guardedLoop();
      });
    }
    guardedLoop();
    for (auto& t : loops) {
      t.join();
    }
    heartbeat_stop_.request();
    heartbeat.join();
    if (failure_) {
      std::rethrow_exception(failure_);
    }
  }

  // Stops claiming; run() returns once the jobs in flight are completed. Any thread.
  void stop() { stop_.request(); }

  // Jobs handled so far (completed, failed or lost).
  int jobsHandled() const { return handled_.load(); }
  Client& client() { return client_; }

 private:
  using Clock = std::chrono::steady_clock;

  static void nameThread(const std::string& name) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
    (void)name;
#endif
  }

  void touch() { last_activity_.store(Clock::now().time_since_epoch().count()); }

  bool idle() const {
    if (options_.idle_exit.count() <= 0 || in_flight_.load() > 0) {
      return false;
    }
    const Clock::time_point last{Clock::duration(last_activity_.load())};
    return Clock::now() - last >= options_.idle_exit;
  }

  // Reserves one of max_jobs before a claim; false when they are all taken.
  bool reserve() {
    if (options_.max_jobs <= 0) {
      return true;
    }
    if (reserved_.fetch_add(1) >= options_.max_jobs) {
      reserved_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void unreserve() {
    if (options_.max_jobs > 0) {
      reserved_.fetch_sub(1);
    }
  }

  // on_event is a logger: what it throws is dropped, so it can neither kill the heartbeat
  // thread (an exception leaving a std::thread terminates the process) nor skip a completion.
  void emit(const WorkerEvent& e) const noexcept {
    if (options_.on_event) {
      try {
        options_.on_event(e);
      } catch (...) {
      }
    }
  }

  void guardedLoop() {
    try {
      claimLoop();
    } catch (...) {
      std::lock_guard lock(failure_mutex_);
      if (!failure_) {
        failure_ = std::current_exception();
      }
      stop_.request();
    }
  }

  void claimLoop() {
    ClaimRequest request;
    request.job_types = options_.job_types;
    request.lease_seconds = options_.lease_seconds;
    std::chrono::milliseconds backoff = options_.poll_min;
    while (!stop_.requested()) {
      if (!reserve()) {
        return;  // max_jobs claimed (by this loop or another)
      }
      std::vector<Grant> grants;
      try {
        grants = client_.claim(request, &stop_);
      } catch (...) {
        unreserve();
        if (stop_.requested()) {
          return;  // a back-off cut short by stop()
        }
        throw;
      }
      if (grants.empty()) {
        unreserve();
        if (idle()) {
          return;
        }
        const auto wait = std::chrono::milliseconds(static_cast<int64_t>(
            static_cast<double>(backoff.count()) * (0.5 + 0.5 * detail::jitterUnit())));
        backoff = std::min(backoff * 2, options_.poll_max);
        if (!stop_.sleepFor(wait)) {
          return;
        }
        continue;
      }
      backoff = options_.poll_min;
      touch();
      for (auto& g : grants) {  // maxCount 1: one grant
        handle(std::move(g));
      }
    }
  }

  // Registers a job with the heartbeat thread for the lifetime of the handler call.
  class Registration {
   public:
    Registration(Worker& w, Job& job) : w_(w), job_(job) {
      ++w_.in_flight_;
      std::lock_guard lock(w_.jobs_mutex_);
      w_.jobs_[job_.leaseId()] = &job_;
    }
    ~Registration() { end(); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    void end() {
      if (ended_) {
        return;
      }
      ended_ = true;
      std::lock_guard lock(w_.jobs_mutex_);
      w_.jobs_.erase(job_.leaseId());
    }
    void done() {
      --w_.in_flight_;
      w_.touch();
      ++w_.handled_;
    }

   private:
    Worker& w_;
    Job& job_;
    bool ended_ = false;
  };

  void handle(Grant grant) {
    Job job(std::move(grant));
    WorkerEvent claimed;
    claimed.kind = WorkerEvent::Kind::kClaimed;
    claimed.job_id = job.id();
    claimed.attempt = job.attempt();
    emit(claimed);

    Registration registration(*this, job);
    // The first heartbeat now: the job turns `running` and an early cancel is seen.
    beat({job.heartbeatItem()});
    Completion completion;
    completion.job_id = job.id();
    completion.lease_id = job.leaseId();
    if (!job.shouldStop()) {
      runHandler(job, completion);
    }
    registration.end();  // no heartbeats once the report is on its way
    if (job.leaseLost()) {
      WorkerEvent lost;
      lost.kind = WorkerEvent::Kind::kLeaseLost;
      lost.job_id = job.id();
      lost.attempt = job.attempt();
      emit(lost);
      registration.done();
      return;
    }
    if (job.cancelRequested()) {
      completion.outcome = Outcome::kCanceled;
      completion.error.reset();
    }
    completion.artifacts = std::move(job.artifacts_);
    report(job, completion);
    registration.done();
  }

  void runHandler(Job& job, Completion& completion) {
    try {
      handler_(job);
      completion.outcome = Outcome::kSucceeded;
    } catch (const JobFailure& f) {
      completion.outcome = f.outcome();
      completion.error = JobError{f.code(), f.what(), f.retryable(), f.httpStatus()};
    } catch (const std::exception& e) {
      completion.outcome = Outcome::kFailed;
      completion.error = JobError{"HANDLER_ERROR", e.what(), true, 0};
    } catch (...) {
      completion.outcome = Outcome::kFailed;
      completion.error = JobError{"HANDLER_ERROR", "the handler threw a non-exception", true, 0};
    }
  }

  void report(const Job& job, const Completion& completion) {
    WorkerEvent e;
    e.job_id = job.id();
    e.attempt = job.attempt();
    e.outcome = completion.outcome;
    try {
      const CompletionResult r = client_.complete(completion);
      e.kind = WorkerEvent::Kind::kCompleted;
      e.http_status = 200;
      e.status = r.status;
      e.replayed = r.replayed;
    } catch (const ApiError& err) {
      e.kind = WorkerEvent::Kind::kCompletionFailed;
      e.http_status = err.status();
      e.code = err.code();
      e.message = err.what();
    } catch (const TransportError& err) {
      e.kind = WorkerEvent::Kind::kCompletionFailed;
      e.code = "TRANSPORT";
      e.message = err.what();
    }
    emit(e);
  }

  // Heartbeats the items (one request; the batch form for more than one) and hands each
  // registered job its answer.
  void beat(const std::vector<HeartbeatItem>& items) {
    std::vector<HeartbeatResult> results;
    try {
      if (items.size() == 1) {
        results.push_back(client_.heartbeat(items[0], options_.lease_seconds, &heartbeat_retry_,
                                            &heartbeat_stop_));
      } else {
        results = client_.heartbeatBatch(items, options_.lease_seconds, &heartbeat_retry_,
                                         &heartbeat_stop_);
      }
    } catch (const std::exception& err) {
      WorkerEvent e;
      e.kind = WorkerEvent::Kind::kHeartbeatFailed;
      e.job_id = items.size() == 1 ? items[0].job_id : "";
      const auto* api = dynamic_cast<const ApiError*>(&err);
      e.http_status = api != nullptr ? api->status() : 0;
      e.code = api != nullptr ? api->code() : "TRANSPORT";
      e.message = err.what();
      emit(e);
      return;
    }
    // Results come in request order. Leases key the registry: a job whose handler already
    // ended is gone from it, and a job id can come back with a new lease after an expiry.
    std::lock_guard lock(jobs_mutex_);
    for (size_t i = 0; i < results.size() && i < items.size(); ++i) {
      const auto it = jobs_.find(items[i].lease_id);
      if (it != jobs_.end() && results[i].job_id == items[i].job_id) {
        it->second->apply(results[i]);
      }
    }
  }

  void heartbeatLoop() {
    while (heartbeat_stop_.sleepFor(options_.heartbeat_interval)) {
      std::vector<HeartbeatItem> items;
      {
        std::lock_guard lock(jobs_mutex_);
        for (const auto& entry : jobs_) {
          items.push_back(entry.second->heartbeatItem());
        }
      }
      if (!items.empty()) {
        beat(items);
      }
    }
  }

  Client client_;
  WorkerOptions options_;
  Handler handler_;
  RetryPolicy heartbeat_retry_;
  StopFlag stop_;            // stop claiming
  StopFlag heartbeat_stop_;  // stop the heartbeat thread (after every handler loop ended)
  std::atomic<int> in_flight_{0};
  std::atomic<int> reserved_{0};
  std::atomic<int> handled_{0};
  std::atomic<Clock::rep> last_activity_{0};
  std::mutex jobs_mutex_;             // guards jobs_
  std::map<std::string, Job*> jobs_;  // by lease id: the jobs whose handler is running
  std::mutex failure_mutex_;          // guards failure_
  std::exception_ptr failure_;
};

}  // namespace jobengine::worker
