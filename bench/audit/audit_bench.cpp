// audit_bench: the audit ledger's figures on the real engine (issue 14, SPEC §7).
//
//   1 load: N events (default 1,000,000) committed into the outbox while no engine runs, through
//     the host's own append function jobengine.append_events_v1 (what je.events and plugin SQL
//     use), 20,000 per transaction, generated server-side from generate_series: job.created /
//     job.leased / job.succeeded of N/3 jobs, tenant "bench", with an actor, scopes, reason,
//     ticket, request and trace id, as an API request leaves them;
//   2 append: the engine starts on that backlog; entries/s from "ready" until
//     audit.ledger_cursor reaches the last seq (the leader's catch-up, docs/ledger.md);
//   3 export: POST /audit/exports for a window holding all of them, polled to "succeeded":
//     wall time and the engine's peak RSS during it (VmHWM, reset through
//     /proc/<pid>/clear_refs before the POST);
//   4 verify: the bundle downloaded (GET .../bundle) and `jobengine audit verify` run on it
//     offline: wall time and its peak RSS (its VmHWM, sampled while it runs).
// The database is the test support's throwaway cluster (fsync off, as every engine test runs).
// Usage: je_bench_audit [--events N]
#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine_process.hpp"
#include "http_client.hpp"

extern char** environ;

using namespace jobengine::testing;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBenchApi = "/api/v1/jobengine";
constexpr int64_t kLoadBatch = 20000;
constexpr double kAimExportSeconds = 60.0;
constexpr double kAimExportMiB = 256.0;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One statement as the superuser; the first column of the first row ("" if none).
std::string sqlOne(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error(sql.substr(0, 80) + ": " + message);
  }
  std::string out = PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return out;
}

// The events [first, last] of the load, in one transaction, as an API request would leave
// them (jobengine.actor and jobengine.request are what the host binds per request).
void loadBatch(PGconn* conn, int64_t first, int64_t last) {
  sqlOne(conn, "BEGIN");
  sqlOne(conn,
         "SELECT set_config('jobengine.tenant', 'system', true), "
         "set_config('jobengine.actor', 'bench-operator', true), "
         "set_config('jobengine.request', '{\"scopes\":[\"orch:operate\"],\"operator\":"
         "{\"reason\":\"audit bench\",\"ticket\":\"BENCH-14\"},\"requestId\":\"bench-req-1\","
         "\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}', true)");
  sqlOne(conn,
         "SELECT jobengine.append_events_v1(array(SELECT row('bench', "
         "(ARRAY['job.created','job.leased','job.succeeded'])[g % 3 + 1], NULL, NULL, "
         "md5((g / 3)::text)::uuid, NULL, 'bench.noop', "
         "(ARRAY['queued','leased','succeeded'])[g % 3 + 1], "
         "(ARRAY[NULL,'queued','leased'])[g % 3 + 1], NULL, 1, NULL, NULL, "
         "json_build_object('data', json_build_object('i', g)))::jobengine.event_input_v1 "
         "FROM generate_series(" +
             std::to_string(first) + ", " + std::to_string(last) + ") g))");
  sqlOne(conn, "SELECT pg_notify('jobengine_events', '')");
  sqlOne(conn, "COMMIT");
}

