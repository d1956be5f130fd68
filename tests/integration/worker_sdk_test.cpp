// The worker SDK (sdk/include/jobengine/worker.hpp) against the real engine: real binary, real
// PostgreSQL, real HTTP, nothing mocked. A Worker claims, heartbeats (the job turns running)
// and completes with an artifact; a cancel requested while the handler runs reaches it as
// cancelRequested() through the heartbeat thread; a handler's JobFailure becomes the job's
// error; three handler threads share one batching heartbeat timer that carries each job's
// progress; a completion sent again with the same Idempotency-Key is replayed, not applied twice;
// the API's error envelope arrives as ApiError. And the retry path, provoked for real: while
// a worker holds a finished job, its engine is drained (503 SHUTTING_DOWN with Retry-After,
// kept open by a slow download) and exits (connection refused), then a second engine starts
// on the same port and database; the completion retried through all of it lands once.
#include <curl/curl.h>

#include <jobengine/worker.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
namespace jw = jobengine::worker;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Waits (bounded) for pred; true when it held in time.
bool eventually(const std::function<bool()>& pred, seconds timeout = seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// Events a Worker reported, collected across its threads.
struct EventLog {
  std::mutex mutex;
  std::vector<jw::WorkerEvent> events;
  void add(const jw::WorkerEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  }
  std::vector<jw::WorkerEvent> of(jw::WorkerEvent::Kind kind) {
    std::lock_guard lock(mutex);
    std::vector<jw::WorkerEvent> out;
    for (const auto& e : events) {
      if (e.kind == kind) {
        out.push_back(e);
      }
    }
    return out;
  }
};

// Worker::run() on a thread of its own; stopped and joined however the test ends.
class BackgroundWorker {
 public:
  explicit BackgroundWorker(jw::Worker& worker) : worker_(worker) {
    thread_ = std::thread([this] {
      try {
        worker_.run();
      } catch (...) {
        failure_ = std::current_exception();
      }
    });
  }
  ~BackgroundWorker() { join(); }
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;
  // Joins; rethrows what run() threw.
  void join() {
    if (thread_.joinable()) {
      thread_.join();
    }
    if (failure_) {
      std::exception_ptr f = failure_;
      failure_ = nullptr;
      std::rethrow_exception(f);
    }
  }

 private:
  jw::Worker& worker_;
  std::thread thread_;
  std::exception_ptr failure_;
};

class WorkerSdkTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("worker_sdk"); }

  std::string enqueue(const json& job) {
    const Reply r = post("/jobs", job);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  jw::Options connection() const {
    jw::Options o;
    o.base_url = "http://127.0.0.1:" + std::to_string(engine_->restPort());
    o.tenant = tenant_;
    o.token = token();
    o.worker_id = "sdk-test";
    return o;
  }
  // One job at a time, at most `max_jobs`, giving up after 30 s without work.
  static jw::WorkerOptions workerOptions(const std::string& type, EventLog& log, int max_jobs) {
    jw::WorkerOptions w;
    w.job_types = {type};
    w.max_jobs = max_jobs;
    w.idle_exit = seconds(30);
    w.poll_min = milliseconds(20);
    w.poll_max = milliseconds(200);
    w.on_event = [&log](const jw::WorkerEvent& e) { log.add(e); };
    return w;
  }
};

