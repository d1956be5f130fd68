// stream_bench: delivery throughput, latency and drops of the SSE streams on the real engine.
//
// Starts `jobengine serve` on a private PostgreSQL cluster under a temp dir, opens N SSE
// subscribers (raw non-blocking sockets on one epoll thread), then commits events into the outbox
// through libpq at a fixed rate (one transaction per event, each carrying its publish time in
// data.pubNs) and reports delivered events/s, publish-to-receive latency p50/p99 and how many
// subscribers the engine dropped as slow consumers. Usage:
//   stream_bench [--subscribers N] [--rate EVENTS_PER_S] [--seconds S]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "outbox_writer.hpp"

using namespace jobengine::testing;

namespace {

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Sub {
  int fd = -1;
  bool head_done = false;
  bool closed = false;
  std::string buf;
};

struct Results {
  uint64_t delivered = 0;
  uint64_t closed = 0;
  std::vector<int64_t> latencies_ns;
};

// Consumes complete frames in s.buf; records one latency per event.
void parseFrames(Sub& s, Results& r) {
  if (!s.head_done) {
    const auto end = s.buf.find("\r\n\r\n");
    if (end == std::string::npos) {
      return;
    }
    s.head_done = true;
    s.buf.erase(0, end + 4);
  }
  std::size_t start = 0;
  for (;;) {
    const auto end = s.buf.find("\n\n", start);
    if (end == std::string::npos) {
      break;
    }
    const auto key = s.buf.find("\"pubNs\":", start);
    if (key != std::string::npos && key < end) {
      const int64_t pub = std::strtoll(s.buf.c_str() + key + 8, nullptr, 10);
      r.latencies_ns.push_back(nowNs() - pub);
      ++r.delivered;
    }
    start = end + 2;
  }
  s.buf.erase(0, start);
}

int connectTo(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

double percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) {
    return 0;
  }
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int subscribers = 1000;
  int rate = 1000;
  int seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--subscribers") {
      subscribers = value;
    } else if (flag == "--rate") {
      rate = value;
    } else if (flag == "--seconds") {
      seconds = value;
    }
  }
  EngineOptions options;
  options.name = "stream_bench";
  // The database is a private cluster in a temp dir (ThrowawayPostgres, fsync off), so the
  // bench can commit into the outbox through its superuser DSN.
  EngineProcess engine(options);
  engine.start();
  std::printf("engine ready: REST %u streams %u\n", engine.restPort(), engine.streamPort());

  const std::string tenant = "bench";
  const std::string request =
      "GET /api/v1/jobengine/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Accept: text/event-stream\r\nAuthorization: Bearer " +
      devToken(tenant, "orch:read") + "\r\n\r\n";
  const int ep = ::epoll_create1(0);
  std::vector<Sub> subs(static_cast<std::size_t>(subscribers));
  for (std::size_t i = 0; i < subs.size(); ++i) {
    subs[i].fd = connectTo(engine.streamPort());
    if (subs[i].fd < 0) {
      std::fprintf(stderr, "connect %zu failed\n", i);
      return 1;
    }
    (void)::send(subs[i].fd, request.data(), request.size(), MSG_NOSIGNAL);
    ::fcntl(subs[i].fd, F_SETFL, ::fcntl(subs[i].fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
  }

  Results results;
  std::atomic<bool> publishing{true};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    std::vector<epoll_event> events(256);
    char chunk[65536];
    while (!done.load()) {
      const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
      for (int k = 0; k < n; ++k) {
        Sub& s = subs[events[static_cast<std::size_t>(k)].data.u64];
        for (;;) {
          const ssize_t got = ::recv(s.fd, chunk, sizeof chunk, 0);
          if (got > 0) {
            s.buf.append(chunk, static_cast<std::size_t>(got));
            continue;
          }
          if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            if (!s.closed) {
              s.closed = true;
              ++results.closed;
              ::epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
            }
          }
          break;
        }
        parseFrames(s, results);
      }
    }
  });
  // Let every subscriber register before the first event.
  std::this_thread::sleep_for(std::chrono::seconds(2));

  OutboxWriter writer(engine.databaseDsn());
  const int64_t total = static_cast<int64_t>(rate) * seconds;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < total; ++i) {
    const auto due = start + std::chrono::nanoseconds(i * 1000000000LL / rate);
    std::this_thread::sleep_until(due);
    OutboxRow row;
    row.tenant = tenant;
    row.type = "job.progress";
    row.body_json = "{\"data\":{\"pubNs\":" + std::to_string(nowNs()) + "}}";
    writer.append(row);
  }
  const double publish_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  publishing = false;
  // Drain: wait until every open subscriber has everything, bounded.
  const uint64_t expected = static_cast<uint64_t>(total) * static_cast<uint64_t>(subscribers);
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (results.delivered + results.closed * static_cast<uint64_t>(total) >= expected) {
      break;
    }
  }
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done = true;
  reader.join();
  std::printf("subscribers %d, rate %d/s for %d s: published %lld events in %.2f s\n", subscribers,
              rate, seconds, static_cast<long long>(total), publish_s);
  std::printf("delivered %llu of %llu (%.0f events/s over %.2f s)\n",
              static_cast<unsigned long long>(results.delivered),
              static_cast<unsigned long long>(expected),
              static_cast<double>(results.delivered) / elapsed_s, elapsed_s);
  std::printf("latency p50 %.2f ms, p99 %.2f ms\n", percentile(results.latencies_ns, 0.50),
              percentile(results.latencies_ns, 0.99));
  std::printf("dropped subscribers (connection closed): %llu\n",
              static_cast<unsigned long long>(results.closed));
  for (auto& s : subs) {
    if (s.fd >= 0) {
      ::close(s.fd);
    }
  }
  return 0;
}
