// StreamHub, Subscription and StreamFilter implementations (see stream_hub.hpp for the
// ordering and locking rules).
#include "stream/stream_hub.hpp"

#include <algorithm>
#include <exception>

namespace jobengine::host {

bool StreamFilter::matches(const StreamEvent& e) const {
  if (!run_id.empty() && e.run_id != run_id) {
    return false;
  }
  if (!job_id.empty() && e.job_id != job_id) {
    return false;
  }
  if (!source_id.empty() && e.source_id != source_id) {
    return false;
  }
  if (types.empty()) {
    return true;
  }
  for (const auto& t : types) {
    if (t.size() >= 2 && t.compare(t.size() - 2, 2, ".*") == 0) {
      if (e.type.compare(0, t.size() - 1, t, 0, t.size() - 1) == 0) {
        return true;
      }
    } else if (e.type == t) {
      return true;
    }
  }
  return false;
}

Result<StreamFilter, HttpError> StreamFilter::fromQuery(
    const std::vector<std::pair<std::string, std::string>>& query) {
  StreamFilter f;
  for (const auto& [name, value] : query) {
    const bool known = name == "runId" || name == "jobId" || name == "sourceId" || name == "types";
    if (known && value.size() > 1024) {
      return fail(makeHttpError(400, "INVALID_FILTER", name + ": longer than 1024 characters",
                                {{"parameter", name}}));
    }
    if (name == "runId") {
      f.run_id = value;
    } else if (name == "jobId") {
      f.job_id = value;
    } else if (name == "sourceId") {
      f.source_id = value;
    } else if (name == "types") {
      std::size_t start = 0;
      while (start <= value.size()) {
        const auto comma = value.find(',', start);
        std::string t = value.substr(start, comma == std::string::npos ? comma : comma - start);
        if (!t.empty()) {
          const auto star = t.find('*');
          if (star != std::string::npos &&
              (star + 1 != t.size() || star == 0 || t[star - 1] != '.')) {
            return fail(
                makeHttpError(400, "INVALID_FILTER",
                              "types: '" + t + "' is not an event type or a prefix like 'job.*'",
                              {{"parameter", "types"}}));
          }
          f.types.push_back(std::move(t));
        }
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
    }
  }
  return f;
}

Subscription::Subscription(std::string tenant, StreamFilter filter, std::optional<uint64_t> after,
                           std::function<void()> notify, std::size_t capacity)
    : tenant_(std::move(tenant)),
      filter_(std::move(filter)),
      notify_(std::move(notify)),
      capacity_(capacity == 0 ? 1 : capacity),
      last_seq_(after.value_or(0)) {}

uint64_t Subscription::lastSeq() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return last_seq_;
}

Subscription::State Subscription::state() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

Subscription::State Subscription::poll(std::vector<StreamEventPtr>& out, std::size_t max) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (state_ == State::kOpen && catching_up_ && queue_.empty()) {
    const uint64_t from = last_seq_;
    const uint64_t overflow_mark = live_overflows_;
    const std::size_t limit = std::min(backlog_batch_, capacity_);
    lock.unlock();
    std::vector<StreamEvent> batch;
    try {
      batch = backlog_(tenant_, from, limit);
    } catch (const std::exception&) {
      // The outbox could not be read (database down): drop the subscriber rather than end its
      // catch-up early, which would skip events; it resumes later with its last id.
      lock.lock();
      state_ = State::kDropped;
      queue_.clear();
      live_buffer_.clear();
      return state_;
    }
    lock.lock();
    for (auto& e : batch) {
      if (e.seq > last_seq_) {
        last_seq_ = e.seq;
        if (filter_.matches(e)) {
          queue_.push_back(std::make_shared<const StreamEvent>(std::move(e)));
        }
      }
    }
    // Caught up when the backlog had nothing more and no live event was lost meanwhile: every
    // event published after registration is either in the backlog read or in live_buffer_.
    if (batch.size() < limit && live_overflows_ == overflow_mark) {
      for (auto& e : live_buffer_) {
        if (e->seq > last_seq_) {
          last_seq_ = e->seq;
          if (filter_.matches(*e)) {
            queue_.push_back(std::move(e));
          }
        }
      }
      live_buffer_.clear();
      catching_up_ = false;
    }
  }
  if (state_ != State::kOpen) {
    return state_;
  }
  while (!queue_.empty() && out.size() < max) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return state_;
}

