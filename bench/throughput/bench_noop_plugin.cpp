// bench_noop plugin: the engine-side half of the throughput benchmark (bench/README.md).
// Registers job type "bench.noop" (in-process no-op handler that counts starts and records
// the start time of latency probes) and "bench.parked" (external type: never run in-process,
// so enqueue can be measured alone), and routes under /api/v1/jobengine/bench:
//   POST /bench/enqueue {count, batch}   enqueue `count` bench.parked jobs through je.jobs in
//                                        transactions of `batch` jobs; {elapsedMs, jobsPerSec}
//   POST /bench/drain {count}            enqueue `count` bench.noop jobs in ONE transaction
//                                        (all eligible at once), then wait until all are
//                                        succeeded in the database; {elapsedMs, jobsPerSec}
//   POST /bench/latency {count}          on an idle engine, enqueue one job at a time and wait
//                                        for its handler to start; {p50Ms, p99Ms, maxMs}
//   POST /bench/admit {count, requested} `count` admission decisions through je.ratelimit
//                                        alone (one group of `requested` bench.noop candidates,
//                                        each in its own transaction, as a claim asks);
//                                        {elapsedMs, decisionsPerSec}
//   POST /bench/sustain {rate, seconds}  starts a constant offered load in the background:
//                                        bench.steady jobs at `rate` per second for `seconds`
//                                        (sustained_load.hpp); 202. GET /bench/sustain: its
//                                        progress, per-minute start latency, and tableBytes
//                                        (the scheduler's and host's tables with indexes).
// Built outside the engine's plugin dir, so only the benchmark ever loads it.
#include <jobengine/plugin.hpp>
#include <jobengine/ratelimit.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "sustained_load.hpp"

namespace jobengine::bench {

using Clock = std::chrono::steady_clock;

class BenchNoopPlugin {
 public:
  static constexpr const char* kId = "bench-noop";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kDescription = "Throughput benchmark job types and routes.";
  static constexpr const char* kConfigSchema = R"({"type":"object","additionalProperties":false})";

  BenchNoopPlugin(sdk::Host& host, const nlohmann::json& /*config*/) : host_(host) {
    host.route("POST", "/api/v1/jobengine/bench/enqueue", "orch:operate",
               [this](const sdk::Request& rq, sdk::Response& rs) { enqueue(rq, rs); });
    host.route("POST", "/api/v1/jobengine/bench/drain", "orch:operate",
               [this](const sdk::Request& rq, sdk::Response& rs) { drain(rq, rs); });
    host.route("POST", "/api/v1/jobengine/bench/latency", "orch:operate",
               [this](const sdk::Request& rq, sdk::Response& rs) { latency(rq, rs); });
    host.route("POST", "/api/v1/jobengine/bench/admit", "orch:operate",
               [this](const sdk::Request& rq, sdk::Response& rs) { admit(rq, rs); });
    host.route("POST", "/api/v1/jobengine/bench/sustain", "orch:operate",
               [this](const sdk::Request& rq, sdk::Response& rs) { sustain(rq, rs); });
    host.route("GET", "/api/v1/jobengine/bench/sustain", "orch:read",
               [this](const sdk::Request& /*rq*/, sdk::Response& rs) {
                 nlohmann::json report = sustained_.report();
                 report["tableBytes"] = tableBytes();
                 report["largestTables"] = largestTables();
                 rs.json(200, report);
               });
  }

  void start() {
    ratelimit_ = sdk::RateLimit::find(host_);
    jobs_ = host_.optional<je_jobs_v1>(JE_SERVICE_JOBS, 1);
    if (jobs_ == nullptr) {
      host_.warn("je.jobs is not available: the bench routes will answer 503");
      return;
    }
    registerType("bench.noop", &BenchNoopPlugin::handle);
    registerType("bench.parked", nullptr);
    registerType("bench.steady", &BenchNoopPlugin::handleSteady);
  }
  void stop() { sustained_.stop(); }

 private:
  void registerType(const char* type, je_job_handler handler) {
    je_job_type_def def{};
    def.struct_size = sizeof(def);
    def.job_type = type;
    def.handler = handler;
    def.user = this;
    char err[sdk::kErrCap] = {0};
    if (jobs_->register_type(jobs_->self, kId, &def, err, sdk::kErrCap) != JE_OK) {
      throw sdk::Error(JE_ERR_STATE, err);
    }
  }

  static je_status handle(void* user, const je_job_context* /*ctx*/) {
    auto* self = static_cast<BenchNoopPlugin*>(user);
    const auto now = Clock::now();
    {
      const std::lock_guard<std::mutex> lock(self->mu_);
      self->last_start_ = now;
      ++self->started_;
    }
    self->cv_.notify_all();
    return JE_OK;
  }

  static je_status handleSteady(void* user, const je_job_context* ctx) {
    static_cast<BenchNoopPlugin*>(user)->sustained_.started(
        std::string_view(ctx->payload.data, ctx->payload.len));
    return JE_OK;
  }