TEST_F(WorkerSdkTest, ClaimHeartbeatAndCompleteWithAnArtifact) {
  const std::string id = enqueue({{"type", "sdk.basic"}, {"payload", {{"text", "hello"}}}});
  EventLog log;
  json seen_payload;
  int seen_attempt = 0;
  std::string seen_status;
  jw::Worker worker(connection(), workerOptions("sdk.basic", log, 1), [&](jw::Job& job) {
    seen_payload = job.payload();
    seen_attempt = job.attempt();
    seen_status = get("/jobs/" + job.id()).json().value("status", "");  // after 1st heartbeat
    job.progress(60, "most of it");
    job.addArtifact(
        {"s3://bucket/" + job.id(), "sha256:" + std::string(64, 'b'), "text/plain", int64_t{5}});
  });
  worker.run();

  EXPECT_EQ(seen_payload, json({{"text", "hello"}}));
  EXPECT_EQ(seen_attempt, 1);
  EXPECT_EQ(seen_status, "running") << "the first heartbeat runs before the handler";
  EXPECT_EQ(worker.jobsHandled(), 1);
  const auto completed = log.of(jw::WorkerEvent::Kind::kCompleted);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].job_id, id);
  EXPECT_EQ(completed[0].status, "succeeded");
  EXPECT_FALSE(completed[0].replayed);
  EXPECT_EQ(job(id)["status"], "succeeded");

  const Reply artifacts = get("/jobs/" + id + "/artifacts");
  ASSERT_EQ(artifacts.status, 200) << artifacts.body;
  ASSERT_EQ(artifacts.json()["items"].size(), 1u) << artifacts.body;
  EXPECT_EQ(artifacts.json()["items"][0]["uri"], "s3://bucket/" + id);
  EXPECT_EQ(artifacts.json()["items"][0]["mediaType"], "text/plain");
  EXPECT_EQ(artifacts.json()["items"][0]["sizeBytes"], 5);
  EXPECT_EQ(history(id), (std::vector<std::string>{"job.created", "job.leased", "job.started",
                                                   "job.succeeded"}));
  // The bridge calls are attributable: the operator reason names the worker.
  const json events = get("/jobs/" + id + "/history").json()["items"];
  EXPECT_EQ(events[1]["operator"]["reason"], "worker sdk-test") << events[1].dump();
  EXPECT_EQ(events[1]["data"]["workerId"], "sdk-test") << events[1].dump();
}

TEST_F(WorkerSdkTest, CancelRequestedWhileRunningReachesTheHandler) {
  const std::string id = enqueue({{"type", "sdk.cancel"}});
  EventLog log;
  jw::WorkerOptions options = workerOptions("sdk.cancel", log, 1);
  options.heartbeat_interval = milliseconds(100);
  std::promise<void> started;
  std::atomic<bool> saw_cancel{false};
  jw::Worker worker(connection(), options, [&](jw::Job& job) {
    started.set_value();
    saw_cancel = eventually([&] { return job.cancelRequested(); });
    job.addArtifact({"s3://bucket/partial", "sha256:" + std::string(64, 'c'), "", {}});
  });
  BackgroundWorker running(worker);
  ASSERT_EQ(started.get_future().wait_for(seconds(30)), std::future_status::ready);
  const Reply cancel = post("/jobs/" + id + "/cancel", json::object());
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  // The job as the cancel's own transaction left it: a second read could already see the
  // worker's "canceled" (its heartbeat every 100 ms tells it, the handler then returns).
  EXPECT_EQ(cancel.json()["status"], "running") << "a running job is told, not stopped";
  running.join();

  EXPECT_TRUE(saw_cancel.load()) << "cancelRequested() never turned true";
  const auto completed = log.of(jw::WorkerEvent::Kind::kCompleted);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].outcome, jw::Outcome::kCanceled);
  EXPECT_EQ(completed[0].status, "canceled");
  EXPECT_EQ(job(id)["status"], "canceled");
  EXPECT_EQ(count(history(id), "job.canceled"), 1u);
}

// Three handler threads, one heartbeat thread: the timer renews all three leases in one batch
// request and carries each job's own progress.
TEST_F(WorkerSdkTest, ConcurrentHandlersShareOneHeartbeatTimer) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(enqueue({{"type", "sdk.many"}, {"payload", {{"n", i}}}}));
  }
  EventLog log;
  jw::WorkerOptions options = workerOptions("sdk.many", log, 3);
  options.concurrency = 3;
  options.heartbeat_interval = milliseconds(100);
  std::atomic<int> running{0};
  std::atomic<int> progress_seen{0};
  const std::vector<std::string> h = headers();
  const uint16_t port = engine_->restPort();
  jw::Worker worker(connection(), options, [&](jw::Job& job) {
    ++running;
    if (!eventually([&] { return running.load() == 3; })) {
      throw std::runtime_error("the three handlers never ran at once");
    }
    const int percent = 10 + job.payload()["n"].get<int>();
    job.progress(percent, "n");
    HttpClient http(port);  // one per handler thread
    if (eventually([&] {
          const json j = http.get("/api/v1/jobengine/jobs/" + job.id(), h).json();
          return j.contains("progress") && j["progress"] == percent;
        })) {
      ++progress_seen;
    }
  });
  worker.run();
  EXPECT_EQ(progress_seen.load(), 3) << "a heartbeat did not carry a job's progress";
  EXPECT_EQ(worker.jobsHandled(), 3);
  EXPECT_EQ(log.of(jw::WorkerEvent::Kind::kCompleted).size(), 3u);
  for (const auto& id : ids) {
    EXPECT_EQ(job(id)["status"], "succeeded") << id;
    EXPECT_EQ(count(history(id), "job.succeeded"), 1u) << id;
  }
}