// A line of /proc/<pid>/status in KiB ("VmHWM", "VmRSS"), or -1.
long procStatusKiB(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

// Resets the process's VmHWM to its current RSS (clear_refs 5); false when not allowed.
bool resetPeakRss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::string utcNow(int plus_seconds) {
  const std::time_t t = std::time(nullptr) + plus_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;  // VmHWM of the exec'd program, sampled every 20 ms
  long max_rss_kib = 0;   // wait4's ru_maxrss: an upper bound (see runMeasured)
  std::string out;
};

// argv to completion, stdout and stderr into out_file. Its peak RSS is its VmHWM, read while it
// runs: wait4's ru_maxrss also counts the moment between posix_spawn's vfork and the exec, when
// the child still shares this process's memory (the first 1M run printed 2 GiB for a verify
// whose RSS stayed at 23 MiB, because this process then held the downloaded bundle).
ChildRun runMeasured(const std::vector<std::string>& args, const std::string& out_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (const std::string& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  ChildRun run;
  const auto t0 = Clock::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    throw std::runtime_error("cannot start " + args[0]);
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, WNOHANG, &usage) == 0) {
    run.peak_rss_kib = std::max(run.peak_rss_kib, procStatusKiB(pid, "VmHWM"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run.seconds = secondsSince(t0);
  run.max_rss_kib = usage.ru_maxrss;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(out_file);
  std::getline(in, run.out);
  return run;
}

void aim(const char* name, double value, const char* unit, double goal) {
  std::printf("AIM %s: %.1f %s (goal < %.0f %s) %s\n", name, value, unit, goal, unit,
              value < goal ? "met" : "short");
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--events") {
      events = std::max<int64_t>(3, std::atoll(argv[i + 1]));
    }
  }
  std::printf("audit ledger bench: %lld events, tenant bench\n", static_cast<long long>(events));

  // 1. A fresh database with the engine's schema, then the backlog while no engine runs.
  EngineOptions options;
  options.name = "audit_bench";
  auto engine = std::make_unique<EngineProcess>(options);
  engine->start();
  options.database_dsn = engine->databaseDsn();
  engine->stop();
  engine.reset();
  PGconn* conn = PQconnectdb(options.database_dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "connect: %s\n", PQerrorMessage(conn));
    return 1;
  }
  auto t0 = Clock::now();
  for (int64_t first = 1; first <= events; first += kLoadBatch) {
    loadBatch(conn, first, std::min(events, first + kLoadBatch - 1));
  }
  const double load_s = secondsSince(t0);
  const std::string last_seq = sqlOne(conn, "SELECT max(seq) FROM jobengine.events");
  std::printf("load (append_events_v1, %lld per txn): %.1f s, %.0f events/s\n",
              static_cast<long long>(kLoadBatch), load_s, static_cast<double>(events) / load_s);

  // 2. Catch-up: the engine starts on the backlog.
  engine = std::make_unique<EngineProcess>(options);
  engine->start();
  t0 = Clock::now();
  const std::string caught_up = "SELECT last_seq >= " + last_seq + " FROM audit.ledger_cursor";
  auto report_at = Clock::now() + std::chrono::seconds(30);
  while (sqlOne(conn, caught_up) != "t") {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Clock::now() > report_at) {
      std::printf("  ... %s entries after %.0f s\n",
                  sqlOne(conn, "SELECT count(*) FROM audit.entries").c_str(), secondsSince(t0));
      std::fflush(stdout);
      report_at += std::chrono::seconds(30);
    }
  }
  const double append_s = secondsSince(t0);
  std::printf(
      "ledger append (catch-up from engine ready): %.1f s, %.0f entries/s, engine VmHWM "
      "%.1f MiB\n",
      append_s, static_cast<double>(events) / append_s,
      static_cast<double>(procStatusKiB(engine->pid(), "VmHWM")) / 1024.0);

  // 3. Export a window holding all of them.
  HttpClient http(engine->restPort());
  const std::vector<std::string> h = {
      "Authorization: Bearer " + engine->mintToken("bench", "orch:read orch:operate"),
      "X-StellaOps-Tenant: bench", "X-StellaOps-Operator-Reason: audit bench",
      "Content-Type: application/json"};
  const bool reset = resetPeakRss(engine->pid());
  const long rss_before_kib = procStatusKiB(engine->pid(), "VmRSS");
  t0 = Clock::now();
  const nlohmann::json window = {{"from", "2000-01-01T00:00:00Z"}, {"to", utcNow(2)}};
  const Reply posted = http.call("POST", kBenchApi + "/audit/exports", window.dump(), h);
  if (posted.status != 202) {
    std::printf("export: unavailable (HTTP %ld: %s)\n", posted.status, posted.body.c_str());
    return 1;
  }
  const std::string id = posted.json()["id"].get<std::string>();
  nlohmann::json status;
  long peak_rss_kib = rss_before_kib;
  while (true) {
    peak_rss_kib = std::max(peak_rss_kib, procStatusKiB(engine->pid(), "VmRSS"));
    status = http.call("GET", kBenchApi + "/audit/exports/" + id, "", h).json();
    const std::string s = status.value("status", "");
    if (s == "succeeded" || s == "failed") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double export_s = secondsSince(t0);
  if (reset) {
    peak_rss_kib = std::max(peak_rss_kib, procStatusKiB(engine->pid(), "VmHWM"));
  }
  const double export_mib = static_cast<double>(peak_rss_kib) / 1024.0;
  if (status["status"] != "succeeded") {
    std::printf("export: failed after %.1f s: %s\n", export_s, status.dump().c_str());
    return 1;
  }
  std::printf(
      "export: %.1f s, %lld entries, bundle %.1f MiB; engine peak RSS %.1f MiB (%s; "
      "RSS %.1f MiB before)\n",
      export_s, static_cast<long long>(status["progress"].value("entriesDone", int64_t{0})),
      status["bundle"].value("sizeBytes", 0.0) / 1048576.0, export_mib,
      reset ? "VmHWM reset before the POST" : "sampled VmRSS, VmHWM not resettable",
      static_cast<double>(rss_before_kib) / 1024.0);

  // 4. Download and verify offline.
  const std::string tar_path = engine->dir() + "/bench-bundle.tar";
  {  // the body is freed before the verify starts (see runMeasured)
    t0 = Clock::now();
    const Reply bundle =
        http.call("GET", kBenchApi + "/audit/exports/" + id + "/bundle", "", h, 600000);
    std::ofstream(tar_path, std::ios::binary) << bundle.body;
    std::printf("download: %.1f s (HTTP %ld, %.1f MiB)\n", secondsSince(t0), bundle.status,
                static_cast<double>(bundle.body.size()) / 1048576.0);
  }
  const std::string key_path = engine->dir() + "/bench-key.pub";
  const nlohmann::json keys = http.call("GET", kBenchApi + "/audit/keys", "", h).json();
  std::ofstream(key_path) << keys["keys"][0]["publicKeyPem"].get<std::string>();
  const ChildRun verify = runMeasured({engineBinary(), "audit", "verify", tar_path, "--public-key",
                                       key_path, "--config", engine->configPath()},
                                      engine->dir() + "/bench-verify.out");
  std::printf("verify: %.1f s, peak RSS %.1f MiB (ru_maxrss %.1f MiB), exit %d: %s\n",
              verify.seconds, static_cast<double>(verify.peak_rss_kib) / 1024.0,
              static_cast<double>(verify.max_rss_kib) / 1024.0, verify.exit_code,
              verify.out.c_str());

  aim("export-time", export_s, "s", kAimExportSeconds);
  aim("export-peak-rss", export_mib, "MiB", kAimExportMiB);
  PQfinish(conn);
  return verify.exit_code == 0 ? 0 : 1;
}