  void sustain(const sdk::Request& rq, sdk::Response& rs) {
    if (!ready(rq, rs)) {
      return;
    }
    const auto body = rq.json().value_or(nlohmann::json::object());
    const double rate = body.value("rate", 1000.0);
    const int seconds = body.value("seconds", 300);
    if (rate <= 0 || seconds <= 0) {
      rs.error(400, "VALIDATION_FAILED", "rate and seconds must be positive", rq.traceId());
      return;
    }
    const std::string tenant(rq.tenant());
    const bool started = sustained_.start(
        rate, seconds,
        [this, tenant](const nlohmann::json& jobs) { enqueueJobs(nullptr, tenant, jobs); });
    if (!started) {
      rs.error(409, "ALREADY_RUNNING", "a sustained load is already running", rq.traceId());
      return;
    }
    rs.json(202, sustained_.report());
  }

  // The six largest of the scheduler's and the host's tables (with indexes and TOAST) and their
  // dead tuples: what grows.
  nlohmann::json largestTables() const {
    auto txn = host_.begin(JE_TENANT_SYSTEM, JE_TXN_READ_ONLY);
    nlohmann::json out = nlohmann::json::array();
    txn.exec(
        "SELECT n.nspname || '.' || c.relname, pg_total_relation_size(c.oid)::bigint, "
        "coalesce(s.n_live_tup, 0)::bigint, coalesce(s.n_dead_tup, 0)::bigint "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
        "WHERE n.nspname IN ('scheduler', 'jobengine') AND c.relkind IN ('r', 'm') "
        "ORDER BY 2 DESC LIMIT 6",
        {}, [&](const sdk::Row& r) {
          out.push_back(
              {{"table", r.str(0)}, {"bytes", r.i64(1)}, {"live", r.i64(2)}, {"dead", r.i64(3)}});
        });
    return out;
  }

  // The size of the scheduler's and the host's tables, their indexes and TOAST: what retention
  // must keep bounded under constant load (issue 16).
  int64_t tableBytes() const {
    auto txn = host_.begin(JE_TENANT_SYSTEM, JE_TXN_READ_ONLY);
    int64_t bytes = 0;
    txn.exec(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('scheduler', 'jobengine') AND c.relkind IN ('r', 'm')",
        {}, [&](const sdk::Row& r) { bytes = r.i64(0); });
    return bytes;
  }

  // Enqueues `jobs` (a JSON array) through je.jobs in txn (nullptr: its own transaction).
  void enqueueJobs(je_txn* txn, const std::string& tenant, const nlohmann::json& jobs) {
    const std::string body = nlohmann::json{{"jobs", jobs}}.dump();
    char err[sdk::kErrCap] = {0};
    const je_status st = jobs_->enqueue(
        jobs_->self, txn, tenant.c_str(), body.data(), body.size(),
        [](void*, const char*, uint64_t) {}, nullptr, err, sdk::kErrCap);
    if (st != JE_OK) {
      throw sdk::Error(st, err);
    }
  }

  static nlohmann::json batchOf(const char* type, int from, int n) {
    nlohmann::json jobs = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
      jobs.push_back({{"jobType", type}, {"payload", {{"i", from + i}}}});
    }
    return jobs;
  }

  bool ready(const sdk::Request& rq, sdk::Response& rs) const {
    if (jobs_ == nullptr) {
      rs.error(503, "JOBS_UNAVAILABLE", "je.jobs is not available", rq.traceId());
      return false;
    }
    return true;
  }

