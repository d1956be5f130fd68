// See signal_watchers.hpp.
#include "events/signal_watchers.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/host_handle.hpp"

namespace jobengine::host {
namespace {

constexpr std::size_t kMaxNameBytes = 63;

}  // namespace

std::optional<std::string> signalNameProblem(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return "signal name must be 1.." + std::to_string(kMaxNameBytes) + " bytes, got " +
           std::to_string(name.size());
  }
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return "signal name '" + std::string(name) + "' may only hold [a-z0-9._-]";
    }
  }
  return std::nullopt;
}

std::string joinSignalNames(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) {
      out += ',';
    }
    out += n;
  }
  return out;
}

void SignalWatchers::add(je_host* host, std::string name, je_signal_callback cb, void* user) {
  const std::lock_guard<std::mutex> lock(mutex_);
  watches_.push_back(Watch{host, std::move(name), cb, user});
}

std::size_t SignalWatchers::size() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return watches_.size();
}

std::size_t SignalWatchers::dispatch(std::string_view name) {
  std::vector<Watch> targets;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    // Watches of plugins that stopped (or failed) end here.
    watches_.erase(std::remove_if(watches_.begin(), watches_.end(),
                                  [](const Watch& w) { return !w.host->live(); }),
                   watches_.end());
    for (const auto& w : watches_) {
      if (w.name == name) {
        targets.push_back(w);
      }
    }
  }
  for (const auto& w : targets) {
    try {
      w.cb(w.user);
    } catch (...) {
      // A C callback must not throw; a C++ plugin that does anyway only loses this call.
      if (w.host->logger) {
        w.host->logger->error("signal '{}' watcher threw", w.name);
      }
    }
  }
  return targets.size();
}

void SignalWatchers::dispatchPayload(std::string_view payload) {
  while (!payload.empty()) {
    const std::size_t comma = payload.find(',');
    dispatch(payload.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    payload.remove_prefix(comma + 1);
  }
}

}  // namespace jobengine::host
