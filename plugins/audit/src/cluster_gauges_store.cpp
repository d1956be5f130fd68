// cluster_gauges_store.cpp — the audit cluster gauge query. See cluster_gauges_store.hpp.
//
// One row per tenant: its chain head (audit.chain_heads, one row per tenant) and, by primary
// key (tenant_id, position), the head entry's occurred_at (left out should retention ever have
// pruned the head itself). The length is the head's position, which pruning does not lower.
// Ages use the database clock.
#include "cluster_gauges_store.hpp"

namespace jobengine::audit {

namespace {

constexpr const char* kChainLengthHelp =
    "Entries ever chained into the tenant's audit ledger (its head position); leader only";
constexpr const char* kNewestEntryAgeHelp =
    "Seconds since the occurredAt of the tenant's newest audit ledger entry; leader only";

constexpr std::string_view kChainHeadsSql = R"SQL(
SELECT h.tenant_id, h.position, extract(epoch FROM now() - e.occurred_at)::float8
FROM audit.chain_heads h
LEFT JOIN audit.entries e ON e.tenant_id = h.tenant_id AND e.position = h.position
)SQL";

}  // namespace

void collectAuditGauges(sdk::Txn& txn, sdk::GaugeSnapshot& out) {
  txn.exec(kChainHeadsSql, {}, [&](const sdk::Row& r) {
    const nlohmann::json labels = {{"tenant", r.str(0)}};
    out.set("audit_chain_length", kChainLengthHelp, labels, r.f64(1));
    if (!r.isNull(2)) {
      out.set("audit_newest_entry_age_seconds", kNewestEntryAgeHelp, labels, r.f64(2));
    }
  });
}

}  // namespace jobengine::audit
