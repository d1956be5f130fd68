// Stress for the REST drain (issue #19): many concurrent keep-alive clients on the real engine,
// a quarter of them hanging up in the middle of their request (half with a reset, half with a
// plain close), while the engine drains on SIGTERM. It checks what the REST layer promises:
// every reply that arrives is whole (status line, headers, exactly Content-Length bytes of a
// JSON body the route really answers), every request sent before the signal is answered (the
// drain waits for in-flight work), new requests during the drain get 503 SHUTTING_DOWN, the
// drain ends long before its deadline (a reply whose completion was lost would hold it there),
// and the engine exits 0: no crash, and under ThreadSanitizer no report (make test-tsan).
//
// The clients speak HTTP/1.1 over raw sockets rather than libcurl so that a torn reply (bytes,
// then EOF) is told apart from no reply at all, and so that a client can reset its connection.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api_support.hpp"

namespace jobengine::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr int kClients = 32;  // kClients / 4 of them hang up mid-request
constexpr int kSlowMs = 20;   // what a reading client's slow request asks for
// A hang-up client abandons its request 5-19 ms after sending it, while the handler still
// sleeps (or waits for a worker), then pauses: the abandoned work still costs the workers, and
// 8 such clients must leave room for the readers (4 workers).
constexpr int kHangupSlowMs = 30;
constexpr auto kHangupPause = std::chrono::milliseconds(100);
constexpr auto kLoadBeforeSignal = std::chrono::milliseconds(1500);
constexpr int kDrainTimeoutMs = 60000;
// The drain has kDrainTimeoutMs; a healthy one takes well under a second here (a few seconds
// under ThreadSanitizer). Exiting later than this means the drain waited for something that
// never came.
constexpr auto kExitWithin = std::chrono::seconds(30);

// Tallies of one client, merged at the end.
struct Tally {
  int whole_ok = 0;                   // 200 with the body the route answers
  int whole_refused = 0;              // 503 SHUTTING_DOWN envelope
  int unanswered = 0;                 // no byte at all, then the connection closed
  int hung_up = 0;                    // requests this client abandoned mid-request
  std::vector<std::string> failures;  // torn or unexpected replies, and why
};

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// A connected socket to 127.0.0.1:port, or -1 (errno set).
int connectTo(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  timeval timeout{};
  timeout.tv_sec = 20;  // a reply stalled this long is a failure, not a hang of the test
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool sendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

// One reply read off a keep-alive connection.
struct Answer {
  enum Kind { kWhole, kNone, kTorn } kind = kNone;
  int status = 0;
  std::string body;
  std::string raw;  // what arrived, for failure messages
};

Answer readAnswer(int fd) {
  Answer a;
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  char chunk[8192];
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = a.raw.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = a.raw.substr(0, header_end);
        for (char& c : head) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        const size_t cl = head.find("\r\ncontent-length:");
        if (head.rfind("http/1.1 ", 0) != 0 || cl == std::string::npos) {
          a.kind = Answer::kTorn;  // not a reply Pistache would write
          return a;
        }
        a.status = std::atoi(head.c_str() + 9);
        content_length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
      }
    }
    if (header_end != std::string::npos) {
      const size_t want = header_end + 4 + content_length;
      if (a.raw.size() >= want) {
        a.kind = a.raw.size() == want ? Answer::kWhole : Answer::kTorn;  // nothing extra
        a.body = a.raw.substr(header_end + 4);
        return a;
      }
    }
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n > 0) {
      a.raw.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    // EOF, reset, or the receive timeout: whatever arrived so far is all there is.
    a.kind = a.raw.empty() && !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ? Answer::kNone
                                                                                    : Answer::kTorn;
    return a;
  }
}

std::string request(const std::string& target, const std::string& token) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nX-StellaOps-Tenant: t1\r\n\r\n";
}

class Load {
 public:
  Load(uint16_t port, std::string token) : port_(port), token_(std::move(token)) {}

  void signalled() { signal_ns_ = nowNs(); }
  void finish() { stop_ = true; }
  bool afterSignal(int64_t t_ns) const {
    const int64_t s = signal_ns_.load();
    return s != 0 && t_ns >= s;
  }
  bool stopped() const { return stop_.load(); }

  // A client that reads every reply, alternating a slow route and /healthz.
  void reader(Tally& t) {
    int fd = -1;
    for (int i = 0; !stopped(); ++i) {
      if (fd < 0) {
        fd = connectTo(port_);
        if (fd < 0) {
          if (!afterSignal(nowNs())) {
            t.failures.push_back(std::string("connect before the signal: ") + strerror(errno));
          }
          return;  // the engine is gone (or never was)
        }
      }
      const bool slow = i % 2 == 0;
      const std::string target =
          slow ? "/api/v1/jobengine/good/slow?ms=" + std::to_string(kSlowMs) : "/healthz";
      const int64_t sent_ns = nowNs();
      const bool sent = sendAll(fd, request(target, token_));
      const Answer a = sent ? readAnswer(fd) : Answer{};
      if (a.kind == Answer::kNone) {
        if (!afterSignal(sent_ns)) {
          t.failures.push_back(target + " sent before the signal got no reply");
        }
        ++t.unanswered;
        ::close(fd);
        fd = -1;
        continue;
      }
      if (a.kind == Answer::kTorn) {
        t.failures.push_back(target + ": torn reply: " + a.raw.substr(0, 300));
        ::close(fd);
        fd = -1;
        continue;
      }
      check(t, target, slow, a);
    }
    if (fd >= 0) {
      ::close(fd);
    }
  }

