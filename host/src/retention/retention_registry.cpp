// See retention_registry.hpp.
#include "retention/retention_registry.hpp"

#include <chrono>
#include <stdexcept>

#include "core/host_handle.hpp"
#include "metrics/metrics_registry.hpp"
#include "retention/retention_rules.hpp"

namespace jobengine::host {

void RetentionRegistry::addGuard(je_host* owner, je_retention_guard guard, void* user) {
  std::lock_guard<std::mutex> lock(mutex_);
  guards_.push_back(Guard{owner, guard, user});
}

bool RetentionRegistry::hasGuards() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !guards_.empty();
}

int64_t RetentionRegistry::cutoff(const std::string& tenant, int64_t retention_seconds) const {
  if (retention_seconds <= 0) {
    return JE_RETENTION_KEEP_ALL;
  }
  std::vector<Guard> guards;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    guards = guards_;
  }
  std::vector<int64_t> answers;
  for (const Guard& g : guards) {
    if (g.owner != nullptr && !g.owner->live()) {
      continue;  // a stopping plugin's guard holds nothing back any more
    }
    int64_t until = JE_RETENTION_KEEP_ALL;
    char err[512] = {0};
    const je_status st = g.fn(g.user, tenant.data(), tenant.size(), &until, err, sizeof(err));
    if (st != JE_OK) {
      throw std::runtime_error("retention guard of plugin '" +
                               (g.owner != nullptr ? g.owner->plugin_id : std::string("?")) +
                               "' failed for tenant '" + tenant + "': " + err);
    }
    answers.push_back(until);
  }
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  return effectiveCutoff(now_us, retention_seconds, answers);
}

void RetentionRegistry::countPruned(const std::string& owner, const std::string& table,
                                    int64_t rows) {
  if (metrics_ == nullptr || rows < 0) {
    return;
  }
  metrics_->counterAdd("retention_pruned_rows_total",
                       "Rows deleted by retention (SPEC §9), by owner and table",
                       {{"owner", owner}, {"table", table}}, static_cast<double>(rows));
}

void RetentionRegistry::setMarks(std::map<std::string, int64_t> marks) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [tenant, seq] : marks) {
    auto& mark = marks_[tenant];
    mark = std::max(mark, seq);  // marks only move forward
  }
}

void RetentionRegistry::raiseMark(const std::string& tenant, int64_t pruned_through) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& mark = marks_[tenant];
  mark = std::max(mark, pruned_through);
}

std::optional<int64_t> RetentionRegistry::prunedThrough(const std::string& tenant) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = marks_.find(tenant);
  if (it == marks_.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace jobengine::host
