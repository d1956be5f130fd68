// Plugin subscriptions to committed events (je.events v1 `subscribe`, abi.h): the audit plugin
// chains every event of every tenant into its ledger this way.
//
// A plugin subscribes only inside create() or start(), with after_seq (-1: only new events).
// The outbox feeder thread is the only caller of catchUp() and deliver(): it first reads, for
// each subscription whose cursor is behind its own position, the outbox rows in between
// (readAllTenants, so the same horizon rule applies), then hands every new row to every
// subscription in seq order. Each callback therefore sees every event exactly once, in seq
// order, from one thread. A subscription ends when its plugin leaves the running phases (the
// engine also stops the feeder before any plugin stops, so no callback runs during stop()).
// Locking: mutex_ guards subs_; cursors belong to the feeder thread; callbacks run unlocked.
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "stream/outbox_reader.hpp"

namespace jobengine::host {

class EventSubscriptions {
 public:
  // Reads rows of every tenant with seq > after, ascending, at most limit (feeder thread).
  using RangeReader = std::function<std::vector<OutboxEvent>(uint64_t after, std::size_t limit)>;

  // Registers a callback; after_seq < 0 means "only events committed from now on".
  void add(je_host* host, int64_t after_seq, je_event_callback cb, void* user);
  // Feeder thread: brings every subscription behind `position` up to it.
  void catchUp(const RangeReader& read, uint64_t position);
  // Feeder thread: one new event (seq increasing across calls).
  void deliver(const OutboxEvent& event);
  std::size_t size() const;

 private:
  struct Sub {
    je_host* host = nullptr;
    je_event_callback cb = nullptr;
    void* user = nullptr;
    std::optional<uint64_t> cursor;  // last seq delivered; nullopt: "new only", not yet placed
  };
  std::vector<std::shared_ptr<Sub>> snapshot();
  static bool alive(const Sub& sub);
  static void call(Sub& sub, const OutboxEvent& event);

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Sub>> subs_;
};

// The je.events v1 `subscribe` function (b1's vtable points at it). Fails with JE_ERR_STATE
// outside create()/start() and JE_ERR_INVALID for a null callback.
je_status subscribeEvents(je_host* host, int64_t after_seq, je_event_callback cb, void* user,
                          char* err, uint32_t err_cap);

}  // namespace jobengine::host
