// ingest_bench: Concelier ingestion throughput through the whole pipeline (issue 15): a sync's
// run fetch -> parse -> map on the real engine, from file:// mirrors generated into a temp dir
// (feed_generator.hpp): N OSV records (default 10,000) and N NVD CVEs in pages of P (default
// 2,000). For each feed one connector is registered, one sync started and polled until its run
// ends; it prints the run's documents and observations (counted in the database as the
// superuser), the run's wall time (createdAt -> finishedAt from GET /runs/{id}), documents/s and
// observations/s, and each job's own duration (GET /jobs?runId=, startedAt -> finishedAt).
// The database is the test support's throwaway cluster (fsync off, as every engine test runs).
// Usage: je_bench_ingest [--records N] [--page-size P]
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine_process.hpp"
#include "feed_generator.hpp"
#include "http_client.hpp"
#include "pg_fixture.hpp"

using namespace jobengine::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kApi = "/api/v1/jobengine";
const std::string kTenant = "bench";
constexpr auto kRunTimeout = std::chrono::minutes(30);

// Seconds since the epoch of an RFC 3339 UTC time with optional fraction ("...T22:50:03.123Z").
std::optional<double> epochSeconds(const json& value) {
  if (!value.is_string()) {
    return std::nullopt;
  }
  const std::string text = value.get<std::string>();
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double seconds = static_cast<double>(timegm(&tm));
  const size_t at = static_cast<size_t>(consumed);
  if (at < text.size() && text[at] == '.') {
    seconds += std::strtod(text.c_str() + at, nullptr);
  }
  return seconds;
}

std::optional<double> span(const json& object, const char* from, const char* to) {
  const auto a = epochSeconds(object.value(from, json()));
  const auto b = epochSeconds(object.value(to, json()));
  if (!a || !b) {
    return std::nullopt;
  }
  return *b - *a;
}

// One number from the database as the superuser (row-level security does not apply).
long long countOf(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connect: " + why);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    throw std::runtime_error(sql.substr(0, 80) + ": " + why);
  }
  const long long n = std::atoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(conn);
  return n;
}

class Bench {
 public:
  Bench(EngineProcess& engine, std::string admin_dsn)
      : http_(engine.restPort()), admin_dsn_(std::move(admin_dsn)) {
    headers_ = {"Authorization: Bearer " + engine.mintToken(kTenant, "orch:read orch:operate"),
                "X-StellaOps-Tenant: " + kTenant, "X-StellaOps-Operator-Reason: ingest bench",
                "Content-Type: application/json"};
  }

  // Registers the connector, syncs it, waits for the run and prints its figures; false when
  // anything failed (printed).
  bool measure(const std::string& label, const json& connector) {
    std::printf("== %s\n", label.c_str());
    const Reply created = call("POST", "/concelier/connectors", connector.dump());
    if (created.status != 201) {
      std::printf("  connector: unavailable (HTTP %ld: %s)\n", created.status,
                  created.body.c_str());
      return false;
    }
    const std::string source_id = created.json()["sourceId"].get<std::string>();
    const Reply started = call("POST", "/sources/" + source_id + "/sync", "{}");
    if (started.status != 202) {
      std::printf("  sync: unavailable (HTTP %ld: %s)\n", started.status, started.body.c_str());
      return false;
    }
    const std::string run_id = started.json()["runId"].get<std::string>();
    const json run = waitForRun(run_id);
    const json jobs = call("GET", "/jobs?runId=" + run_id + "&page_size=100").json();
    const std::string status = run.value("status", "");
    if (status != "succeeded") {
      std::printf("  run %s ended %s: %s\n  jobs: %s\n", run_id.c_str(), status.c_str(),
                  run.dump().c_str(), jobs.dump().c_str());
      return false;
    }
    const long long documents =
        countOf(admin_dsn_,
                "SELECT count(*) FROM concelier.fetched_documents WHERE run_id = '" + run_id + "'");
    const long long observations = countOf(
        admin_dsn_, "SELECT count(*) FROM concelier.observations WHERE run_id = '" + run_id + "'");
    const double wall = span(run, "createdAt", "finishedAt").value_or(-1);
    std::printf(
        "  run %s: %lld documents, %lld observations, wall %.2f s (createdAt -> "
        "finishedAt)\n",
        run_id.c_str(), documents, observations, wall);
    if (wall > 0) {
      std::printf("  throughput: %.0f documents/s, %.0f observations/s\n",
                  static_cast<double>(documents) / wall, static_cast<double>(observations) / wall);
    }
    // The DAG is a chain: in finishing order, a step's share of the wall time runs from the
    // previous step's finishedAt (the run's createdAt for the first) to its own finishedAt.
    // Printed beside the job's own startedAt -> finishedAt, which can leave out time the step
    // spent before its startedAt was set.
    std::vector<json> chain = jobs.value("items", json::array()).get<std::vector<json>>();
    std::sort(chain.begin(), chain.end(), [](const json& a, const json& b) {
      return epochSeconds(a.value("finishedAt", json())).value_or(0) <
             epochSeconds(b.value("finishedAt", json())).value_or(0);
    });
    std::optional<double> previous_end = epochSeconds(run.value("createdAt", json()));
    for (const json& job : chain) {
      const auto own = span(job, "startedAt", "finishedAt");
      const auto end = epochSeconds(job.value("finishedAt", json()));
      const auto queued = span(job, "createdAt", "startedAt");
      std::printf("  job %-16s %-9s", job.value("type", "?").c_str(),
                  job.value("status", "?").c_str());
      if (own) {
        std::printf(" own %.2f s", *own);
      } else {
        std::printf(" own n/a (no startedAt/finishedAt)");
      }
      std::printf(", attempts %d", job.value("attempts", 0));
      if (queued) {
        std::printf(", created -> started %.2f s", *queued);
      }
      if (own && *own > 0 && documents > 0) {
        std::printf(", %.0f documents/s", static_cast<double>(documents) / *own);
      }
      if (end && previous_end) {
        std::printf("; step %.2f s (from the previous finishedAt)", *end - *previous_end);
      }
      previous_end = end;
      std::printf("\n");
    }
    std::fflush(stdout);
    return true;
  }