  static double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }

  void enqueue(const sdk::Request& rq, sdk::Response& rs) {
    if (!ready(rq, rs)) {
      return;
    }
    const auto body = rq.json().value_or(nlohmann::json::object());
    const int count = body.value("count", 10000);
    const int batch = std::max(1, body.value("batch", 500));
    const std::string tenant(rq.tenant());
    const auto t0 = Clock::now();
    for (int done = 0; done < count; done += batch) {
      enqueueJobs(nullptr, tenant, batchOf("bench.parked", done, std::min(batch, count - done)));
    }
    const double ms = msSince(t0);
    rs.json(200, {{"count", count}, {"elapsedMs", ms}, {"jobsPerSec", count / (ms / 1000.0)}});
  }

  int64_t succeeded(const std::string& tenant) const {
    auto txn = host_.begin(tenant, JE_TXN_READ_ONLY);
    int64_t n = 0;
    txn.exec(
        "SELECT count(*) FROM scheduler.jobs WHERE tenant_id = $1 AND job_type = 'bench.noop' "
        "AND status = 'succeeded'",
        {tenant}, [&](const sdk::Row& r) { n = r.i64(0); });
    return n;
  }

  // bench.noop jobs not finished yet (queued, leased or running): the partial claim and
  // in-flight indexes answer this without reading the finished rows.
  int64_t unfinished(const std::string& tenant) const {
    auto txn = host_.begin(tenant, JE_TXN_READ_ONLY);
    int64_t n = 0;
    txn.exec(
        "SELECT (SELECT count(*) FROM scheduler.jobs WHERE tenant_id = $1 AND job_type = "
        "'bench.noop' AND "
        "status = 'queued') + (SELECT count(*) FROM scheduler.jobs WHERE tenant_id = $1 AND "
        "job_type = 'bench.noop' AND status IN ('leased', 'running'))",
        {tenant}, [&](const sdk::Row& r) { n = r.i64(0); });
    return n;
  }

  void drain(const sdk::Request& rq, sdk::Response& rs) {
    if (!ready(rq, rs)) {
      return;
    }
    const auto body = rq.json().value_or(nlohmann::json::object());
    const int count = body.value("count", 20000);
    const std::string tenant(rq.tenant());
    const int64_t before = succeeded(tenant);
    uint64_t started_before = 0;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      started_before = started_;
    }
    {
      auto txn = host_.begin(tenant);
      for (int done = 0; done < count; done += 1000) {
        enqueueJobs(txn.raw(), tenant, batchOf("bench.noop", done, std::min(1000, count - done)));
      }
      txn.commit();
    }
    const auto t0 = Clock::now();
    // Wait for the handlers to have started every job (no database polling while the runner
    // works: a count(*) over the jobs table every few ms took a core of its own), then poll
    // only for the last completions to commit.
    // When each tenth of the jobs had started (ms since the commit): where a slower drain
    // loses its time (a slow start, a slow middle, or the tail after the last start).
    nlohmann::json tenths = nlohmann::json::array();
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (int k = 1; k <= 10; ++k) {
        const auto target = started_before + static_cast<uint64_t>(count) * k / 10;
        cv_.wait_for(lock, std::chrono::minutes(10), [&] { return started_ >= target; });
        tenths.push_back(std::round(msSince(t0) * 10.0) / 10.0);
      }
    }
    while (unfinished(tenant) > 0 && msSince(t0) < 600000) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const double ms = msSince(t0);
    const int64_t now_done = succeeded(tenant) - before;
    rs.json(200, {{"count", count},
                  {"completed", now_done},
                  {"elapsedMs", ms},
                  {"startedByTenthMs", tenths},
                  {"jobsPerSec", static_cast<double>(now_done) / (ms / 1000.0)}});
  }

  void latency(const sdk::Request& rq, sdk::Response& rs) {
    if (!ready(rq, rs)) {
      return;
    }
    const auto body = rq.json().value_or(nlohmann::json::object());
    const int count = body.value("count", 200);
    const std::string tenant(rq.tenant());
    std::vector<double> samples;
    for (int i = 0; i < count; ++i) {
      uint64_t seen = 0;
      {
        const std::lock_guard<std::mutex> lock(mu_);
        seen = started_;
      }
      const auto t0 = Clock::now();
      enqueueJobs(nullptr, tenant, batchOf("bench.noop", i, 1));
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, std::chrono::seconds(10), [&] { return started_ > seen; })) {
        samples.push_back(std::chrono::duration<double, std::milli>(last_start_ - t0).count());
      }
    }
    std::sort(samples.begin(), samples.end());
    const auto pct = [&](double p) {
      return samples.empty()
                 ? -1.0
                 : samples[static_cast<size_t>(p * static_cast<double>(samples.size() - 1))];
    };
    rs.json(200, {{"count", count},
                  {"observed", samples.size()},
                  {"p50Ms", pct(0.50)},
                  {"p99Ms", pct(0.99)},
                  {"maxMs", samples.empty() ? -1.0 : samples.back()}});
  }

  void admit(const sdk::Request& rq, sdk::Response& rs) {
    if (!ratelimit_) {
      rs.error(503, "NOT_READY", "je.ratelimit is not loaded", rq.traceId());
      return;
    }
    const auto body = rq.json().value_or(nlohmann::json::object());
    const int count = body.value("count", 5000);
    const nlohmann::json request = {{"groups",
                                     {{{"tenant", std::string(rq.tenant())},
                                       {"jobType", "bench.noop"},
                                       {"sourceId", nullptr},
                                       {"requested", body.value("requested", 1)}}}}};
    const auto t0 = Clock::now();
    for (int i = 0; i < count; ++i) {
      auto txn = host_.begin(JE_TENANT_SYSTEM);
      ratelimit_->admit(txn, request);
      txn.commit();
    }
    const double ms = msSince(t0);
    rs.json(200, {{"count", count},
                  {"elapsedMs", ms},
                  {"decisionsPerSec", static_cast<double>(count) / (ms / 1000.0)}});
  }

  sdk::Host& host_;
  std::optional<sdk::RateLimit> ratelimit_;
  const je_jobs_v1* jobs_ = nullptr;
  std::mutex mu_;  // guards started_ and last_start_
  std::condition_variable cv_;
  uint64_t started_ = 0;
  Clock::time_point last_start_{};
  SustainedLoad sustained_;
};

}  // namespace jobengine::bench

JE_PLUGIN(jobengine::bench::BenchNoopPlugin)
