// Runner implementation: claim loop, handler invocation through je_job_context, batch
// completion, lease renewal of the jobs held here. See runner.hpp.
#include "runner.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

// Concurrent claim transactions at most (each leases up to claim_batch_size).
constexpr int kMaxClaimers = 4;
// Handlers slower than this on average: hold only as many leased jobs as can run at once.
constexpr double kFastHandlerMs = 5.0;
// The longest a finished job waits for others to share its completion transaction (only
// while workers are still running or have ready jobs; an idle runner completes at once).
constexpr auto kCompletionLinger = std::chrono::milliseconds(5);
// Retry times kept for the poller; later ones are found by the idle poll.
constexpr size_t kMaxRetriesDue = 1024;

void nameThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

// What a handler reports through its context.
struct JobRun {
  Runner* runner = nullptr;
  const Grant* grant = nullptr;
  std::shared_ptr<std::atomic<bool>> cancel;
  int32_t outcome = 0;  // 0: not failed; JE_JOB_*
  std::string code, message;
  bool retryable = true;
  json artifacts = json::array();
};

JobRun& run(const je_job_context* ctx) { return *static_cast<JobRun*>(ctx->impl); }

je_str str(const std::string& s) { return je_str{s.data(), s.size()}; }

}  // namespace

Runner::Runner(JobService& service) : service_(service) {}

Runner::~Runner() { stop(); }

std::vector<LeaseGroup> Runner::typesByLease() const {
  std::map<int, std::vector<std::string>> by_lease;
  for (const auto& name : service_.inProcessTypes()) {
    const auto info = service_.type(name);
    const int lease = info && info->lease_seconds > 0 ? info->lease_seconds
                                                      : service_.settings().default_lease_seconds;
    by_lease[lease].push_back(name);
  }
  std::vector<LeaseGroup> groups;
  for (auto& [lease, types] : by_lease) {
    groups.push_back({lease, std::move(types)});
  }
  return groups;
}

void Runner::start() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
    claimer_done_ = false;
  }
  const int workers = service_.settings().runner_threads;
  // Fixed before the threads start: claimers read it (capacityLocked) while start() is still
  // creating their siblings, so it must not be derived from claimers_.size().
  claimer_count_ = std::min(workers, kMaxClaimers);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this, i] { workLoop(i); });
  }
  for (int i = 0; i < claimer_count_; ++i) {
    claimers_.emplace_back([this, i] { claimLoop(i); });
  }
  sweeper_ = std::thread([this] { sweepLoop(); });
}

void Runner::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  sweep_cv_.notify_all();
  for (auto& t : claimers_) {
    if (t.joinable()) {
      t.join();  // they wait for the workers to run what was leased, and complete it
    }
  }
  claimers_.clear();
  for (auto& t : workers_) {
    if (t.joinable()) {
      t.join();
    }
  }
  workers_.clear();
  if (sweeper_.joinable()) {
    sweeper_.join();
  }
}

void Runner::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++wake_seq_;
  }
  claim_cv_.notify_all();
}

int Runner::idleWorkers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || claimer_count_ == 0) {
    return 0;
  }
  const int idle = service_.settings().runner_threads - busy_ - static_cast<int>(ready_.size());
  return std::max(0, idle);
}

void Runner::accept(std::vector<Grant> grants, int lease_seconds) {
  {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    for (const auto& g : grants) {
      inflight_[g.id] =
          InFlight{g.tenant, g.lease_id, lease_seconds, std::chrono::steady_clock::now(),
                   std::make_shared<std::atomic<bool>>(false)};
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& g : grants) {
      ready_.push_back(std::move(g));
    }
  }
  work_cv_.notify_all();
}

bool Runner::progress(const std::string& job_id, std::optional<int> percent,
                      std::optional<std::string> message) {
  InFlight f;
  {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    auto it = inflight_.find(job_id);
    if (it == inflight_.end()) {
      return false;
    }
    it->second.renewed = std::chrono::steady_clock::now();
    f = it->second;
  }
  auto txn = service_.host().begin(JE_TENANT_SYSTEM);
  const auto results =
      service_.heartbeat(txn, {{f.tenant, job_id, f.lease_id, percent, std::move(message)}},
                         f.lease_seconds, kRunnerWorkerId);
  txn.commit();
  const bool cancel = !results.empty() && results[0].cancel_requested;
  if (cancel) {
    f.cancel->store(true);
  }
  return cancel;
}