TEST_F(WorkerSdkTest, AHandlersJobFailureBecomesTheJobsError) {
  const std::string id = enqueue({{"type", "sdk.fail"}, {"maxAttempts", 3}});
  EventLog log;
  jw::Worker worker(connection(), workerOptions("sdk.fail", log, 1), [](jw::Job&) {
    throw jw::JobFailure("PARSE_ERROR", "bad json at 3", /*retryable=*/false);
  });
  worker.run();
  const auto completed = log.of(jw::WorkerEvent::Kind::kCompleted);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].outcome, jw::Outcome::kFailed);
  EXPECT_EQ(completed[0].status, "failed");
  const json failed = job(id);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["reason"], "non_retryable");
  EXPECT_EQ(failed["lastError"]["code"], "PARSE_ERROR") << failed.dump();
  EXPECT_EQ(failed["lastError"]["message"], "bad json at 3") << failed.dump();
}

TEST_F(WorkerSdkTest, ARetriedCompletionIsReplayedNotAppliedTwice) {
  const std::string id = enqueue({{"type", "sdk.idem"}});
  jw::Client client(connection());
  std::vector<jw::Grant> grants;
  ASSERT_TRUE(eventually([&] {
    grants = client.claim(jw::ClaimRequest{{"sdk.idem"}, 1, 30, ""});
    return !grants.empty();
  }));
  ASSERT_EQ(grants[0].job_id, id);
  jw::Completion done;
  done.job_id = id;
  done.lease_id = grants[0].lease_id;
  done.artifacts.push_back({"s3://bucket/once", "sha256:" + std::string(64, 'd'), "", {}});

  const jw::CompletionResult first = client.complete(done);
  EXPECT_EQ(first.status, "succeeded");
  EXPECT_FALSE(first.replayed);
  // The same report again (what a retry after a lost answer sends): the engine replays the
  // first answer; without the key the lease would be stale and this would be a 409.
  const jw::CompletionResult again = client.complete(done);
  EXPECT_EQ(again.status, "succeeded");
  EXPECT_TRUE(again.replayed);
  // Another report under the same key is refused, not applied.
  jw::Completion other = done;
  other.outcome = jw::Outcome::kFailed;
  other.error = jw::JobError{"LATE", "changed my mind", true, 0};
  try {
    client.complete(other);
    ADD_FAILURE() << "a different body under the same key must be refused";
  } catch (const jw::ApiError& e) {
    EXPECT_EQ(e.status(), 422);
    EXPECT_EQ(e.code(), "IDEMPOTENCY_KEY_REUSED");
  }
  // A fresh key over the same lease reaches the handler: fenced out.
  try {
    client.complete(done, "another-key-" + id);
    ADD_FAILURE() << "a second completion of the lease must be refused";
  } catch (const jw::ApiError& e) {
    EXPECT_TRUE(e.leaseStale()) << e.what();
    EXPECT_FALSE(e.traceId().empty());
  }
  EXPECT_EQ(job(id)["status"], "succeeded");
  EXPECT_EQ(count(history(id), "job.succeeded"), 1u);
  EXPECT_EQ(get("/jobs/" + id + "/artifacts").json()["items"].size(), 1u);
}

TEST_F(WorkerSdkTest, BatchHeartbeatAndCompleteReportEachItem) {
  const std::string a = enqueue({{"type", "sdk.batch"}});
  const std::string b = enqueue({{"type", "sdk.batch"}});
  jw::Client client(connection());
  std::vector<jw::Grant> grants;
  ASSERT_TRUE(eventually([&] {
    for (auto& g : client.claim(jw::ClaimRequest{{"sdk.batch"}, 2, 30, ""})) {
      grants.push_back(std::move(g));
    }
    return grants.size() >= 2;
  }));
  const std::string bogus = "0190b1a2-0000-7000-8000-000000000003";
  const auto beats = client.heartbeatBatch(
      {{grants[0].job_id, grants[0].lease_id, 10, "ten"}, {grants[1].job_id, bogus, {}, ""}});
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_TRUE(beats[0].applied);
  EXPECT_FALSE(beats[1].applied);
  EXPECT_EQ(beats[1].error_code, "LEASE_STALE");
  const auto single = client.heartbeat({grants[1].job_id, bogus, {}, ""});
  EXPECT_FALSE(single.applied) << "a stale lease is an answer, not an exception";

  const auto results = client.completeBatch(
      {jw::Completion{grants[0].job_id, grants[0].lease_id, jw::Outcome::kSucceeded, {}, {}},
       jw::Completion{grants[1].job_id, grants[1].lease_id, jw::Outcome::kSucceeded, {}, {}}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].applied);
  EXPECT_TRUE(results[1].applied);
  EXPECT_EQ(job(a)["status"], "succeeded");
  EXPECT_EQ(job(b)["status"], "succeeded");
}

