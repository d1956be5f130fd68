// LedgerPruner: ledger retention (SPEC §7, issue 14; docs/ledger.md "Retention"). Entries older
// than [plugins.audit] retention_days are deleted only once succeeded exports cover them
// (core/retention_plan), and each pruning leaves an anchor: audit.chain_anchors keeps the last
// pruned entry's position and hash, and an audit.pruned event names them, so the ledger chains
// the pruning itself and GET /audit/verify walks the retained chain from the anchor.
//
// Leader-only and serialized with appending: the appender's thread calls runIfDue() between its
// rounds, so no entry is appended while entries are pruned. One pruning is one "system"
// transaction: read every tenant's plan input, and only when some tenant has something to
// prune, fenced by jobengine.leader_epoch_is_current_v1(epoch) before any write: per tenant,
// delete the entries, append audit.pruned (je.events, in the same transaction), move the
// anchor; commit. A deposed leader's pruning writes nothing.
// Threads: used only by the appender's thread.
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <cstdint>

#include "core/audit_settings.hpp"

namespace jobengine::audit {

class LedgerPruner {
 public:
  LedgerPruner(sdk::Host& host, const AuditSettings& settings);

  bool enabled() const { return retention_days_ > 0; }
  // Prunes when enabled and prune_interval_seconds passed since the last try (the first try
  // is due at once). Errors are logged (once until a pruning works), never thrown.
  void runIfDue(int64_t epoch);
  // One pruning: how many entries were pruned (every tenant), or -1 when the epoch was no
  // longer current. Throws on database errors.
  int64_t run(int64_t epoch);

 private:
  sdk::Host& host_;
  double retention_days_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point next_{};
  bool warned_ = false;
};

}  // namespace jobengine::audit
