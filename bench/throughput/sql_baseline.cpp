// sql_baseline.cpp — the plain-SQL baseline: the same writes the engine does for no-op jobs,
// straight through libpq on the same schema (migrations/host + migrations/scheduler applied
// to a fresh embedded cluster with fsync and synchronous_commit on, as shipped):
//   enqueue   one INSERT ... SELECT per batch of 500 jobs + their job.created events
//   drain     worker threads loop: claim a batch (FOR UPDATE SKIP LOCKED, claim order) ->
//             leased + job.leased events (one txn); complete it -> succeeded + job.succeeded
//             events (one txn). Two transactions per batch, like the worker bridge.
// Each figure is what a hand-written Postgres queue would get on this machine: the ceiling
// the engine is compared with.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench_common.hpp"
#include "pg_cluster.hpp"

namespace jobengine::bench {

namespace {

constexpr const char* kEnqueue = R"sql(
WITH j AS (
  INSERT INTO scheduler.jobs (tenant_id, id, job_type, status, payload, payload_digest)
  SELECT 'bench', gen_random_uuid(), 'bench.sql', 'queued', jsonb_build_object('i', g),
         'sha256:0'
  FROM generate_series(1, $1::int) g
  RETURNING tenant_id, id),
s AS (SELECT jobengine.reserve_event_seqs($1::int) AS first)
INSERT INTO jobengine.events (tenant_id, seq, event_type, job_id, body)
SELECT j.tenant_id, s.first + row_number() OVER () - 1, 'job.created', j.id, '{}'::jsonb
FROM j, s)sql";

constexpr const char* kClaim = R"sql(
WITH c AS (
  UPDATE scheduler.jobs SET status = 'leased', lease_id = gen_random_uuid(),
         lease_until = now() + interval '60 seconds', attempts = attempts + 1,
         leased_by = $2, updated_at = now()
  WHERE (tenant_id, id) IN (
    -- job_type named, as every engine claim does: the claim index is per type
    -- (jobs_claim_by_type, migration scheduler/0002); without it this sorts every queued row
    SELECT tenant_id, id FROM scheduler.jobs WHERE status = 'queued' AND job_type = 'bench.sql'
    ORDER BY priority DESC, next_eligible_at, id LIMIT $1::int FOR UPDATE SKIP LOCKED)
  RETURNING tenant_id, id, lease_id),
s AS (SELECT jobengine.reserve_event_seqs(greatest((SELECT count(*) FROM c), 1)::int) AS first),
e AS (
  INSERT INTO jobengine.events (tenant_id, seq, event_type, job_id, body)
  SELECT c.tenant_id, s.first + row_number() OVER () - 1, 'job.leased', c.id, '{}'::jsonb
  FROM c, s)
SELECT id::text, lease_id::text FROM c)sql";

constexpr const char* kComplete = R"sql(
WITH d AS (
  UPDATE scheduler.jobs j SET status = 'succeeded', lease_id = NULL, lease_until = NULL,
         finished_at = now(), updated_at = now()
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, lease_id uuid)
  WHERE j.tenant_id = 'bench' AND j.id = r.id AND j.lease_id = r.lease_id
  RETURNING j.tenant_id, j.id),
s AS (SELECT jobengine.reserve_event_seqs(greatest((SELECT count(*) FROM d), 1)::int) AS first)
INSERT INTO jobengine.events (tenant_id, seq, event_type, job_id, body)
SELECT d.tenant_id, s.first + row_number() OVER () - 1, 'job.succeeded', d.id, '{}'::jsonb
FROM d, s)sql";

class Conn {
 public:
  explicit Conn(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw std::runtime_error(std::string("baseline: connect: ") + PQerrorMessage(conn_));
    }
  }
  ~Conn() { PQfinish(conn_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs sql with text params; returns rows as vectors of strings.
  std::vector<std::vector<std::string>> exec(const std::string& sql,
                                             const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) {
      values.push_back(p.c_str());
    }
    PGresult* res = params.empty()
                        ? PQexec(conn_, sql.c_str())
                        : PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                       values.data(), nullptr, nullptr, 0);
    const auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const std::string why = PQresultErrorMessage(res);
      PQclear(res);
      throw std::runtime_error("baseline: " + why);
    }
    std::vector<std::vector<std::string>> rows;
    for (int r = 0; r < PQntuples(res); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(res); ++c) {
        row.emplace_back(PQgetvalue(res, r, c));
      }
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

 private:
  PGconn* conn_;
};

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void applyMigrations(Conn& conn, const std::string& owner) {
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(JE_SOURCE_DIR) + "/migrations/" + owner)) {
    if (e.path().extension() == ".sql") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    conn.exec(readFile(f));
  }
}

}  // namespace

std::vector<Figure> runSqlBaseline(const BenchParams& params, const std::string& work_dir) {
  pgcluster::Options options;
  options.data_dir = work_dir + "/baseline-pg";
  options.fsync = true;  // as shipped
  pgcluster::PgCluster cluster(options);
  cluster.start();
  {
    Conn admin(cluster.superuserDsn());
    admin.exec("CREATE DATABASE bench");
  }
  const std::string dsn = cluster.dsn("postgres", "bench");
  Conn conn(dsn);
  // The host's migrator owns this ledger; the migrations reference it (grants).
  conn.exec(
      "CREATE SCHEMA jobengine; CREATE TABLE jobengine.schema_migrations (owner text, "
      "version integer, name text, checksum text, applied_at timestamptz DEFAULT now(), "
      "PRIMARY KEY (owner, version))");
  applyMigrations(conn, "host");
  applyMigrations(conn, "scheduler");
  std::vector<Figure> out;

  const int batch = 500;
  auto t0 = std::chrono::steady_clock::now();
  for (int done = 0; done < params.enqueue_jobs; done += batch) {
    conn.exec(kEnqueue, {std::to_string(std::min(batch, params.enqueue_jobs - done))});
  }
  out.push_back({"enqueue (batches of 500)", "jobs/s", params.enqueue_jobs / secondsSince(t0),
                 "one INSERT + events per batch"});

  std::atomic<int64_t> completed{0};
  t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < params.worker_threads; ++w) {
    workers.emplace_back([&, w] {
      Conn c(dsn);
      for (;;) {
        const auto grants =
            c.exec(kClaim, {std::to_string(params.claim_batch), "baseline-" + std::to_string(w)});
        if (grants.empty()) {
          return;
        }
        std::string json = "[";
        for (size_t i = 0; i < grants.size(); ++i) {
          json += (i == 0 ? "" : ",") + std::string("{\"id\":\"") + grants[i][0] +
                  "\",\"lease_id\":\"" + grants[i][1] + "\"}";
        }
        c.exec(kComplete, {json + "]"});
        completed += static_cast<int64_t>(grants.size());
      }
    });
  }
  for (auto& t : workers) {
    t.join();
  }
  out.push_back({"drain: batch claim + batch complete", "jobs/s",
                 static_cast<double>(completed.load()) / secondsSince(t0),
                 std::to_string(params.worker_threads) + " threads, batch " +
                     std::to_string(params.claim_batch)});
  cluster.stop();
  return out;
}

}  // namespace jobengine::bench