// examples/worker/minimal_worker.cpp, the README's worker, as a real process.
TEST_F(WorkerSdkTest, TheReadmesMinimalWorkerCompletesAJob) {
  const std::string id = enqueue({{"type", "demo.echo"}, {"payload", {{"text", "hi"}}}});
  const std::string binary =
      (std::filesystem::path(engineBinary()).parent_path() / "je_minimal_worker").string();
  const CommandResult r =
      runCommand({"/usr/bin/env", "JE_URL=http://127.0.0.1:" + std::to_string(engine_->restPort()),
                  "JE_TENANT=" + tenant_, "JE_TOKEN=" + token(), binary, "1"},
                 seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("completed " + id + " succeeded"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(job(id)["status"], "succeeded");
  const json items = get("/jobs/" + id + "/artifacts").json()["items"];
  ASSERT_EQ(items.size(), 1u) << items.dump();
  EXPECT_EQ(items[0]["uri"], "mem://echo/" + id);
  EXPECT_EQ(items[0]["sizeBytes"], 2);
}

TEST_F(WorkerSdkTest, TheErrorEnvelopeArrivesAsApiError) {
  jw::Options o = connection();
  o.token = "not-a-jwt";
  jw::Client client(o);
  try {
    client.claim(jw::ClaimRequest{{"sdk.none"}, 1, 0, ""});
    ADD_FAILURE() << "expected a 401";
  } catch (const jw::ApiError& e) {
    EXPECT_EQ(e.status(), 401) << e.what();
    EXPECT_FALSE(e.code().empty());
    EXPECT_FALSE(e.message().empty());
    EXPECT_FALSE(e.traceId().empty());
  }
  // A Worker whose claims are refused stops and says why.
  EventLog log;
  jw::Worker worker(o, workerOptions("sdk.none", log, 0), [](jw::Job&) {});
  EXPECT_THROW(worker.run(), jw::ApiError);
}

// --- The retry path, provoked for real -------------------------------------------------------

// A GET that reads its answer slowly (bytes_per_s), so the engine has a request in flight and
// stays draining after SIGTERM; `first_byte` turns true once the answer is flowing.
long slowDownload(uint16_t port, const std::string& path, const std::string& token,
                  const std::string& tenant, curl_off_t bytes_per_s,
                  std::atomic<bool>& first_byte) {
  CURL* c = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, ("X-StellaOps-Tenant: " + tenant).c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE, bytes_per_s);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &first_byte);
  curl_easy_setopt(
      c, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void* user) -> size_t {
        static_cast<std::atomic<bool>*>(user)->store(true);
        return size * n;
      });
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 120000L);
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return status;
}

