// Chaining one batch of outbox events onto the tenants' chain heads: the appender's decision,
// as a pure function (no SDK types, no database) so every case is unit tested. The appender
// (ledger_appender.cpp) reads the events and the heads, calls chainEvents, and writes the rows
// and heads it returns in the same transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ledger_chain.hpp"

namespace jobengine::audit {

// The head of one tenant's chain: its last position (0: empty chain) and hash.
struct ChainHead {
  int64_t position = 0;
  std::string hash = kGenesisHash;
};

// One entry as stored in audit.entries (migrations/audit/0002_ledger.sql): the columns copied
// from the entry, and the entry's canonical JSON with its hash.
struct LedgerRow {
  std::string tenant_id;
  int64_t position = 0;
  int64_t event_seq = 0;
  std::string event_id;
  std::string event_type;
  std::string occurred_at;
  std::optional<std::string> actor_subject;
  std::optional<std::string> subject_kind;
  std::optional<std::string> subject_id;
  std::string entry;  // JCS of the entry, "hash" included
  std::string prev_hash;
  std::string hash;
};

// Chains `events` (orch.event.v1 envelopes in seq order, of any tenants) onto `heads`: each
// becomes the entry at its tenant's head position + 1 after the head's hash (makeEntry), and
// the head moves on. Tenants absent from `heads` start a new chain at position 1 after
// kGenesisHash. Returns the rows in the events' order; `heads` holds every touched tenant's
// new head. Throws std::invalid_argument (naming the seq) for an envelope makeEntry refuses.
std::vector<LedgerRow> chainEvents(const std::vector<nlohmann::json>& events,
                                   std::map<std::string, ChainHead>& heads);

}  // namespace jobengine::audit
