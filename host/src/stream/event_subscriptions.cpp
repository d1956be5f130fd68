// See event_subscriptions.hpp.
#include "stream/event_subscriptions.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "core/abi_errors.hpp"
#include "core/host_handle.hpp"

namespace jobengine::host {

void EventSubscriptions::add(je_host* host, int64_t after_seq, je_event_callback cb, void* user) {
  auto sub = std::make_shared<Sub>();
  sub->host = host;
  sub->cb = cb;
  sub->user = user;
  if (after_seq >= 0) {
    sub->cursor = static_cast<uint64_t>(after_seq);
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  subs_.push_back(std::move(sub));
}

std::size_t EventSubscriptions::size() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return subs_.size();
}

std::vector<std::shared_ptr<EventSubscriptions::Sub>> EventSubscriptions::snapshot() {
  const std::lock_guard<std::mutex> lock(mutex_);
  // Subscriptions of plugins that stopped (or failed) end here.
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(),
                             [](const std::shared_ptr<Sub>& s) { return !alive(*s); }),
              subs_.end());
  return subs_;
}

bool EventSubscriptions::alive(const Sub& sub) { return sub.host->live(); }

void EventSubscriptions::call(Sub& sub, const OutboxEvent& event) {
  sub.cursor = event.event.seq;
  try {
    sub.cb(sub.user, static_cast<int64_t>(event.event.seq), event.event.json.data(),
           event.event.json.size());
  } catch (...) {
    // A C callback must not throw; a C++ plugin that does anyway only loses this call.
    if (sub.host->logger) {
      sub.host->logger->error("event callback threw at seq {}", event.event.seq);
    }
  }
}

void EventSubscriptions::catchUp(const RangeReader& read, uint64_t position) {
  for (auto& sub : snapshot()) {
    if (!sub->cursor) {
      sub->cursor = position;  // "new only": everything after the feeder's current position
      continue;
    }
    while (*sub->cursor < position && alive(*sub)) {
      const uint64_t from = *sub->cursor;
      const std::vector<OutboxEvent> batch = read(from, 1000);
      for (const auto& e : batch) {
        if (e.event.seq > position) {
          break;  // the feeder delivers these itself
        }
        call(*sub, e);
      }
      if (batch.empty() || batch.back().event.seq >= position || *sub->cursor == from) {
        sub->cursor = std::max(*sub->cursor, position);
        break;
      }
    }
  }
}

void EventSubscriptions::deliver(const OutboxEvent& event) {
  for (auto& sub : snapshot()) {
    if (sub->cursor && event.event.seq > *sub->cursor) {
      call(*sub, event);
    }
  }
}

je_status subscribeEvents(je_host* host, int64_t after_seq, je_event_callback cb, void* user,
                          char* err, uint32_t err_cap) {
  try {
    if (host == nullptr || cb == nullptr) {
      fillError(err, err_cap, "je.events.subscribe: host and callback are required");
      return JE_ERR_INVALID;
    }
    if (!host->maySubscribe()) {
      fillError(err, err_cap, "je.events.subscribe: allowed only inside create() or start()");
      return JE_ERR_STATE;
    }
    if (host->services == nullptr || host->services->event_subscriptions == nullptr) {
      fillError(err, err_cap, "je.events.subscribe: the event feed is not available");
      return JE_ERR_UNSUPPORTED;
    }
    host->services->event_subscriptions->add(host, after_seq, cb, user);
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, e.what());
    return JE_ERR_INTERNAL;
  }
}

}  // namespace jobengine::host