 private:
  Reply call(const std::string& method, const std::string& path, const std::string& body = "") {
    return http_.call(method, kApi + path, body, headers_);
  }

  json waitForRun(const std::string& run_id) {
    const auto deadline = Clock::now() + kRunTimeout;
    json run;
    while (Clock::now() < deadline) {
      run = call("GET", "/runs/" + run_id).json();
      const std::string status = run.value("status", "");
      if (status == "succeeded" || status == "failed" || status == "canceled") {
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return run;
  }

  HttpClient http_;
  std::string admin_dsn_;
  std::vector<std::string> headers_;
};

}  // namespace

int main(int argc, char** argv) {
  int records = 10000;
  int page_size = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--records") {
      records = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--page-size") {
      page_size = std::clamp(std::atoi(argv[i + 1]), 1, 2000);
    }
  }
  const fs::path fixtures = fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds";
  const fs::path mirror =
      fs::temp_directory_path() / ("je-bench-ingest-" + std::to_string(::getpid()));
  fs::remove_all(mirror);
  auto t0 = Clock::now();
  jobengine::bench::writeOsvMirror(fixtures, mirror / "osv", records);
  jobengine::bench::writeNvdMirror(fixtures, mirror / "nvd", records, page_size);
  std::printf(
      "ingest bench: %d OSV records, %d NVD CVEs in pages of %d, mirrors written in "
      "%.1f s under %s\n",
      records, records, page_size, std::chrono::duration<double>(Clock::now() - t0).count(),
      mirror.c_str());

  int status = 0;
  {
    EngineOptions options;
    options.name = "ingest_bench";
    EngineProcess engine(options);
    engine.start();
    const std::string& dsn = engine.databaseDsn();
    const std::string admin_dsn =
        "host=127.0.0.1 port=" + std::to_string(ThrowawayPostgres::instance().port()) +
        " user=postgres dbname=" + dsn.substr(dsn.find("dbname=") + 7);
    Bench bench(engine, admin_dsn);
    const json osv = {{"connectorId", "bench-osv"},
                      {"source", "osv"},
                      {"baseUri", "file://" + (mirror / "osv").string() + "/"}};
    const json nvd = {{"connectorId", "bench-nvd"},
                      {"source", "nvd"},
                      {"baseUri", "file://" + (mirror / "nvd").string() + "/"},
                      {"options", {{"resultsPerPage", page_size}}}};
    if (!bench.measure("OSV, " + std::to_string(records) + " records (file://)", osv)) {
      status = 1;
    }
    if (!bench.measure("NVD, " + std::to_string(records) + " CVEs in pages of " +
                           std::to_string(page_size) + " (file://)",
                       nvd)) {
      status = 1;
    }
  }
  fs::remove_all(mirror);
  return status;
}
