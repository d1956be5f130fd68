// JobWorkload: the workload of the database failure tests (issue 13). A background thread
// enqueues `jobs` jobs of one type, round-robin over the engine replicas' REST ports, each
// with an Idempotency-Key of its own. A request that got no acknowledgement (no answer, a 5xx,
// 409 IDEMPOTENCY_IN_FLIGHT) is sent again with the same key, to the next replica, until one
// acknowledges it (201, or its stored answer replayed), so one acknowledged enqueue is one job
// however often it was retried. verify() then checks what the failure tests promise: no
// request got anything but an acknowledgement, 503, 409 or no answer (a 500 is a defect),
// every acknowledged job succeeded, has exactly one job.succeeded event in its history, and
// the tenant holds no job that was not acknowledged (nothing duplicated).
// Thread safety: start()/await*()/verify() from the test thread; the rest is internal.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace jobengine::testing {

struct WorkloadOptions {
  std::string tenant = "failover";
  std::string job_type = "scheduler.noop";
  int jobs = 300;
  std::chrono::milliseconds pace{10};  // between two enqueues
};

class JobWorkload {
 public:
  JobWorkload(std::vector<uint16_t> ports, WorkloadOptions options);
  ~JobWorkload();  // stops and joins the thread
  JobWorkload(const JobWorkload&) = delete;
  JobWorkload& operator=(const JobWorkload&) = delete;

  void start();
  // Waits until at least `n` enqueues were acknowledged; false on timeout.
  bool awaitAcknowledged(int n, std::chrono::seconds timeout) const;
  // Waits until the thread sent everything; false on timeout.
  bool awaitAllAcknowledged(std::chrono::seconds timeout);
  int acknowledged() const;
  // Requests that had to be sent again (no acknowledgement), and the answers that made them.
  int retries() const { return retries_.load(); }
  std::map<long, int> failedStatuses() const;
  // "N enqueues acknowledged, M retried (503 x3 no answer x1)", for the test's output.
  std::string summary() const;
  // The first acknowledgement at or after `t`, if any.
  std::optional<std::chrono::steady_clock::time_point> firstAckAfter(
      std::chrono::steady_clock::time_point t) const;

  // Jobs (id -> GET /jobs/{id} body) that are succeeded now, asked through `port`.
  std::map<std::string, nlohmann::json> succeededNow(uint16_t port) const;
  // Polls GET /jobs/summary through `port` until the tenant's jobs all succeeded (or timeout),
  // then checks every acknowledged job one by one. Adds a gtest failure per broken promise.
  void verify(uint16_t port, std::chrono::seconds timeout) const;

  std::vector<std::string> headers() const;

 private:
  void run();

  std::vector<uint16_t> ports_;
  WorkloadOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> retries_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;  // acknowledged, in order
  std::vector<std::chrono::steady_clock::time_point> acked_at_;
  std::map<long, int> failed_statuses_;  // status (0: no answer) -> count
  std::vector<std::string> unexpected_;  // answers that are neither an ack nor retryable
  bool done_ = false;
};

}  // namespace jobengine::testing