TEST(WorkerSdkRestartTest, ACompletionRetriedThroughADrainAndARestartLandsOnce) {
  const std::string tenant = "tenant-restart";
  EngineOptions first_options;
  first_options.name = "worker_sdk_restart";
  first_options.args = {"--set", "host.plugin_order=[\"scheduler\", \"stream-fixture\"]"};
  first_options.extra_toml =
      "[plugins.scheduler]\nsweep_interval_ms = 200\npoll_interval_ms = 50\n"
      "[plugins.stream-fixture]\n";
  auto first = std::make_unique<EngineProcess>(first_options);
  first->start();
  const uint16_t port = first->restPort();
  const std::string token =
      first->mintToken(tenant, "orch:read orch:operate orch:quota orch:backfill");
  HttpClient http(port);
  const std::vector<std::string> headers = {"Authorization: Bearer " + token,
                                            "X-StellaOps-Tenant: " + tenant,
                                            "X-StellaOps-Operator-Reason: integration test"};
  const Reply created = http.post("/api/v1/jobengine/jobs", {{"type", "sdk.restart"}}, headers);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];

  // The worker: its handler holds the finished job until the engine is draining.
  std::mutex notices_mutex;
  std::vector<jw::RetryNotice> notices;
  auto noticed = [&](long status) {  // a retry of the completion after that answer
    std::lock_guard lock(notices_mutex);
    return std::any_of(notices.begin(), notices.end(), [&](const jw::RetryNotice& n) {
      return n.status == status && n.path == "/worker/jobs/" + id + "/complete";
    });
  };
  jw::Options connection;
  connection.base_url = "http://127.0.0.1:" + std::to_string(port);
  connection.tenant = tenant;
  connection.token = token;
  connection.worker_id = "sdk-restart";
  connection.retry.max_delay = milliseconds(500);
  connection.retry.max_elapsed = seconds(120);
  connection.on_retry = [&](const jw::RetryNotice& n) {
    std::lock_guard lock(notices_mutex);
    notices.push_back(n);
  };
  EventLog log;
  jw::WorkerOptions options;
  options.job_types = {"sdk.restart"};
  options.max_jobs = 1;
  options.lease_seconds = 120;  // outlives the outage: the lease is still ours afterwards
  options.heartbeat_interval = seconds(1);
  options.poll_min = milliseconds(20);
  options.on_event = [&log](const jw::WorkerEvent& e) { log.add(e); };
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  jw::Worker worker(connection, options, [&](jw::Job&) {
    started.set_value();
    released.wait_for(seconds(90));
  });
  BackgroundWorker running(worker);
  ASSERT_EQ(started.get_future().wait_for(seconds(30)), std::future_status::ready);

  // Keep the first engine draining: a 48 MiB answer read at 8 MiB/s is in flight when SIGTERM
  // arrives, and the drain waits for it (http.drain_timeout_ms is 10 s in test configs).
  std::atomic<bool> flowing{false};
  auto download = std::async(std::launch::async, [&] {
    return slowDownload(port, "/api/v1/jobengine/stream-fixture/pattern?bytes=50331648", token,
                        tenant, 8 * 1024 * 1024, flowing);
  });
  ASSERT_TRUE(eventually([&] { return flowing.load(); })) << "the download never started";
  first->signal(SIGTERM);
  HttpClient probe(port);
  ASSERT_TRUE(eventually([&] { return probe.get("/healthz").status == 503; }))
      << "the engine did not start draining";

  // The handler returns; the completion meets 503 SHUTTING_DOWN (and waits its Retry-After),
  // then a closed port once the drain ended.
  release.set_value();
  EXPECT_TRUE(eventually([&] { return noticed(503); }, seconds(30)))
      << "no completion attempt was answered 503";
  EXPECT_EQ(download.get(), 200);
  EXPECT_EQ(first->wait(seconds(60)), 0) << first->output();
  EXPECT_TRUE(eventually([&] { return noticed(0); }, seconds(30)))
      << "no completion attempt met the closed port";
  EXPECT_TRUE(log.of(jw::WorkerEvent::Kind::kCompleted).empty()) << "completed with no engine?";

  // A new engine on the same port and database: the retried completion lands there.
  EngineOptions second_options;
  second_options.name = "worker_sdk_restart_b";
  second_options.database_dsn = first->databaseDsn();
  second_options.args = {"--set", "http.port=" + std::to_string(port)};
  second_options.extra_toml = "[plugins.scheduler]\nsweep_interval_ms = 200\n";
  EngineProcess second(second_options);
  second.start();
  ASSERT_EQ(second.restPort(), port);
  running.join();

  const auto completed = log.of(jw::WorkerEvent::Kind::kCompleted);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].job_id, id);
  EXPECT_EQ(completed[0].status, "succeeded");
  EXPECT_TRUE(log.of(jw::WorkerEvent::Kind::kCompletionFailed).empty());
  {
    std::lock_guard lock(notices_mutex);
    for (const auto& n : notices) {
      if (n.status == 503 && n.path == "/worker/jobs/" + id + "/complete") {
        EXPECT_GE(n.delay, seconds(5)) << "Retry-After (5 s on a drain) is a lower bound";
      }
    }
  }
  HttpClient http2(port);
  const Reply done = http2.get("/api/v1/jobengine/jobs/" + id, headers);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["status"], "succeeded");
  const Reply hist = http2.get("/api/v1/jobengine/jobs/" + id + "/history", headers);
  const json events = hist.json();  // alive while iterating
  size_t succeeded = 0;
  for (const auto& e : events["items"]) {
    succeeded += e["eventType"] == "job.succeeded" ? 1 : 0;
  }
  EXPECT_EQ(succeeded, 1u) << hist.body;
}

}  // namespace
}  // namespace jobengine::testing
