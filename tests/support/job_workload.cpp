// JobWorkload (see job_workload.hpp).
#include "job_workload.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "dev_token.hpp"
#include "http_client.hpp"

namespace jobengine::testing {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr long kRequestTimeoutMs = 15000;
constexpr auto kRetryPause = std::chrono::milliseconds(50);

// What an outage may answer: no answer at all, 503 (no transaction, a lost connection, a
// failed commit) or 409 (the same key still in flight elsewhere). A 500 is retried too, but
// is a defect: the database being away is not an internal error.
bool expectedDuringOutage(long status) { return status == 0 || status == 409 || status == 503; }

}  // namespace

JobWorkload::JobWorkload(std::vector<uint16_t> ports, WorkloadOptions options)
    : ports_(std::move(ports)), options_(std::move(options)) {}

JobWorkload::~JobWorkload() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<std::string> JobWorkload::headers() const {
  return {"Authorization: Bearer " + devToken(options_.tenant, "orch:read orch:operate"),
          "X-StellaOps-Tenant: " + options_.tenant,
          "X-StellaOps-Operator-Reason: database failure test"};
}

void JobWorkload::start() {
  thread_ = std::thread([this] { run(); });
}

void JobWorkload::run() {
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (const uint16_t port : ports_) {
    clients.push_back(std::make_unique<HttpClient>(port));
  }
  const std::vector<std::string> base_headers = headers();
  size_t next = 0;
  for (int i = 0; i < options_.jobs && !stop_; ++i) {
    std::vector<std::string> h = base_headers;
    h.push_back("Idempotency-Key: workload-" + options_.tenant + "-" + std::to_string(i));
    h.emplace_back("Content-Type: application/json");
    const std::string body = json{{"type", options_.job_type}, {"payload", {{"i", i}}}}.dump();
    while (!stop_) {
      HttpClient& http = *clients[next++ % clients.size()];
      const Reply r = http.call("POST", "/api/v1/jobengine/jobs", body, h, kRequestTimeoutMs);
      if (r.status == 200 || r.status == 201) {
        const json j = r.json();
        const std::lock_guard<std::mutex> lock(mutex_);
        ids_.push_back(j.value("id", ""));
        acked_at_.push_back(Clock::now());
        break;
      }
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        ++failed_statuses_[r.status];
        if (!expectedDuringOutage(r.status)) {
          unexpected_.push_back("job " + std::to_string(i) + ": " + std::to_string(r.status) + " " +
                                r.body);
          if (r.status < 500) {
            break;  // not retried (verify() reports it)
          }
        }
      }
      ++retries_;
      std::this_thread::sleep_for(kRetryPause);
    }
    std::this_thread::sleep_for(options_.pace);
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  done_ = true;
}

int JobWorkload::acknowledged() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(ids_.size());
}

std::map<long, int> JobWorkload::failedStatuses() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return failed_statuses_;
}

std::string JobWorkload::summary() const {
  std::string text = std::to_string(acknowledged()) + " enqueues acknowledged, " +
                     std::to_string(retries()) + " retried (";
  for (const auto& [status, n] : failedStatuses()) {
    text += " " + (status == 0 ? std::string("no answer") : std::to_string(status)) + " x" +
            std::to_string(n);
  }
  return text + " )";
}

bool JobWorkload::awaitAcknowledged(int n, std::chrono::seconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (acknowledged() < n) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool JobWorkload::awaitAllAcknowledged(std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (done_) {
        break;
      }
    }
    if (Clock::now() >= deadline) {
      stop_ = true;
      thread_.join();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  thread_.join();
  return true;
}

std::optional<Clock::time_point> JobWorkload::firstAckAfter(Clock::time_point t) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& at : acked_at_) {
    if (at >= t) {
      return at;
    }
  }
  return std::nullopt;
}

std::map<std::string, json> JobWorkload::succeededNow(uint16_t port) const {
  std::vector<std::string> ids;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    ids = ids_;
  }
  HttpClient http(port);
  const std::vector<std::string> h = headers();
  std::map<std::string, json> out;
  for (const std::string& id : ids) {
    const Reply r = http.get("/api/v1/jobengine/jobs/" + id, h);
    json j = r.json();
    if (r.status == 200 && j.value("status", "") == "succeeded") {
      out.emplace(id, std::move(j));
    }
  }
  return out;
}

void JobWorkload::verify(uint16_t port, std::chrono::seconds timeout) const {
  std::vector<std::string> ids;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    ids = ids_;
    for (const std::string& u : unexpected_) {
      ADD_FAILURE() << "an enqueue got an answer that is neither an acknowledgement nor what "
                       "an outage answers (503, 409, none): "
                    << u;
    }
  }
  HttpClient http(port);
  const std::vector<std::string> h = headers();
  // 1. The tenant's jobs all succeed (the summary counts every job of the tenant).
  const auto deadline = Clock::now() + timeout;
  json summary;
  while (Clock::now() < deadline) {
    const Reply r = http.get("/api/v1/jobengine/jobs/summary", h);
    summary = r.json();
    if (r.status == 200 &&
        summary["byStatus"].value("succeeded", int64_t{0}) == summary.value("total", int64_t{-1})) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(summary.value("total", int64_t{-1}), static_cast<int64_t>(ids.size()))
      << "jobs in the database vs acknowledged enqueues (a duplicate or an unacknowledged job): "
      << summary.dump();
  EXPECT_EQ(summary["byStatus"].value("succeeded", int64_t{0}), static_cast<int64_t>(ids.size()))
      << "not every job succeeded within " << timeout.count() << " s: " << summary.dump();
  // 2. Each acknowledged job: there, succeeded, exactly one job.succeeded event.
  int bad = 0;
  for (const std::string& id : ids) {
    const json job = http.get("/api/v1/jobengine/jobs/" + id, h).json();
    int succeeded_events = 0;
    const Reply history = http.get("/api/v1/jobengine/jobs/" + id + "/history", h);
    const json events = history.json();
    if (events.is_object() && events["items"].is_array()) {
      for (const auto& e : events["items"]) {
        succeeded_events += e.value("eventType", "") == "job.succeeded" ? 1 : 0;
      }
    }
    if (job.value("status", "") != "succeeded" || succeeded_events != 1) {
      if (++bad <= 5) {
        ADD_FAILURE() << "acknowledged job " << id << ": " << job.dump() << " with "
                      << succeeded_events << " job.succeeded events: " << history.body;
      }
    }
  }
  EXPECT_EQ(bad, 0) << "of " << ids.size() << " acknowledged jobs";
}

}  // namespace jobengine::testing
