// StreamPump implementation: an epoll loop over the pump's own socket duplicates, the head
// with send() and the body with sendfile() as far as each socket takes it (see
// stream_pump.hpp for why it bypasses Pistache's write queue).
#include "http/stream_pump.hpp"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace jobengine::host {
namespace {

// One sendfile() call moves at most this much; the socket's free space usually ends it first.
constexpr uint64_t kSendfileBytes = 4 * 1024 * 1024;
constexpr int kMaxEvents = 64;
// How often stalled downloads are looked for when nothing else wakes the pump.
constexpr int kStallCheckMs = 1000;

void wake(int fd) {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof(one));  // a full counter still wakes
}

}  // namespace

StreamPump::~StreamPump() { stop(); }

void StreamPump::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) {
    return;
  }
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_fd_ < 0 || wake_fd_ < 0 || ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    const std::string reason = std::strerror(errno);  // NOLINT(concurrency-mt-unsafe)
    if (epoll_fd_ >= 0) {
      ::close(epoll_fd_);
    }
    if (wake_fd_ >= 0) {
      ::close(wake_fd_);
    }
    epoll_fd_ = wake_fd_ = -1;
    throw std::runtime_error("stream pump: cannot create its epoll set: " + reason);
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
  wake(wake_fd_);
  return true;
}

void StreamPump::stop() {
  bool was_started = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    was_started = started_;
  }
  if (was_started) {
    wake(wake_fd_);
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  // The pump thread is gone: what is left is abandoned, here.
  for (auto& d : incoming_) {
    Active a(std::move(d));
    finish(a, false);
  }
  incoming_.clear();
  for (auto& [socket, a] : active_) {
    finish(*a, false);
  }
  active_.clear();
  if (epoll_fd_ >= 0) {
    ::close(epoll_fd_);
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
  }
  epoll_fd_ = wake_fd_ = -1;
}

void StreamPump::finish(Active& a, bool complete) {
  // The duplicate first: once `finished` ran, a drain may end and the server stop.
  if (a.d.socket >= 0) {
    ::close(a.d.socket);
    a.d.socket = -1;
  }
  if (a.d.finished) {
    try {
      a.d.finished(a.d, complete, a.offset);
    } catch (...) {  // NOLINT(bugprone-empty-catch): the pump must go on with the others
    }
  }
  a.d.body.reset();  // closes the spool file (or the plugin's file)
}

void StreamPump::end(int socket, bool complete) {
  const auto it = active_.find(socket);
  if (it == active_.end()) {
    return;
  }
  std::unique_ptr<Active> a = std::move(it->second);
  active_.erase(it);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
  finish(*a, complete);
}

StreamPump::Step StreamPump::write(Active& a) {
  const int socket = a.d.socket;
  while (a.head_sent < a.d.head.size()) {
    const ssize_t n = ::send(socket, a.d.head.data() + a.head_sent, a.d.head.size() - a.head_sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      a.head_sent += static_cast<size_t>(n);
      a.progress_at = std::chrono::steady_clock::now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Step::kWaiting;
    } else {
      return Step::kGone;
    }
  }
  const uint64_t size = a.d.body->size();
  while (a.offset < size) {
    auto offset = static_cast<off_t>(a.offset);
    const auto want = static_cast<size_t>(std::min(size - a.offset, kSendfileBytes));
    const ssize_t n = ::sendfile(socket, a.d.body->fd(), &offset, want);
    if (n > 0) {
      a.offset += static_cast<uint64_t>(n);
      a.progress_at = std::chrono::steady_clock::now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Step::kWaiting;
    } else {
      return Step::kGone;  // the client is gone (EPIPE, ECONNRESET) or the file shrank (0)
    }
  }
  return Step::kDone;
}

void StreamPump::adopt(std::vector<Download> downloads) {
  for (auto& d : downloads) {
    auto a = std::make_unique<Active>(std::move(d));
    const int socket = a->d.socket;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLET;  // edge: told again once a full socket has room
    ev.data.fd = socket;
    if (socket < 0 || !a->d.body || active_.count(socket) != 0 ||
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket, &ev) != 0) {
      finish(*a, false);
      continue;
    }
    active_.emplace(socket, std::move(a));
    const Step s = write(*active_.at(socket));
    if (s != Step::kWaiting) {
      end(socket, s == Step::kDone);
    }
  }
}

void StreamPump::run() {
  // sendfile() has no MSG_NOSIGNAL: a write to a closed connection must come back as EPIPE
  // here, not as a SIGPIPE (the engine ignores it anyway; a test binary may not).
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  std::array<epoll_event, kMaxEvents> events{};
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, kStallCheckMs);
    if (n < 0 && errno != EINTR) {
      return;  // the epoll set itself failed; stop() abandons what is left
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == wake_fd_) {
        uint64_t count = 0;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &count, sizeof(count));
        std::vector<Download> taken;
        {
          std::lock_guard lock(mutex_);
          if (stopping_) {
            return;
          }
          taken.swap(incoming_);
        }
        adopt(std::move(taken));
        continue;
      }
      const auto it = active_.find(fd);
      if (it == active_.end()) {
        continue;
      }
      const Step s = write(*it->second);
      if (s != Step::kWaiting) {
        end(fd, s == Step::kDone);
      }
    }
    const auto stalled_before = std::chrono::steady_clock::now() - kStallTimeout;
    std::vector<int> stalled;
    for (const auto& [socket, a] : active_) {
      if (a->progress_at < stalled_before) {
        stalled.push_back(socket);
      }
    }
    for (const int socket : stalled) {
      end(socket, false);
    }
  }
}

}  // namespace jobengine::host