std::vector<Grant> Runner::completeAndClaim(const std::vector<Completion>& done, int want) {
  std::vector<Grant> grants;
  const auto groups = want > 0 ? typesByLease() : std::vector<LeaseGroup>{};
  if (done.empty() && groups.empty()) {
    return grants;
  }
  std::map<std::string, int> lease_of;  // job id -> lease seconds it was claimed with
  try {
    auto txn = service_.host().begin(JE_TENANT_SYSTEM);
    std::vector<CompletionResult> completed;
    if (!done.empty()) {
      completed = service_.complete(txn, done, kRunnerWorkerId);
    }
    if (!groups.empty()) {
      auto claimed = service_.claimGroups(txn, groups, want, kRunnerWorkerId);
      for (size_t i = 0; i < groups.size(); ++i) {
        for (auto& g : claimed[i]) {
          lease_of[g.id] = groups[i].lease_seconds;
          grants.push_back(std::move(g));
        }
      }
    }
    // An idle poll usually writes nothing: it then rolls back (when the Txn goes) instead of
    // committing, since every commit that wrote makes the host signal each replica's outbox
    // feeders (an empty claim would cost them a wake-up and a read each). Whether it wrote is
    // the server's word (admission may have throttled jobs while claiming none).
    bool wrote = !done.empty() || !grants.empty();
    if (!wrote) {
      txn.exec("SELECT pg_current_xact_id_if_assigned() IS NOT NULL", {},
               [&](const sdk::Row& r) { wrote = r.boolean(0); });
    }
    if (wrote) {
      txn.commit();
    }
    noteRetries(completed);
    if (const int64_t failed = claim_failures_.exchange(0); failed > 0) {
      service_.host().info("runner claims and completions work again after " +
                           std::to_string(failed) + " failed attempts");
    }
  } catch (const std::exception& e) {
    // Said once per outage: the claimers retry every poll_interval_ms while it lasts.
    if (claim_failures_.fetch_add(1) == 0) {
      service_.host().warn(std::string("runner claim/completion failed (leases will expire; "
                                       "retrying quietly until it works again): ") +
                           e.what());
    }
    grants.clear();
  }
  std::lock_guard<std::mutex> lock(inflight_mutex_);
  for (const auto& g : grants) {
    inflight_[g.id] =
        InFlight{g.tenant, g.lease_id, lease_of[g.id], std::chrono::steady_clock::now(),
                 std::make_shared<std::atomic<bool>>(false)};
  }
  return grants;
}

void Runner::noteRetries(const std::vector<CompletionResult>& results) {
  // Called after every completion: take the claimers' lock only when a retry was scheduled.
  if (std::none_of(results.begin(), results.end(),
                   [](const CompletionResult& r) { return r.applied && r.retry_at; })) {
    return;
  }
  bool noted = false;
  const auto system_now = std::chrono::system_clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const CompletionResult& r : results) {
    if (!r.applied || !r.retry_at) {
      continue;
    }
    retries_due_.insert(
        steady_now +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(*r.retry_at - system_now));
    noted = true;
  }
  while (retries_due_.size() > kMaxRetriesDue) {
    retries_due_.erase(std::prev(retries_due_.end()));
  }
  if (noted) {
    claim_cv_.notify_all();  // the poller's next deadline may be sooner now
  }
}

int Runner::capacityLocked() const {
  const int workers = std::max(1, service_.settings().runner_threads);
  const int batch = std::max(1, service_.settings().claim_batch_size);
  return avg_handler_ms_ < kFastHandlerMs ? batch * claimer_count_ : workers;
}

int Runner::batchThresholdLocked() const {
  if (avg_handler_ms_ >= kFastHandlerMs) {
    return 1;  // each job costs more than its share of a transaction
  }
  return std::max(1, std::min(service_.settings().claim_batch_size, capacityLocked()) / 2);
}

bool Runner::completeNowLocked() const {
  if (finished_.empty()) {
    return false;
  }
  const bool workers_dry = ready_.empty() && busy_ == 0;
  return stopping_ || workers_dry || static_cast<int>(finished_.size()) >= batchThresholdLocked() ||
         std::chrono::steady_clock::now() - finished_since_ >= kCompletionLinger;
}

