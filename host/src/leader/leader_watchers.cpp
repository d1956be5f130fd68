// See leader_watchers.hpp.
#include "leader/leader_watchers.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/host_handle.hpp"

namespace jobengine::host {

void LeaderWatchers::add(je_host* host, LeaderCallback cb, void* user) {
  auto watch = std::make_shared<Watch>();
  watch->host = host;
  watch->call = [cb, user](bool is_leader, int64_t epoch) { cb(user, is_leader ? 1 : 0, epoch); };
  const std::lock_guard<std::mutex> lock(mutex_);
  watches_.push_back(std::move(watch));
}

void LeaderWatchers::add(LeaderObserver observer) {
  auto watch = std::make_shared<Watch>();
  watch->call = std::move(observer);
  const std::lock_guard<std::mutex> lock(mutex_);
  watches_.push_back(std::move(watch));
}

std::size_t LeaderWatchers::dispatch(bool is_leader, int64_t epoch, bool changed) {
  std::vector<std::shared_ptr<Watch>> targets;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    // Watches of plugins that stopped (or failed) end here.
    watches_.erase(std::remove_if(watches_.begin(), watches_.end(),
                                  [](const std::shared_ptr<Watch>& w) {
                                    return w->host != nullptr && !w->host->live();
                                  }),
                   watches_.end());
    for (const auto& w : watches_) {
      if (changed || !w->primed) {
        targets.push_back(w);
      }
      w->primed = true;
    }
  }
  for (const auto& w : targets) {
    try {
      w->call(is_leader, epoch);
    } catch (...) {
      // A C callback must not throw; a C++ plugin that does anyway only loses this call.
      if (w->host != nullptr && w->host->logger) {
        w->host->logger->error("je.leader watcher threw");
      }
    }
  }
  return targets.size();
}

}  // namespace jobengine::host
