// The audit ledger's retention: see ledger_pruner.hpp.
#include "ledger_pruner.hpp"

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/retention_plan.hpp"
#include "retention_store.hpp"

namespace jobengine::audit {

LedgerPruner::LedgerPruner(sdk::Host& host, const AuditSettings& settings)
    : host_(host),
      retention_days_(settings.retention_days),
      interval_(settings.prune_interval_seconds) {}

void LedgerPruner::runIfDue(int64_t epoch) {
  if (!enabled()) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) {
    return;
  }
  next_ = now + interval_;
  try {
    run(epoch);
    warned_ = false;
  } catch (const std::exception& e) {
    if (!warned_) {  // a database outage fails every try: say it once until one works
      host_.warn(std::string("audit ledger pruning failed: ") + e.what());
      warned_ = true;
    }
  }
}

int64_t LedgerPruner::run(int64_t epoch) {
  auto txn = host_.begin(JE_TENANT_SYSTEM);
  // Read first: with nothing to prune the transaction ends here, having written nothing.
  const std::string cutoff = retentionCutoff(txn, retention_days_ * 86400.0);
  std::map<std::string, RetentionPlan> plans;
  std::map<std::string, int64_t> first_retained;
  for (const auto& [tenant, input] : loadRetentionInputs(txn, cutoff)) {
    if (auto plan = planPrune(input)) {
      plans.emplace(tenant, std::move(*plan));
      first_retained[tenant] = input.first_retained;
    }
  }
  if (plans.empty()) {
    return 0;
  }
  bool current = false;
  txn.exec("SELECT jobengine.leader_epoch_is_current_v1($1::bigint)", {epoch},
           [&](const sdk::Row& r) { current = r.boolean(0); });
  if (!current) {
    return -1;  // deposed: rolls back on destruction, having written nothing
  }
  int64_t total = 0;
  for (const auto& [tenant, plan] : plans) {
    const std::optional<std::string> head = storedEntryHash(txn, tenant, plan.prune_through);
    if (!head) {
      throw sdk::Error(JE_ERR_STATE, "audit: tenant " + tenant + " has no ledger entry at " +
                                         std::to_string(plan.prune_through) +
                                         " to anchor its pruning on");
    }
    const int64_t deleted = deleteEntriesThrough(txn, tenant, plan.prune_through);
    if (deleted != plan.entries) {
      // Entries missing inside the range: pruning would hide it. Roll back and leave the gap
      // for GET /audit/verify to name.
      throw sdk::Error(JE_ERR_STATE, "audit: tenant " + tenant + " has " + std::to_string(deleted) +
                                         " ledger entries at " +
                                         std::to_string(first_retained[tenant]) + ".." +
                                         std::to_string(plan.prune_through) + ", expected " +
                                         std::to_string(plan.entries) + "; nothing pruned");
    }
    const std::string event_id = host_.emit(txn, {{"tenantId", tenant},
                                                  {"eventType", "audit.pruned"},
                                                  {"data",
                                                   {{"prunedFrom", first_retained[tenant]},
                                                    {"prunedThrough", plan.prune_through},
                                                    {"prunedHead", *head},
                                                    {"entries", plan.entries},
                                                    {"cutoff", cutoff},
                                                    {"exportIds", plan.export_ids}}}});
    saveAnchor(txn,
               AnchorRecord{tenant, plan.prune_through, *head, cutoff, plan.export_ids, event_id});
    total += deleted;
  }
  txn.commit();
  host_.counterAdd("audit_pruned_entries_total",
                   "Audit ledger entries pruned by retention (after a covering export)",
                   nlohmann::json::object(), static_cast<double>(total));
  for (const auto& [tenant, plan] : plans) {
    host_.info("audit: pruned ledger entries " + std::to_string(first_retained[tenant]) + ".." +
               std::to_string(plan.prune_through) + " of tenant " + tenant + " (older than " +
               cutoff + ", exported)");
  }
  return total;
}

}  // namespace jobengine::audit