void Runner::claimLoop(int index) {
  nameThread("sched-claim-" + std::to_string(index));
  // Only the first claimer polls (runner.hpp): when a retry of this replica is due, and on a
  // timer from poll_interval_ms doubling to idle_poll_max_ms while polls find nothing. The
  // others claim when woken (an enqueue here, the jobs signal from another replica,
  // completions) and when the poller's claim came back full.
  const bool poller = index == 0;
  const auto poll_min = std::chrono::milliseconds(service_.settings().poll_interval_ms);
  const auto poll_max =
      std::max(poll_min, std::chrono::milliseconds(service_.settings().idle_poll_max_ms));
  auto poll = poll_min;
  const int batch = std::max(1, service_.settings().claim_batch_size);
  bool look_again = true;  // this claimer's last claim was full: there may be more right away
  uint64_t seen = 0;
  for (;;) {
    std::vector<Completion> done;
    int want = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Room: leased jobs this replica may still take on (ready, running or being claimed).
      const auto room = [&] {
        return std::min(batch,
                        capacityLocked() - static_cast<int>(ready_.size()) - busy_ - reserved_);
      };
      const auto may_claim = [&] { return room() > 0 && (look_again || wake_seq_ != seen); };
      // A claim of its own is worth a transaction when it is big enough or the workers would
      // otherwise run dry; riding along with a completion it is nearly free.
      const auto claim_worth_it = [&] {
        return may_claim() && (room() >= batchThresholdLocked() || ready_.empty());
      };
      const auto waited_from = std::chrono::steady_clock::now();
      const auto poll_deadline = [&] {
        if (!poller) {
          return std::chrono::steady_clock::time_point::max();
        }
        const auto timer = waited_from + poll;
        return retries_due_.empty() ? timer : std::min(timer, *retries_due_.begin());
      };
      bool polled = false;
      while (!stopping_ && !completeNowLocked() && !claim_worth_it()) {
        auto until = poll_deadline();
        if (!finished_.empty()) {
          until = std::min(until, finished_since_ + kCompletionLinger);
        }
        if (until == std::chrono::steady_clock::time_point::max()) {
          claim_cv_.wait(lock);
        } else if (claim_cv_.wait_until(lock, until) == std::cv_status::timeout &&
                   std::chrono::steady_clock::now() >= poll_deadline()) {
          polled = true;
          break;
        }
      }
      if (polled) {  // the retries due by now are what this poll claims
        retries_due_.erase(retries_due_.begin(),
                           retries_due_.upper_bound(std::chrono::steady_clock::now()));
      }
      if (poller && wake_seq_ != seen) {
        poll = poll_min;  // woken: there is work about, look again soon
      }
      if (stopping_ && finished_.empty()) {
        if (ready_.empty() && busy_ == 0 && reserved_ == 0) {
          claimer_done_ = true;
          break;
        }
        // The workers still run what was leased; come back for their completions.
        claim_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
          return !finished_.empty() || (ready_.empty() && busy_ == 0 && reserved_ == 0);
        });
        continue;
      }
      const bool completing = completeNowLocked() || (polled && !finished_.empty());
      const bool claim_now =
          !stopping_ && room() > 0 && (polled || (completing && may_claim()) || claim_worth_it());
      seen = wake_seq_;
      if (completing) {
        done.swap(finished_);
      }
      want = claim_now ? room() : 0;
      reserved_ += want;
    }
    if (done.empty() && want == 0) {
      continue;
    }
    std::vector<Grant> grants = completeAndClaim(done, want);
    forget(done);
    if (want > 0) {
      look_again = static_cast<int>(grants.size()) == want;
    }
    if (poller) {  // an idle poll waits twice as long next time; any work sets it back
      poll = grants.empty() && done.empty() ? std::min(poll * 2, poll_max) : poll_min;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (want > 0 && look_again) {
        ++wake_seq_;  // a full claim: there may be more, so the waiting claimers look too
      }
      reserved_ -= want;
      for (auto& g : grants) {
        ready_.push_back(std::move(g));
      }
    }
    work_cv_.notify_all();
    claim_cv_.notify_all();  // room or completions may have changed for the other claimers
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();  // claimer_done_: idle workers exit
}

void Runner::workLoop(int index) {
  nameThread("sched-run-" + std::to_string(index));
  for (;;) {
    Grant grant;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] { return !ready_.empty() || claimer_done_; });
      if (ready_.empty()) {
        return;  // claimer_done_: stopping and nothing left to run
      }
      grant = std::move(ready_.front());
      ready_.pop_front();
      ++busy_;
    }
    const auto started = std::chrono::steady_clock::now();
    Completion completion = execute(grant);
    bool notify = false;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
      avg_handler_ms_ = 0.9 * avg_handler_ms_ + 0.1 * ms;
      if (finished_.empty()) {
        finished_since_ = std::chrono::steady_clock::now();
      }
      finished_.push_back(std::move(completion));
      // Wake a claimer only when it may act: the first finished job (it arms the linger),
      // a full completion batch, or workers running dry. Waking on every job cost a
      // thread switch per job.
      notify = finished_.size() == 1 ||
               static_cast<int>(finished_.size()) >= batchThresholdLocked() || ready_.empty();
    }
    if (notify) {
      claim_cv_.notify_all();
    }
  }
}

void Runner::forget(const std::vector<Completion>& completions) {
  std::lock_guard<std::mutex> lock(inflight_mutex_);
  for (const auto& c : completions) {
    inflight_.erase(c.job_id);
  }
}

