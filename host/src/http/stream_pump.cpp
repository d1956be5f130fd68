// StreamPump implementation: the pump thread's loop, one write in flight per download, and
// the polling of write promises (see stream_pump.hpp for why).
#include "http/stream_pump.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace jobengine::host {
namespace {

// Nothing tells the pump that a write settled (it must not continue Pistache's promise), so
// it looks: soon after progress, backing off to kMaxPoll while every download waits on a slow
// client, so an idle pump costs nothing and a waiting one very little.
constexpr std::chrono::microseconds kMinPoll{50};
constexpr std::chrono::microseconds kMaxPoll{5000};

// Reads exactly len bytes at offset; false on a short read (the file shrank) or an error.
bool readAt(int fd, char* out, uint64_t len, uint64_t offset) {
  while (len > 0) {
    const ssize_t n = ::pread(fd, out, static_cast<size_t>(len), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    out += n;
    len -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

StreamPump::~StreamPump() { stop(); }

void StreamPump::start() {
  std::lock_guard lock(mutex_);
  if (started_) {
    return;
  }
  started_ = true;
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "je-http-pump");
}

bool StreamPump::add(Download&& download) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !started_) {
      return false;
    }
    incoming_.push_back(std::move(download));
  }
  wake_.notify_one();
  return true;
}

void StreamPump::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
  // The pump thread is gone: what is left here and in incoming_ is abandoned.
  for (auto& d : incoming_) {
    active_.emplace_back(std::move(d));
  }
  incoming_.clear();
  for (auto& a : active_) {
    finish(a, false);
  }
  active_.clear();
}

void StreamPump::finish(Active& a, bool complete) {
  a.pending.reset();
  if (a.d.finished) {
    try {
      a.d.finished(a.d, complete, a.offset);
    } catch (...) {  // NOLINT(bugprone-empty-catch): the pump must go on with the others
    }
  }
  a.d.body.reset();  // closes the spool file (or the plugin's file)
}

StreamPump::Step StreamPump::step(Active& a) {
  if (a.pending) {
    if (a.pending->isPending()) {
      // Pistache drops a write to a closed connection without settling its promise; the
      // connection's peer going away is how we learn it.
      return a.d.peer.expired() ? Step::kGone : Step::kWaiting;
    }
    if (a.pending->isRejected()) {
      return Step::kGone;
    }
    a.pending.reset();
  }
  if (!a.d.body) {
    return Step::kGone;
  }
  const uint64_t size = a.d.body->size();
  if (a.head_sent && a.offset >= size) {
    return Step::kDone;
  }
  const std::shared_ptr<Pistache::Tcp::Peer> peer = a.d.peer.lock();
  if (!peer) {
    return Step::kGone;
  }
  std::string buffer;
  if (!a.head_sent) {
    buffer = std::move(a.d.head);
  }
  const uint64_t n = std::min(kChunkBytes, size - a.offset);
  const size_t at = buffer.size();
  buffer.resize(at + static_cast<size_t>(n));
  if (n > 0 && !readAt(a.d.body->fd(), buffer.data() + at, n, a.offset)) {
    return Step::kGone;  // the file changed under us: the promised length cannot be kept
  }
  a.offset += n;
  a.head_sent = true;
  const size_t length = buffer.size();
  a.pending.emplace(peer->send(Pistache::RawBuffer(std::move(buffer), length)));
  return Step::kPushed;
}

void StreamPump::run() {
  std::chrono::microseconds poll = kMinPoll;
  bool progressed = true;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      const auto ready = [this] { return stopping_ || !incoming_.empty(); };
      if (active_.empty()) {
        wake_.wait(lock, ready);
      } else if (!progressed) {
        wake_.wait_for(lock, poll, ready);
      }
      if (stopping_) {
        return;
      }
      for (auto& d : incoming_) {
        active_.emplace_back(std::move(d));
      }
      incoming_.clear();
    }
    progressed = false;
    for (auto it = active_.begin(); it != active_.end();) {
      const Step s = step(*it);
      if (s == Step::kDone || s == Step::kGone) {
        finish(*it, s == Step::kDone);
        it = active_.erase(it);
        progressed = true;
        continue;
      }
      progressed = progressed || s == Step::kPushed;
      ++it;
    }
    poll = progressed ? kMinPoll : std::min(kMaxPoll, poll * 2);
  }
}

}  // namespace jobengine::host
