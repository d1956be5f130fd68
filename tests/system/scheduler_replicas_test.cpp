// Two engine replicas on one database, and the in-process runner across them (DESIGN §5, §6):
// a job enqueued through replica A, which runs no runner of its own, is started by replica
// B's runner at once through the je.events wake-up signal (A's EventNotifier NOTIFYs, B's
// outbox feeder LISTENs and wakes B's claimers), not at B's next poll a minute later.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine_process.hpp"
#include "http_client.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

TEST(SchedulerReplicasTest, JobEnqueuedOnOneReplicaWakesTheOtherReplicasRunner) {
  Replicas replicas("sched_replicas", {"[plugins.scheduler]\nrunner_threads = 0\n",
                                       "[plugins.scheduler]\npoll_interval_ms = 60000\n"});
  const std::string t = "replicated";
  const std::vector<std::string> headers{
      "Authorization: Bearer " + replicas[0].mintToken(t, "orch:read orch:operate"),
      "X-StellaOps-Tenant: " + t, "X-StellaOps-Operator-Reason: system test"};
  HttpClient http(replicas[0].restPort());

  // Each job is enqueued only once the previous one is seen succeeded, i.e. after B's claimer
  // committed its last claim and went back to sleep for poll_interval_ms (60 s): from then on
  // only the signal can start the next one within the deadline (a failure timeout, 30 s).
  for (int i = 0; i < 3; ++i) {
    const auto enqueued_at = std::chrono::steady_clock::now();
    const Reply r = http.post("/api/v1/jobengine/jobs",
                              {{"type", "scheduler.noop"}, {"payload", {{"i", i}}}}, headers);
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string id = r.json()["id"];
    json job;
    const auto deadline = enqueued_at + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      job = http.get("/api/v1/jobengine/jobs/" + id, headers).json();
      if (job.value("status", "") == "succeeded") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(job.value("status", ""), "succeeded")
        << "job " << i << " was not started by replica B within 30 s: " << job.dump();
    std::cout << "job " << i << " enqueued on A, succeeded on B after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - enqueued_at)
                     .count()
              << " ms\n";
  }
}

}  // namespace
}  // namespace jobengine::testing