Completion Runner::execute(const Grant& g) {
  JobRun jr;
  jr.runner = this;
  jr.grant = &g;
  {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    jr.cancel = inflight_[g.id].cancel;
  }
  je_job_context ctx{};
  ctx.struct_size = sizeof(ctx);
  ctx.attempt = g.attempt;
  ctx.tenant = str(g.tenant);
  ctx.project = str(g.project);
  ctx.job_id = str(g.id);
  ctx.job_type = str(g.job_type);
  ctx.run_id = str(g.run_id);
  ctx.source_id = str(g.source_id);
  ctx.lease_id = str(g.lease_id);
  ctx.trace_id = str(g.trace_id);
  ctx.correlation_id = str(g.correlation_id);
  ctx.payload = str(g.payload);
  ctx.impl = &jr;
  ctx.progress = [](const je_job_context* c, int32_t percent, const char* msg, uint64_t len,
                    int32_t* cancel_requested) noexcept -> je_status {
    try {
      JobRun& r = run(c);
      std::optional<std::string> message;
      if (msg != nullptr && len > 0) {
        message = std::string(msg, len);
      }
      const bool cancel = r.runner->progress(r.grant->id, percent, message);
      if (cancel_requested != nullptr) {
        *cancel_requested = cancel || r.cancel->load() ? 1 : 0;
      }
      return JE_OK;
    } catch (...) {
      return JE_ERR_INTERNAL;
    }
  };
  ctx.cancel_requested = [](const je_job_context* c) noexcept -> int32_t {
    return run(c).cancel->load() ? 1 : 0;
  };
  ctx.add_artifact = [](const je_job_context* c, const char* uri, uint64_t uri_len,
                        const char* digest, uint64_t digest_len, const char* media_type,
                        uint64_t media_type_len, int64_t size_bytes) noexcept -> je_status {
    try {
      json a = {{"uri", std::string(uri, uri_len)}, {"digest", std::string(digest, digest_len)}};
      if (media_type != nullptr && media_type_len > 0) {
        a["mediaType"] = std::string(media_type, media_type_len);
      }
      if (size_bytes >= 0) {
        a["sizeBytes"] = size_bytes;
      }
      run(c).artifacts.push_back(a);
      return JE_OK;
    } catch (...) {
      return JE_ERR_INTERNAL;
    }
  };
  ctx.fail = [](const je_job_context* c, int32_t outcome, const char* code, uint64_t code_len,
                const char* msg, uint64_t msg_len, int32_t retryable) noexcept {
    try {
      JobRun& r = run(c);
      r.outcome = outcome;
      r.code = code == nullptr ? "" : std::string(code, code_len);
      r.message = msg == nullptr ? "" : std::string(msg, msg_len);
      r.retryable = retryable != 0;
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
    }
  };
  const auto info = service_.type(g.job_type);
  je_status st = JE_ERR_INTERNAL;
  if (info && info->handler != nullptr) {
    st = info->handler(info->user, &ctx);
  }
  Completion c{g.tenant, g.id, g.lease_id, "succeeded", nullptr, jr.artifacts};
  if (st != JE_OK) {
    c.status = jr.outcome == JE_JOB_TIMED_OUT  ? "timed_out"
               : jr.outcome == JE_JOB_CANCELED ? "canceled"
                                               : "failed";
    c.error = {
        {"code", jr.outcome == 0 ? "HANDLER_ERROR" : jr.code},
        {"message", jr.outcome == 0 ? "handler returned status " + std::to_string(st) : jr.message},
        {"retryable", jr.outcome == 0 ? true : jr.retryable}};
  }
  return c;
}

void Runner::renewLeases() {
  const auto now = std::chrono::steady_clock::now();
  std::map<int, std::vector<HeartbeatItem>> due;  // by lease seconds
  {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    for (auto& [id, f] : inflight_) {
      if (now - f.renewed >= std::chrono::seconds(std::max(1, f.lease_seconds / 3))) {
        f.renewed = now;
        due[f.lease_seconds].push_back({f.tenant, id, f.lease_id, std::nullopt, std::nullopt});
      }
    }
  }
  for (const auto& [lease, items] : due) {
    auto txn = service_.host().begin(JE_TENANT_SYSTEM);
    const auto results = service_.heartbeat(txn, items, lease, kRunnerWorkerId);
    txn.commit();
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    for (const auto& r : results) {
      auto it = inflight_.find(r.job_id);
      if (it != inflight_.end() && (r.cancel_requested || !r.applied)) {
        it->second.cancel->store(true);  // canceled, or the lease is gone: the handler should stop
      }
    }
  }
}

void Runner::sweepLoop() {
  nameThread("sched-sweep");
  const auto renew_every =
      std::chrono::milliseconds(std::min(service_.settings().sweep_interval_ms, 1000));
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (sweep_cv_.wait_for(lock, renew_every, [&] { return stopping_; })) {
        return;
      }
    }
    try {
      renewLeases();
    } catch (const std::exception& e) {
      service_.host().warn(std::string("lease renewal failed: ") + e.what());
    }
  }
}

}  // namespace jobengine::scheduler