  // A client that sends a slow request and hangs up while it runs, then starts over.
  void hangup(Tally& t, int index) {
    for (int i = 0; !stopped(); ++i) {
      const int fd = connectTo(port_);
      if (fd < 0) {
        if (!afterSignal(nowNs())) {
          t.failures.push_back(std::string("connect before the signal: ") + strerror(errno));
        }
        return;
      }
      sendAll(fd,
              request("/api/v1/jobengine/good/slow?ms=" + std::to_string(kHangupSlowMs), token_));
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + (index * 7 + i) % 15));
      if ((index + i) % 2 == 0) {
        linger reset{};
        reset.l_onoff = 1;
        reset.l_linger = 0;  // close() sends RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
      }
      ::close(fd);
      ++t.hung_up;
      std::this_thread::sleep_for(kHangupPause);
    }
  }

 private:
  void check(Tally& t, const std::string& target, bool slow, const Answer& a) const {
    const Json body = Json::parse(a.body, nullptr, false);
    if (a.status == 200 && !body.is_discarded() &&
        body == (slow ? Json{{"slept_ms", kSlowMs}} : Json{{"status", "ok"}})) {
      ++t.whole_ok;
      return;
    }
    if (a.status == 503 && !body.is_discarded() && body.contains("error") &&
        body["error"].value("code", "") == "SHUTTING_DOWN") {
      ++t.whole_refused;
      return;
    }
    t.failures.push_back(target + ": unexpected reply: " + a.raw.substr(0, 300));
  }

  const uint16_t port_;
  const std::string token_;
  std::atomic<int64_t> signal_ns_{0};
  std::atomic<bool> stop_{false};
};

TEST(HttpDrainStressTest, ConcurrentClientsAndHangupsDuringASigtermDrain) {
  EngineOptions options = goodFixtureEngine("drain_stress");
  options.args.insert(options.args.end(),
                      {"--set", "http.drain_timeout_ms=" + std::to_string(kDrainTimeoutMs), "--set",
                       "http.reactor_threads=2"});
  EngineProcess engine(options);
  engine.start();
  Load load(engine.restPort(), craftToken(validClaims("t1", "orch:read")));

  std::vector<Tally> tallies(kClients);
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    if (i % 4 == 3) {
      clients.emplace_back(
          [&load, &tallies, i] { load.hangup(tallies[static_cast<size_t>(i)], i); });
    } else {
      clients.emplace_back([&load, &tallies, i] { load.reader(tallies[static_cast<size_t>(i)]); });
    }
  }
  std::this_thread::sleep_for(kLoadBeforeSignal);
  load.signalled();
  const auto signalled_at = Clock::now();
  engine.signal(SIGTERM);
  const int status = engine.wait(std::chrono::duration_cast<std::chrono::seconds>(kExitWithin));
  const auto exit_after = Clock::now() - signalled_at;
  load.finish();
  for (auto& c : clients) {
    c.join();
  }

  Tally total;
  for (const Tally& t : tallies) {
    total.whole_ok += t.whole_ok;
    total.whole_refused += t.whole_refused;
    total.unanswered += t.unanswered;
    total.hung_up += t.hung_up;
    total.failures.insert(total.failures.end(), t.failures.begin(), t.failures.end());
  }
  const std::string output = engine.output();
  std::cout << "[ stress   ] " << total.whole_ok << " whole 200, " << total.whole_refused
            << " whole 503, " << total.unanswered << " unanswered after the signal, "
            << total.hung_up << " hung up mid-request; exit "
            << std::chrono::duration_cast<std::chrono::milliseconds>(exit_after).count()
            << " ms after SIGTERM\n";

  EXPECT_EQ(status, 0) << "the engine did not exit 0 within "
                       << std::chrono::duration_cast<std::chrono::seconds>(kExitWithin).count()
                       << " s of SIGTERM\n"
                       << output;
  EXPECT_LT(exit_after, kExitWithin);
  EXPECT_EQ(output.find("drain timeout"), std::string::npos) << output;
  EXPECT_NE(output.find("received SIGTERM, draining"), std::string::npos) << output;
  EXPECT_TRUE(total.failures.empty())
      << total.failures.size()
      << " failure(s), first: " << (total.failures.empty() ? "" : total.failures.front());
  EXPECT_GT(total.whole_ok, kClients) << "the load never got going";
  EXPECT_GT(total.whole_refused, 0) << "no request was refused during the drain";
  EXPECT_GE(total.hung_up, kClients / 4) << "the hang-up clients never ran";
}

}  // namespace
}  // namespace jobengine::testing
