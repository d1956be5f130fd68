// je.events v1 append (the outbox, SPEC §6) and its host-side C++ form.
//
// The request metadata (actor, operator, requestId, traceId) is the transaction's
// (store/txn_actor.hpp), stored in the actor / request columns and folded into the envelope by
// jobengine.event_body() (migrations/host/0006); an appender's own values are dropped.
//
// appendEvent() inserts one orch.event.v1 row into jobengine.events inside the caller's
// transaction: seq from jobengine.reserve_event_seqs(1) (see migrations/host/0002_events.sql),
// tenant from the transaction (a "system" transaction must name tenantId in the event), the
// job/run/source ids lifted into columns, everything else in `body` together with the new
// eventId. Nothing is notified from inside the transaction: after a read-write transaction
// commits, the Store signals the EventNotifier (events/event_notifier.hpp), which wakes the
// feeders of every replica; a rolled-back transaction leaves no row and signals nothing.
//
// makeEventsService() fills the C vtable. `subscribe` belongs to the stream side
// (stream/event_subscriptions). `signal` and `watch` (ABI 1.1) are wake-up signals across
// replicas: signal hands a checked name to the EventNotifier (a no-op without one), watch
// registers with the SignalWatchers the outbox feeder dispatches to (events/signal_watchers).
// `read_after` (ABI 1.5) is the cursor read inside the caller's transaction
// (stream/outbox_reader's readAfterInTransaction: the same horizon and envelopes).
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/host_handle.hpp"

namespace jobengine::host {

class Transaction;

inline constexpr const char* kEventsChannel = "jobengine_events";

struct AppendedEvent {
  std::string event_id;  // urn:orch:event:<uuidv7>
  int64_t seq = 0;
};

// Throws StoreError (JE_ERR_INVALID for a bad envelope, database errors as mapped by Store).
AppendedEvent appendEvent(Transaction& txn, const nlohmann::json& partial);

// Appends several events in one statement, their seqs in the given order (je.events 1.2
// append_batch). All or nothing; same errors as appendEvent, naming the event's index.
std::vector<AppendedEvent> appendEvents(Transaction& txn,
                                        const std::vector<nlohmann::json>& partials);

je_events_v1 makeEventsService(je_host* host);

}  // namespace jobengine::host