bool Subscription::offer(const StreamEventPtr& e, bool& dropped_now) {
  const std::lock_guard<std::mutex> lock(mutex_);
  dropped_now = false;
  if (state_ != State::kOpen) {
    return false;
  }
  if (catching_up_) {
    if (live_buffer_.size() >= capacity_) {
      live_buffer_.clear();  // the backlog will cover these; see poll()
      ++live_overflows_;
    }
    live_buffer_.push_back(e);
    return false;  // the consumer is polling the backlog and will merge
  }
  if (e->seq <= last_seq_) {
    return false;
  }
  last_seq_ = e->seq;
  if (!filter_.matches(*e)) {
    return false;
  }
  if (queue_.size() >= capacity_) {
    state_ = State::kDropped;
    queue_.clear();
    dropped_now = true;
    return true;
  }
  queue_.push_back(e);
  return queue_.size() == 1;
}

void Subscription::terminate(State state) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != State::kOpen) {
      return;
    }
    state_ = state;
    queue_.clear();
    live_buffer_.clear();
  }
  notify_();
}

StreamHub::StreamHub(BacklogReader backlog, StreamHubOptions options)
    : backlog_(std::move(backlog)), options_(std::move(options)) {}

StreamHub::~StreamHub() { closeAll(); }

std::shared_ptr<Subscription> StreamHub::subscribe(const std::string& tenant, StreamFilter filter,
                                                   std::optional<uint64_t> after,
                                                   std::function<void()> notify) {
  std::shared_ptr<Subscription> sub(new Subscription(tenant, std::move(filter), after,
                                                     std::move(notify), options_.queue_capacity));
  sub->backlog_ = backlog_;
  sub->backlog_batch_ = options_.backlog_batch == 0 ? 1 : options_.backlog_batch;
  sub->catching_up_ = after.has_value() && static_cast<bool>(backlog_);
  std::size_t count = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) {
      sub->state_ = Subscription::State::kClosed;
      return sub;
    }
    subs_.push_back(sub);
    subscriptions_made_.fetch_add(1);
    count = subs_.size();
  }
  if (options_.on_subscribers) {
    options_.on_subscribers(count);
  }
  return sub;
}

void StreamHub::removeLocked(const Subscription* sub) {
  subs_.erase(
      std::remove_if(subs_.begin(), subs_.end(), [sub](const auto& s) { return s.get() == sub; }),
      subs_.end());
}

void StreamHub::unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::size_t count = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto before = subs_.size();
    removeLocked(sub.get());
    if (before == subs_.size()) {
      return;
    }
    count = subs_.size();
  }
  if (options_.on_subscribers) {
    options_.on_subscribers(count);
  }
}

void StreamHub::publish(const StreamEvent& event) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& s : subs_) {
      if (s->tenant() == event.tenant) {
        targets.push_back(s);
      }
    }
  }
  if (targets.empty()) {
    return;
  }
  const auto shared = std::make_shared<const StreamEvent>(event);
  std::vector<std::shared_ptr<Subscription>> dropped;
  for (const auto& s : targets) {
    bool dropped_now = false;
    if (s->offer(shared, dropped_now)) {
      s->notify_();
    }
    if (dropped_now) {
      dropped.push_back(s);
    }
  }
  if (dropped.empty()) {
    return;
  }
  std::size_t count = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& s : dropped) {
      removeLocked(s.get());
    }
    count = subs_.size();
  }
  dropped_ += dropped.size();
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    if (options_.on_dropped) {
      options_.on_dropped();
    }
  }
  if (options_.on_subscribers) {
    options_.on_subscribers(count);
  }
}

void StreamHub::closeAll() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    subs.swap(subs_);
  }
  for (const auto& s : subs) {
    s->terminate(Subscription::State::kClosed);
  }
  if (!subs.empty() && options_.on_subscribers) {
    options_.on_subscribers(0);
  }
}

std::size_t StreamHub::subscriberCount() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return subs_.size();
}

std::set<std::string> StreamHub::subscribedTenants() const {
  std::set<std::string> out;
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& s : subs_) {
    out.insert(s->tenant());
  }
  return out;
}

}  // namespace jobengine::host
