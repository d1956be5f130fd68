// je_example_worker — an external JobEngine worker built on the worker SDK
// (sdk/include/jobengine/worker.hpp): it claims jobs of the given types through the scheduler's
// worker bridge, "works" on each for --work-ms while watching for a cancel, and completes it
// `succeeded` with one placeholder artifact (or `canceled` when the engine asked). It exits
// after --max-jobs jobs or --idle-exit-ms without work. minimal_worker.cpp is the same in 40
// lines without the flags.
//
//   je_example_worker --base-url http://127.0.0.1:8080 --tenant t1 --job-types demo.echo
//                     [--token JWT] [--worker-id w1] [--lease-seconds 30] [--max-jobs N]
//                     [--idle-exit-ms 10000] [--work-ms 0] [--concurrency 1]
//                     [--crash-after-claim]
//
// --crash-after-claim: after the first claim, print "claimed <jobId> attempt <n>" and die with
// SIGKILL-like abruptness (_exit(137)), leaving the lease to expire: the kill test's worker.
// Output lines the integration tests read: "claimed <id> attempt <n>", "completed <id> <http
// status>" (200, or the refusal's status, 0 for no answer) and "canceled <id> <http status>".
#include <unistd.h>

#include <jobengine/worker.hpp>

#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace jw = jobengine::worker;

struct Flags {
  jw::Options connection;
  jw::WorkerOptions worker;
  int work_ms = 0;
  bool crash_after_claim = false;
};

std::vector<std::string> splitCommas(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma - start);
    if (!item.empty()) {
      out.push_back(item);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

bool parse(int argc, char** argv, Flags& f) {
  f.connection.worker_id = "example-worker";
  f.worker.idle_exit = std::chrono::milliseconds(10000);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--base-url") {
      f.connection.base_url = next();
    } else if (a == "--token") {
      f.connection.token = next();
    } else if (a == "--tenant") {
      f.connection.tenant = next();
    } else if (a == "--job-types") {
      f.worker.job_types = splitCommas(next());
    } else if (a == "--worker-id") {
      f.connection.worker_id = next();
    } else if (a == "--lease-seconds") {
      f.worker.lease_seconds = std::stoi(next());
    } else if (a == "--max-jobs") {
      f.worker.max_jobs = std::stoi(next());
    } else if (a == "--idle-exit-ms") {
      f.worker.idle_exit = std::chrono::milliseconds(std::stoi(next()));
    } else if (a == "--work-ms") {
      f.work_ms = std::stoi(next());
    } else if (a == "--concurrency") {
      f.worker.concurrency = std::stoi(next());
    } else if (a == "--crash-after-claim") {
      f.crash_after_claim = true;
    } else {
      std::cerr << "je_example_worker: unknown flag '" << a << "'\n";
      return false;
    }
  }
  if (f.connection.tenant.empty() || f.worker.job_types.empty()) {
    std::cerr << "je_example_worker: --tenant and --job-types are required\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  try {
    if (!parse(argc, argv, f)) {
      return 2;
    }
  } catch (const std::exception& e) {  // std::stoi on a bad number
    std::cerr << "je_example_worker: bad flag value: " << e.what() << "\n";
    return 2;
  }
  std::mutex out_mutex;  // events come from the handler and heartbeat threads
  const bool crash = f.crash_after_claim;
  f.worker.on_event = [&out_mutex, crash](const jw::WorkerEvent& e) {
    std::lock_guard lock(out_mutex);
    switch (e.kind) {
      case jw::WorkerEvent::Kind::kClaimed:
        std::cout << "claimed " << e.job_id << " attempt " << e.attempt << std::endl;
        if (crash) {
          _exit(137);  // die holding the lease, like a killed process
        }
        break;
      case jw::WorkerEvent::Kind::kCompleted:
        std::cout << (e.outcome == jw::Outcome::kCanceled ? "canceled " : "completed ") << e.job_id
                  << " " << e.http_status << std::endl;
        break;
      case jw::WorkerEvent::Kind::kCompletionFailed:
        std::cout << "completed " << e.job_id << " " << e.http_status << std::endl;
        std::cerr << "completion of " << e.job_id << " failed: " << e.message << std::endl;
        break;
      case jw::WorkerEvent::Kind::kLeaseLost:
        std::cerr << "lease of " << e.job_id << " went stale; nothing reported" << std::endl;
        break;
      case jw::WorkerEvent::Kind::kHeartbeatFailed:
        std::cerr << "heartbeat failed: " << e.message << std::endl;
        break;
    }
  };
  const int work_ms = f.work_ms;
  try {
    jw::Worker worker(f.connection, f.worker, [work_ms](jw::Job& job) {
      job.progress(50, "working");
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(work_ms);
      while (std::chrono::steady_clock::now() < until) {
        if (job.shouldStop()) {
          return;  // canceled (the job ends `canceled`) or the lease is gone
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      job.addArtifact({"mem://" + job.id(), "sha256:" + std::string(64, '0'), "text/plain", 0});
    });
    worker.run();
  } catch (const std::exception& e) {
    std::cerr << "je_example_worker: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
