// SignalWatchers: the receiving side of je.events wake-up signals (abi.h 1.1, signal/watch).
//
// A plugin that makes work visible in one replica (the scheduler enqueueing a job) raises a
// named signal after its commit; the EventNotifier carries the names as the payload of its
// coalesced `jobengine_events` NOTIFY, and every replica's outbox feeder, which LISTENs on
// that channel anyway, hands each name to dispatch() here. So an idle claimer in another
// replica wakes within milliseconds instead of at its next poll (DESIGN §5), and no plugin
// needs a connection of its own.
// Threads: add() from plugin threads inside create()/start(); dispatch() from the feeder thread
// only; callbacks run on it, unlocked, and must return quickly. A watch ends when its plugin
// leaves the running phases (checked at every dispatch, like EventSubscriptions).
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

class SignalWatchers {
 public:
  void add(je_host* host, std::string name, je_signal_callback cb, void* user);
  // Calls every live watcher of name; returns how many were called.
  std::size_t dispatch(std::string_view name);
  // A NOTIFY payload: names joined by ','; calls dispatch() for each.
  void dispatchPayload(std::string_view payload);
  std::size_t size() const;

 private:
  struct Watch {
    je_host* host = nullptr;
    std::string name;
    je_signal_callback cb = nullptr;
    void* user = nullptr;
  };
  mutable std::mutex mutex_;
  std::vector<Watch> watches_;
};

// Why a signal name is refused ("" when it is fine): 1..63 bytes of [a-z0-9._-], so names
// can be joined by ',' in one NOTIFY payload.
std::optional<std::string> signalNameProblem(std::string_view name);

// NOTIFY payload for a set of names (sorted, ',' between); "" for none.
std::string joinSignalNames(const std::set<std::string>& names);

}  // namespace jobengine::host
