// Reading committed rows of the event outbox (jobengine.events) in seq order, and turning a
// row into the orch.event.v1 envelope the streams carry (SPEC §6).
//
// Every read is bounded by jobengine.event_horizon() (migrations/host/0002_events.sql): only
// rows of transactions older than the oldest running one are read, so once a reader has
// passed seq X no row with seq <= X can still appear, and a cursor "last seq read" never skips
// an event that commits later. Two readers: readAllTenants() for the outbox feeder (its own
// connection, transaction bound to the "system" tenant) and makeBacklogReader() for the hub's
// resumes (through the Store, bound to the subscriber's tenant, so row-level security applies).
// readAfterInTransaction() is the third: a plugin's cursor read inside its own transaction.
// Envelopes are built by events/event_envelope (the same as GET /events returns).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stream/stream_hub.hpp"

#include <pqxx/connection>

namespace jobengine::host {

class Store;
class Transaction;

// One outbox row as read, with the envelope already built.
struct OutboxEvent {
  StreamEvent event;
  double occurred_at_epoch = 0;  // seconds since the epoch (for the outbox lag metric)
};

// Rows of every tenant with seq > after_seq below the horizon, ascending, at most `limit`.
// Runs one short read transaction bound to "system" on `conn`. Throws pqxx errors.
// The envelope JSON (the costly part: a parse and a dump per event) is built only for rows
// whose tenant `wanted` accepts; the others come back with an empty event.json. No `wanted`:
// every row.
using TenantFilter = std::function<bool(const std::string& tenant)>;
std::vector<OutboxEvent> readAllTenants(pqxx::connection& conn, uint64_t after_seq,
                                        std::size_t limit, const TenantFilter& wanted = {});

// Only the seq and occurred_at of the same rows (event.json and the routing fields empty): how
// the feeder advances its cursor and lag metric while nobody listens, without moving bodies.
std::vector<OutboxEvent> readPositions(pqxx::connection& conn, uint64_t after_seq,
                                       std::size_t limit);

// The largest seq below the horizon (0 when there is none): where a "new events only"
// cursor starts.
uint64_t visibleMaxSeq(pqxx::connection& conn);

// Whether committed rows sit at or above the horizon (an older transaction is still open, so
// they cannot be read yet): they become readable when it ends, which may raise no
// notification. One probe of the seq index.
bool eventsHeldBack(pqxx::connection& conn);

// The same rows, read inside a caller's transaction (je.events 1.5 read_after): what the
// transaction's tenant binding lets it see ("system": every tenant), seq > after_seq below the
// horizon, ascending, at most `limit`, each envelope handed to `visit` in order. The planner
// settings of kOrderedScanOnly are restored before it returns, so the caller's later
// statements plan as before. Returns how many were visited. Throws StoreError.
using EventVisitor = std::function<void(uint64_t seq, const std::string& envelope_json)>;
std::size_t readAfterInTransaction(Transaction& txn, uint64_t after_seq, std::size_t limit,
                                   const EventVisitor& visit);

// The hub's BacklogReader: rows of one tenant through the Store (tenant-bound, read-only).
// Throws on database errors (the hub then drops the subscriber, who resumes later).
BacklogReader makeBacklogReader(Store& store);

}  // namespace jobengine::host
