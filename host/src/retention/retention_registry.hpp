// RetentionRegistry: the host's side of je.retention (abi.h 1.8, docs/operations.md
// "Retention"). It keeps the guards plugins registered (the audit plugin's "covered until"),
// answers a tenant's effective cutoff (retention_rules: min of now - retention and every
// guard), counts pruned rows (jobengine_retention_pruned_rows_total{owner,table}), and caches
// per tenant how far the outbox was pruned (jobengine.retention), so the stream listener can
// refuse a pruned resume position without a database round trip on its I/O thread.
// Threads: every member may be called from any thread; guards_ and marks_ are behind mutex_.
// A guard is called without the lock held (it may open a transaction of its own).
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::host {

class MetricsRegistry;

class RetentionRegistry {
 public:
  explicit RetentionRegistry(MetricsRegistry* metrics) : metrics_(metrics) {}

  void addGuard(je_host* owner, je_retention_guard guard, void* user);
  // Guards of plugins that left the running phases are skipped from then on.
  // Effective cutoff (µs since the epoch); throws std::runtime_error naming the guard's plugin
  // when a guard fails.
  int64_t cutoff(const std::string& tenant, int64_t retention_seconds) const;
  bool hasGuards() const;

  void countPruned(const std::string& owner, const std::string& table, int64_t rows);

  // The outbox's pruned-through marks (jobengine.retention), refreshed by the OutboxPruner.
  void setMarks(std::map<std::string, int64_t> marks);
  void raiseMark(const std::string& tenant, int64_t pruned_through);
  std::optional<int64_t> prunedThrough(const std::string& tenant) const;

 private:
  struct Guard {
    je_host* owner = nullptr;
    je_retention_guard fn = nullptr;
    void* user = nullptr;
  };
  MetricsRegistry* metrics_;
  mutable std::mutex mutex_;
  std::vector<Guard> guards_;
  std::map<std::string, int64_t> marks_;
};

}  // namespace jobengine::host
