// job_counts.hpp — the ratelimit plugin's only view of jobs: je.jobs count_jobs (ABI 1.4),
// looked up in start() because je.jobs is plugin-provided. Until then, or when no plugin
// provides je.jobs, available() is false and limits that need a count (maxActive, caps) admit
// nothing rather than guess (admission_store.cpp).
#pragma once

#include <jobengine/jobs.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace jobengine::ratelimit {

class JobCounts {
 public:
  // Looks je.jobs up (start()). Logs and stays unavailable when absent or older than 1.4.
  void attach(const sdk::Host& host) {
    if (host.optional<je_jobs_v1>(JE_SERVICE_JOBS, 1) == nullptr) {
      host.warn("je.jobs is absent: concurrency limits (maxActive, caps) admit nothing");
      return;
    }
    jobs_.emplace(host);
    if (jobs_->raw()->struct_size < offsetof(je_jobs_v1, count_jobs) + sizeof(void*)) {
      host.warn("je.jobs predates ABI 1.4 (no count_jobs): concurrency limits admit nothing");
      jobs_.reset();
      return;
    }
    ready_.store(&*jobs_);  // published: routes on HTTP threads may read it from now on
  }
  // Forgets je.jobs (stop()): from then on nothing is counted.
  void detach() { ready_.store(nullptr); }
  bool available() const { return ready_.load() != nullptr; }
  // je.jobs once attached, else nullptr (the operator routes' accessor).
  const sdk::Jobs* jobs() const { return ready_.load(); }
  // At most cap jobs of the tenant in JE_JOBS_COUNT_* statuses (job_type nullopt: all types),
  // in txn (nullptr: a transaction of the scheduler's own).
  int64_t count(sdk::Txn* txn, const std::string& tenant, int32_t what,
                const std::optional<std::string>& job_type, int64_t cap) const {
    const sdk::Jobs* jobs = ready_.load();
    if (jobs == nullptr) {
      throw sdk::Error(JE_ERR_UNSUPPORTED, "je.jobs is not available");
    }
    return jobs->count(txn, tenant, what, job_type, cap);
  }

 private:
  std::optional<sdk::Jobs> jobs_;  // written once in start(), before ready_ is published
  std::atomic<const sdk::Jobs*> ready_{nullptr};
};

}  // namespace jobengine::ratelimit
