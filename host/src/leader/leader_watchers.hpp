// LeaderWatchers: who is told when this replica gains or loses leadership (je.leader v1
// watch, abi.h 1.2), and the host's own observers.
//
// Every call happens on the elector's thread (dispatch), so a watcher sees its calls in
// order: first the state at the time it was primed (once, soon after add), then every change.
// A plugin's watch ends when the plugin leaves the running phases (je_host::live(), checked
// at every dispatch, like SignalWatchers); the engine also stops the elector before any
// plugin's stop(), so no callback runs while a plugin stops or after it is destroyed.
// Threads: add() from any thread; dispatch() from one thread only (the elector's); callbacks
// run without mutex_ held and must return quickly.
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace jobengine::host {

// je_leader_v1.watch's callback.
using LeaderCallback = void (*)(void* user, int32_t is_leader, int64_t epoch);
// A host-side observer (host code that acts on leadership; tests).
using LeaderObserver = std::function<void(bool is_leader, int64_t epoch)>;

class LeaderWatchers {
 public:
  // host: the plugin whose watch this is (its liveness ends the watch), or nullptr for a
  // host observer that lasts as long as the elector.
  void add(je_host* host, LeaderCallback cb, void* user);
  void add(LeaderObserver observer);
  // Calls every watcher not yet primed with (is_leader, epoch) and, when changed, every other
  // watcher too. Returns how many were called.
  std::size_t dispatch(bool is_leader, int64_t epoch, bool changed);

 private:
  struct Watch {
    je_host* host = nullptr;
    LeaderObserver call;
    bool primed = false;  // guarded by mutex_
  };
  std::mutex mutex_;
  std::vector<std::shared_ptr<Watch>> watches_;
};

}  // namespace jobengine::host
