// See outbox_pruner.hpp.
#include "retention/outbox_pruner.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <vector>

#include "leader/leader_elector.hpp"
#include "log/logging.hpp"
#include "retention/retention_registry.hpp"
#include "retention/retention_rules.hpp"
#include "store/store.hpp"

namespace jobengine::host {
namespace {

constexpr std::chrono::seconds kMarksRefresh{2};
constexpr int kMaxBatchesPerTenant = 20;  // one round stays short; a backlog continues soon
constexpr int64_t kSecondsPerDay = 86400;

}  // namespace

OutboxPruner::OutboxPruner(RetentionConfig config, Store& store, LeaderElector& leader,
                           RetentionRegistry& registry)
    : config_(config), store_(store), leader_(leader), registry_(registry) {}

OutboxPruner::~OutboxPruner() { stop(); }

void OutboxPruner::start() {
  thread_ = std::thread([this] { loop(); });
}

void OutboxPruner::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void OutboxPruner::loop() {
  pthread_setname_np(pthread_self(), "host-retention");
  auto log = componentLogger("retention");
  const auto interval = std::chrono::seconds(config_.interval_seconds);
  const auto tick = std::min<std::chrono::seconds>(interval, kMarksRefresh);
  auto next_prune = std::chrono::steady_clock::now();
  bool warned = false;
  while (true) {
    try {
      refreshMarks();
      int64_t epoch = 0;
      const auto now = std::chrono::steady_clock::now();
      if (config_.days > 0 && now >= next_prune && leader_.isLeader(&epoch)) {
        bool more = false;
        const int64_t n = pruneOnce(epoch, more);
        if (n > 0) {
          log->info("retention: pruned {} outbox event(s) older than {} day(s)", n, config_.days);
        }
        next_prune = more ? now : now + interval;
      }
      warned = false;
    } catch (const std::exception& e) {
      if (!warned) {  // a database outage fails every tick: say it once until a round works
        log->warn("retention: outbox pruning failed: {}", e.what());
        warned = true;
      }
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (cv_.wait_for(lock, tick, [&] { return stopping_; })) {
      return;
    }
  }
}

void OutboxPruner::refreshMarks() {
  std::map<std::string, int64_t> marks;
  auto txn = store_.begin(kSystemTenant, true);
  txn.exec("SELECT tenant_id, pruned_through_seq FROM jobengine.retention", {},
           [&marks](const pqxx::row& row) {
             marks[row[0].as<std::string>()] = row[1].as<int64_t>();
             return true;
           });
  txn.commit();
  registry_.setMarks(std::move(marks));
}

int64_t OutboxPruner::pruneOnce(int64_t epoch, bool& more) {
  // Every tenant with events: a loose index scan over the primary key (tenant_id, seq), one
  // index probe per tenant instead of a scan of the table.
  std::vector<std::string> tenants;
  {
    auto txn = store_.begin(kSystemTenant, true);
    txn.exec(
        "WITH RECURSIVE t(tenant_id) AS ("
        " (SELECT tenant_id FROM jobengine.events ORDER BY tenant_id LIMIT 1)"
        " UNION ALL"
        " SELECT (SELECT e.tenant_id FROM jobengine.events e WHERE e.tenant_id > t.tenant_id"
        "         ORDER BY e.tenant_id LIMIT 1) FROM t WHERE t.tenant_id IS NOT NULL)"
        " SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL",
        {}, [&tenants](const pqxx::row& row) {
          tenants.push_back(row[0].as<std::string>());
          return true;
        });
    txn.commit();
  }
  int64_t total = 0;
  for (const std::string& tenant : tenants) {
    bool deposed = false;
    total += pruneTenant(tenant, epoch, more, deposed);
    if (deposed) {
      return -1;
    }
  }
  return total;
}

int64_t OutboxPruner::pruneTenant(const std::string& tenant, int64_t epoch, bool& more,
                                  bool& deposed) {
  // The guards are asked outside any transaction of ours (they may open their own).
  const int64_t cutoff_us = registry_.cutoff(tenant, std::llround(config_.days * kSecondsPerDay));
  if (cutoff_us == JE_RETENTION_KEEP_ALL) {
    return 0;
  }
  int64_t total = 0;
  for (int batch = 0; batch < kMaxBatchesPerTenant; ++batch) {
    auto txn = store_.begin(kSystemTenant);
    bool current = false;
    txn.exec("SELECT jobengine.leader_epoch_is_current_v1($1::bigint)", {std::to_string(epoch)},
             [&current](const pqxx::row& row) {
               current = row[0].as<bool>();
               return true;
             });
    if (!current) {
      deposed = true;
      return total;  // rolled back on destruction: a deposed leader writes nothing
    }
    int64_t after = -1;
    txn.exec("SELECT pruned_through_seq FROM jobengine.retention WHERE tenant_id = $1", {tenant},
             [&after](const pqxx::row& row) {
               after = row[0].as<int64_t>();
               return true;
             });
    std::vector<OutboxRowAge> rows;
    int64_t horizon = 0;
    txn.exec(
        "SELECT seq, (extract(epoch FROM occurred_at) * 1000000)::bigint, "
        "jobengine.event_horizon() FROM jobengine.events WHERE tenant_id = $1 AND seq > $2 "
        "ORDER BY seq LIMIT $3",
        {tenant, std::to_string(after), std::to_string(config_.batch_rows)},
        [&rows, &horizon](const pqxx::row& row) {
          rows.push_back(OutboxRowAge{row[0].as<int64_t>(), row[1].as<int64_t>()});
          horizon = row[2].as<int64_t>();
          return true;
        });
    const auto end = prunablePrefixEnd(rows, cutoff_us, horizon);
    if (!end) {
      return total;
    }
    const uint64_t n =
        txn.exec("DELETE FROM jobengine.events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3",
                 {tenant, std::to_string(after), std::to_string(*end)});
    txn.exec(
        "INSERT INTO jobengine.retention AS r (tenant_id, pruned_through_seq, cutoff, "
        "rows_pruned) VALUES ($1, $2, to_timestamp($3::bigint / 1000000.0), $4) "
        "ON CONFLICT (tenant_id) DO UPDATE SET pruned_through_seq = "
        "greatest(r.pruned_through_seq, EXCLUDED.pruned_through_seq), cutoff = EXCLUDED.cutoff, "
        "rows_pruned = r.rows_pruned + EXCLUDED.rows_pruned, pruned_at = now()",
        {tenant, std::to_string(*end), std::to_string(cutoff_us), std::to_string(n)});
    txn.commit();
    registry_.raiseMark(tenant, *end);
    registry_.countPruned("host", "jobengine.events", static_cast<int64_t>(n));
    total += static_cast<int64_t>(n);
    const bool full =
        rows.size() >= static_cast<size_t>(config_.batch_rows) && *end == rows.back().seq;
    if (!full) {
      return total;
    }
    if (batch + 1 == kMaxBatchesPerTenant) {
      more = true;
    }
  }
  return total;
}

}  // namespace jobengine::host
