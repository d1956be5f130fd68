// ledger_store — every SQL statement of the audit ledger (migrations/audit/0002_ledger.sql), so
// the appender and the routes hold none. Statements run in the caller's transaction: the
// appender's fenced "system" round, or a request's tenant-bound transaction (row-level security
// confines it to the caller's tenant; the statements name the tenant as well).
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/audit_query.hpp"
#include "core/ledger_batch.hpp"

namespace jobengine::audit {

// The appender's cursor (last outbox seq chained). readCursor takes no lock (an idle round
// writes and locks nothing); lockCursor locks the row until the transaction ends, so two
// rounds never chain the same events, and returns its committed value.
int64_t readCursor(sdk::Txn& txn);
int64_t lockCursor(sdk::Txn& txn);
void saveCursor(sdk::Txn& txn, int64_t last_seq);

// The heads of these tenants' chains (tenants without a chain are absent).
std::map<std::string, ChainHead> loadHeads(sdk::Txn& txn, const std::vector<std::string>& tenants);
// Writes the given heads (insert or move forward).
void saveHeads(sdk::Txn& txn, const std::map<std::string, ChainHead>& heads);

// Inserts the rows in one statement.
void insertEntries(sdk::Txn& txn, const std::vector<LedgerRow>& rows);

// One entry as read back: its position and its stored JSON text.
using EntryFn = std::function<void(int64_t position, const std::string& entry)>;

// A tenant's entries matching filter with position > after (nullopt: from the start), in
// position order, at most limit.
void listEntries(sdk::Txn& txn, const std::string& tenant, const AuditFilter& filter,
                 std::optional<int64_t> after, int limit, const EntryFn& fn);

// A tenant's recorded chain head, when it has a chain.
std::optional<ChainHead> loadHead(sdk::Txn& txn, const std::string& tenant);
// A tenant's entries with after < position (<= upto when given), in position order, at most
// limit: one page of the verifier's walk. Returns how many were read.
int walkEntries(sdk::Txn& txn, const std::string& tenant, int64_t after,
                std::optional<int64_t> upto, int limit, const EntryFn& fn);

}  // namespace jobengine::audit
