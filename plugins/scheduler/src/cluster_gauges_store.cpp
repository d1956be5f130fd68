// cluster_gauges_store.cpp — the scheduler's cluster gauge queries. See cluster_gauges_store.hpp.
//
// Cost: each query is grouped and touches only live rows. The queue query reads the active
// statuses through the partial indexes jobs_claim (queued), jobs_throttled and jobs_inflight
// (leased, running) (migrations/scheduler/0001_init.sql), one UNION arm each, so the millions
// of terminal rows are never read: it costs O(active jobs) once per interval, on the leader only.
// Ages are computed by the database clock, so a replica's clock skew cannot show in them.
#include "cluster_gauges_store.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

namespace jobengine::scheduler {

namespace {

constexpr const char* kDepthHelp =
    "Jobs by tenant, job type and active status (queued, throttled, leased, running); leader only";
constexpr const char* kOldestHelp =
    "Seconds since the oldest job in that status was created (0 when none); leader only";
constexpr const char* kThrottledHelp = "Throttled jobs by reason; leader only";
constexpr const char* kDeadLettersHelp = "Open (not replayed) dead letters by class; leader only";
constexpr const char* kScheduleLagHelp =
    "Seconds the most overdue enabled schedule of the tenant is late (0 when none is due); leader "
    "only";
constexpr const char* kWatermarkAgeHelp =
    "Seconds between now and the source's newest watermark; leader only";

// One row per (tenant, type, status) and, for throttled jobs, per reason as well. Three arms,
// each with exactly the predicate of one partial index, so each can be read through it.
constexpr std::string_view kQueueSql = R"SQL(
SELECT tenant_id, job_type, status, NULL::text AS reason, count(*),
       extract(epoch FROM now() - min(created_at))::float8
FROM scheduler.jobs WHERE status = 'queued' GROUP BY 1, 2, 3
UNION ALL
SELECT tenant_id, job_type, status, COALESCE(reason, 'unknown'), count(*),
       extract(epoch FROM now() - min(created_at))::float8
FROM scheduler.jobs WHERE status = 'throttled' GROUP BY 1, 2, 3, 4
UNION ALL
SELECT tenant_id, job_type, status, NULL::text, count(*),
       extract(epoch FROM now() - min(created_at))::float8
FROM scheduler.jobs WHERE status IN ('leased', 'running') GROUP BY 1, 2, 3
)SQL";

constexpr std::string_view kDeadLettersSql = R"SQL(
SELECT tenant_id, error_class, count(*)
FROM scheduler.dead_letters
WHERE replayed_job_id IS NULL
GROUP BY 1, 2
)SQL";

constexpr std::string_view kScheduleLagSql = R"SQL(
SELECT tenant_id, greatest(extract(epoch FROM now() - min(next_fire_at)), 0)::float8
FROM scheduler.schedules
WHERE enabled AND next_fire_at IS NOT NULL
GROUP BY 1
)SQL";

constexpr std::string_view kWatermarkAgeSql = R"SQL(
SELECT w.tenant_id, s.name, extract(epoch FROM now() - max(w.watermark))::float8
FROM scheduler.watermarks w
JOIN scheduler.sources s ON s.tenant_id = w.tenant_id AND s.id = w.source_id
GROUP BY 1, 2
)SQL";

struct QueueCell {
  double count = 0;
  double oldest_s = 0;
};

}  // namespace

void collectSchedulerGauges(sdk::Txn& txn, sdk::GaugeSnapshot& out) {
  // Throttled rows come once per reason: sum them into the (tenant, type, status) cell.
  std::map<std::tuple<std::string, std::string, std::string>, QueueCell> cells;
  txn.exec(kQueueSql, {}, [&](const sdk::Row& r) {
    const double count = r.f64(4);
    QueueCell& cell = cells[{r.str(0), r.str(1), r.str(2)}];
    cell.count += count;
    cell.oldest_s = std::max(cell.oldest_s, r.f64(5));
    if (!r.isNull(3)) {
      out.set("jobs_throttled", kThrottledHelp,
              {{"tenant", r.str(0)}, {"job_type", r.str(1)}, {"reason", r.str(3)}}, count);
    }
  });
  for (const auto& [key, cell] : cells) {
    const auto& [tenant, job_type, status] = key;
    const nlohmann::json labels = {{"tenant", tenant}, {"job_type", job_type}, {"status", status}};
    out.set("queue_depth", kDepthHelp, labels, cell.count);
    out.set("queue_oldest_age_seconds", kOldestHelp, labels, cell.oldest_s);
  }
  txn.exec(kDeadLettersSql, {}, [&](const sdk::Row& r) {
    out.set("dead_letters", kDeadLettersHelp, {{"tenant", r.str(0)}, {"class", r.str(1)}},
            r.f64(2));
  });
  txn.exec(kScheduleLagSql, {}, [&](const sdk::Row& r) {
    out.set("schedule_lag_seconds", kScheduleLagHelp, {{"tenant", r.str(0)}}, r.f64(1));
  });
  txn.exec(kWatermarkAgeSql, {}, [&](const sdk::Row& r) {
    out.set("source_watermark_age_seconds", kWatermarkAgeHelp,
            {{"tenant", r.str(0)}, {"source", r.str(1)}}, r.f64(2));
  });
}

}  // namespace jobengine::scheduler
