// Hostile HTTP clients against the real binary (issue 20): slow headers, a header flood,
// garbage pipelined after a valid request, clients that vanish mid-body, and 2,000 idle TCP
// connections. During each, a well-behaved client still gets `GET /readyz` and an authenticated
// `GET /api/v1/jobengine/jobs` answered on a fresh connection, and afterwards the engine is
// still alive and answering. The hostile clients are raw POSIX sockets so they can misbehave
// byte by byte. Latency bounds are generous sanity bounds (2 s), printed as measured.
//
// Descriptors: CI runs as root on Debian 12, where the soft RLIMIT_NOFILE is often 1024. The
// test raises its own soft limit to the hard one, and starts the engine with a soft limit of
// 1024 on purpose to check that `jobengine serve` raises its own (app/fd_limit.hpp).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIdleConnections = 2000;
// A starved or hung engine fails the probe (no answer within this), it does not hang the test.
// There is no tighter latency bound: the suite holds no wall-clock assertion (rule 5), and on a
// loaded 2-core CI machine a first probe after 2000 connections took 2.2 s; the latencies are
// printed for a reader instead.
constexpr long kProbeTimeoutMs = 10000;
constexpr const char* kTenant = "hostile";

// A raw TCP connection to 127.0.0.1:port; closed on destruction.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) {
      error_ = std::string("socket: ") + std::strerror(errno);
      return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      error_ = std::string("connect: ") + std::strerror(errno);
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // Sends everything; false once the peer closed or reset the connection.
  bool send(const std::string& data) {
    std::size_t sent = 0;
    while (fd_ >= 0 && sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) {
          continue;
        }
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    return fd_ >= 0;
  }
  // Reads what arrives within timeout (until the peer closes, or `until` is seen).
  std::string receive(std::chrono::milliseconds timeout, const std::string& until = "") {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    while (fd_ >= 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        break;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) {
        break;
      }
      char buf[8192];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
      if (!until.empty() && out.find(until) != std::string::npos) {
        break;
      }
    }
    return out;
  }
  // Closes with a reset instead of a FIN (SO_LINGER 0), like a client that crashed.
  void abort() {
    if (fd_ >= 0) {
      linger l{1, 0};
      setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      close(fd_);
      fd_ = -1;
    }
  }
  bool peerClosed() const { return closed_; }

  // Sends `chunk` over and over, up to max_bytes or until the engine answers (a refusal is
  // read while it is being sent); then waits up to `linger` for an answer that has not come.
  // Returns the bytes received; *sent gets the bytes sent.
  std::string flood(const std::string& chunk, std::size_t max_bytes,
                    std::chrono::milliseconds linger, std::size_t* sent) {
    std::string in;
    *sent = 0;
    while (fd_ >= 0 && !closed_ && *sent < max_bytes && in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (poll(&p, 1, 1000) <= 0) {
        continue;
      }
      if ((p.revents & POLLIN) != 0) {
        char buf[8192];
        const ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
          in.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EAGAIN) {
          closed_ = true;
        }
      }
      if ((p.revents & (POLLERR | POLLHUP)) != 0) {
        closed_ = true;
      } else if ((p.revents & POLLOUT) != 0) {
        const ssize_t n = ::send(fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
          *sent += static_cast<std::size_t>(n);
        } else if (n < 0 && errno != EAGAIN) {
          closed_ = true;
        }
      }
    }
    if (in.find("\r\n\r\n") == std::string::npos && !closed_) {
      in += receive(linger, "\r\n\r\n");
    }
    return in;
  }

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string error_;
};

// Raises this process's soft RLIMIT_NOFILE to at least `want` (up to the hard limit).
rlimit raiseOwnFdLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit;
}

// "Max open files" soft and hard limits of a process, from /proc/<pid>/limits.
std::pair<std::string, std::string> processFdLimits(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(std::string("Max open files").size()));
      std::string soft;
      std::string hard;
      fields >> soft >> hard;
      return {soft, hard};
    }
  }
  return {"", ""};
}

// VmRSS of a process as /proc prints it ("" when unreadable).
std::string vmRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      const std::size_t value = line.find_first_not_of(" \t", 6);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

std::size_t openDescriptors(pid_t pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

class HostileClientsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Start the engine with the soft limit CI may have (1024) to see it raise its own.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    const rlimit original = limit;
    engine_soft_before_ = limit.rlim_cur < 1024 ? limit.rlim_cur : 1024;
    limit.rlim_cur = engine_soft_before_;
    setrlimit(RLIMIT_NOFILE, &limit);
    EngineOptions options;
    options.name = "hostile";
    engine_ = std::make_unique<EngineProcess>(options);
    try {
      engine_->start();
    } catch (...) {
      setrlimit(RLIMIT_NOFILE, &original);
      throw;
    }
    setrlimit(RLIMIT_NOFILE, &original);
    const rlimit own = raiseOwnFdLimit();
    std::cout << "[hostile] test process RLIMIT_NOFILE soft " << own.rlim_cur << " hard "
              << own.rlim_max << "; engine started with soft " << engine_soft_before_ << std::endl;
  }
  static void TearDownTestSuite() { engine_.reset(); }

  // A well-behaved client on a fresh connection: /readyz and an authenticated job listing,
  // each answered 200 within the probe timeout. Prints the latencies under `label`.
  static void expectServed(const std::string& label) {
    static const std::string token = devToken(kTenant, "orch:read");
    HttpClient http(engine_->restPort());
    auto t0 = Clock::now();
    const Reply ready = http.call("GET", "/readyz", "", {}, kProbeTimeoutMs);
    const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    HttpClient http2(engine_->restPort());
    t0 = Clock::now();
    const Reply jobs = http2.call(
        "GET", "/api/v1/jobengine/jobs?page_size=5", "",
        {"Authorization: Bearer " + token, std::string("X-StellaOps-Tenant: ") + kTenant},
        kProbeTimeoutMs);
    const auto jobs_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    std::cout << "[hostile] " << label << ": GET /readyz " << ready.status << " in "
              << ready_ms.count() << " ms, GET /jobs " << jobs.status << " in " << jobs_ms.count()
              << " ms" << std::endl;
    EXPECT_EQ(ready.status, 200) << label << ": " << ready.body << ready.error;
    EXPECT_EQ(jobs.status, 200) << label << ": " << jobs.body << jobs.error;
  }

  static void expectAlive(const std::string& label) {
    EXPECT_EQ(engine_->wait(std::chrono::seconds(0)), -1) << label << ": the engine exited\n"
                                                          << engine_->output();
    expectServed(label + ", afterwards");
  }

  // Runs `hostile` on a thread and probes with a normal client while it runs (at least once,
  // then every 500 ms until it is done).
  static void probeWhile(const std::string& label, const std::function<void()>& hostile) {
    std::atomic<bool> done{false};
    std::thread attacker([&] {
      hostile();
      done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it get going
    int probes = 0;
    do {
      expectServed(label + " (during, probe " + std::to_string(++probes) + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } while (!done);
    attacker.join();
  }

  static std::unique_ptr<EngineProcess> engine_;
  static rlim_t engine_soft_before_;
};

std::unique_ptr<EngineProcess> HostileClientsTest::engine_;
rlim_t HostileClientsTest::engine_soft_before_ = 0;

// Lets the free helpers below reach the suite's engine and probe.
struct HostileClientsTestAccess : HostileClientsTest {
  static uint16_t port() { return engine_->restPort(); }
  static void probeWhile(const std::string& label, const std::function<void()>& hostile) {
    HostileClientsTest::probeWhile(label, hostile);
  }
};

TEST_F(HostileClientsTest, TheEngineRaisesItsOwnOpenFileLimit) {
  const auto [soft, hard] = processFdLimits(engine_->pid());
  std::cout << "[hostile] engine Max open files: soft " << soft << " hard " << hard << std::endl;
  EXPECT_EQ(soft, hard) << "the engine did not raise its soft limit to the hard one";
  if (std::to_string(engine_soft_before_) != hard) {
    EXPECT_NE(engine_->output().find("open files: soft limit raised from " +
                                     std::to_string(engine_soft_before_)),
              std::string::npos)
        << engine_->output();
  }
}

TEST_F(HostileClientsTest, SlowHeaders) {
  // 20 clients each send half a header line every second for 5 seconds and never finish.
  probeWhile("slow headers", [] {
    std::vector<std::unique_ptr<RawSocket>> clients;
    for (int i = 0; i < 20; ++i) {
      clients.push_back(std::make_unique<RawSocket>(engine_->restPort()));
      clients.back()->send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
    for (int second = 0; second < 5; ++second) {
      for (auto& c : clients) {
        c->send(second % 2 == 0 ? "X-Slow-" + std::to_string(second) + ": aaaa" : "bbbb\r\n");
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  expectAlive("slow headers");
}

// Eight clients send a request line and then header lines as fast as the engine reads them,
// up to 4 MiB each or until the engine answers, then wait up to `linger` for an answer. Returns
// the answers; probes with a normal client while they run when `probe` is set.
std::vector<std::string> headerFlood(bool probe, std::chrono::seconds linger) {
  std::vector<std::string> replies(8);
  auto flood = [&] {
    std::vector<std::thread> floods;
    for (std::size_t t = 0; t < replies.size(); ++t) {
      floods.emplace_back([&, t] {
        RawSocket c(HostileClientsTestAccess::port());
        if (!c.send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
          return;
        }
        std::string chunk;
        for (int i = 0; i < 64; ++i) {
          chunk += "X-Flood-" + std::to_string(i) + ": " + std::string(1000, 'f') + "\r\n";
        }
        const auto t0 = Clock::now();
        std::size_t sent = 0;
        replies[t] = c.flood(chunk, 4u << 20, linger, &sent);
        std::cout
            << "[hostile] header flood " << t << ": " << sent / 1024 << " KiB sent, done after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()
            << " ms, answer: "
            << (replies[t].empty() ? "none" : replies[t].substr(0, replies[t].find('\r')))
            << (c.peerClosed() ? ", closed by the engine" : ", left open") << std::endl;
      });
    }
    for (auto& f : floods) {
      f.join();
    }
  };
  if (probe) {
    HostileClientsTestAccess::probeWhile("header flood", flood);
  } else {
    flood();
  }
  return replies;
}

// The engine lives through a header flood and answers normally afterwards.
TEST_F(HostileClientsTest, HeaderFloodLeavesTheEngineAliveAndAnswering) {
  const std::string rss_before = vmRss(engine_->pid());
  int refused = 0;
  for (const std::string& reply : headerFlood(false, std::chrono::seconds(5))) {
    refused += reply.rfind("HTTP/1.1 4", 0) == 0 ? 1 : 0;
  }
  std::cout << "[hostile] header flood: " << refused << " of 8 floods answered 4xx; engine RSS "
            << rss_before << " -> " << vmRss(engine_->pid()) << std::endl;
  expectAlive("header flood");
}

// While eight floods run, normal clients are answered within the usual bound: the request line
// and headers are capped at 64 KiB (431) before Pistache's header step, whose cost is quadratic
// in the block's size, could hold a reactor (measured before the cap: 10-15 s of waiting for
// everyone on that reactor while 1 MiB blocks were refused).
TEST_F(HostileClientsTest, HeaderFloodIsRefusedWithoutStarvingOtherClients) {
  for (const std::string& reply : headerFlood(true, std::chrono::seconds(30))) {
    EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u)
        << "a 4 MiB header block was not refused: " << reply.substr(0, 200);
  }
  expectAlive("header flood");
}

std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& b : out) {
    b = static_cast<char>(rng() & 0xff);
  }
  return out;
}

// A valid request followed by 64 KiB of random bytes in one write: the request is answered,
// the garbage does not hurt anyone else.
TEST_F(HostileClientsTest, GarbagePipelinedAfterAValidRequest) {
  std::atomic<int> answered{0};
  probeWhile("pipelined garbage", [&] {
    for (unsigned i = 0; i < 20; ++i) {
      RawSocket c(engine_->restPort());
      c.send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + randomBytes(64 * 1024, i));
      const std::string answer = c.receive(std::chrono::milliseconds(5000), "HTTP/1.1 200 OK");
      answered += answer.find("HTTP/1.1 200 OK") != std::string::npos ? 1 : 0;
    }
  });
  std::cout << "[hostile] pipelined garbage: the valid request was answered 200 on " << answered
            << " of 20 connections" << std::endl;
  EXPECT_EQ(answered, 20);
  expectAlive("pipelined garbage");
}

// KNOWN DEFECT: the garbage's 400 (written at once on the reactor thread) overtakes the valid
// request's 200 (written later by a worker), so the replies arrive out of order, and the
// connection stays open after "Connection: Close" (the engine discards what follows but never
// closes). Both in host/src/http/pistache_handler.cpp. Enable when fixed.
TEST_F(HostileClientsTest, DISABLED_PipelinedGarbageIsAnsweredInOrderThenClosed) {
  RawSocket c(engine_->restPort());
  c.send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + randomBytes(64 * 1024, 7));
  const std::string answer = c.receive(std::chrono::milliseconds(5000));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0u) << answer.substr(0, 300);
  EXPECT_TRUE(c.peerClosed()) << "the engine left the connection open after the garbage";
}

// KNOWN DEFECT: two requests pipelined in one segment get one answer; the second is dropped
// silently and its client waits forever. PistacheHandler::onInput resets the parser after the
// first request and loses the rest of the buffer. Enable when fixed.
TEST_F(HostileClientsTest, DISABLED_TwoPipelinedRequestsInOneSegmentAreBothAnswered) {
  RawSocket c(engine_->restPort());
  c.send(
      "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  const std::string answer = c.receive(std::chrono::milliseconds(5000));
  std::size_t replies = 0;
  for (std::size_t at = answer.find("HTTP/1.1 200"); at != std::string::npos;
       at = answer.find("HTTP/1.1 200", at + 1)) {
    ++replies;
  }
  EXPECT_EQ(replies, 2u) << answer;
}

TEST_F(HostileClientsTest, ClientsDisconnectingMidBody) {
  const std::string token = devToken(kTenant, "orch:read orch:operate");
  probeWhile("disconnect mid-body", [&] {
    for (int i = 0; i < 50; ++i) {
      RawSocket c(engine_->restPort());
      std::string body = R"({"type":"hostile.partial","payload":{"pad":")";
      body += std::string(1000 - body.size(), 'p');
      c.send(
          "POST /api/v1/jobengine/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Authorization: Bearer " +
          token + "\r\nX-StellaOps-Tenant: " + kTenant +
          "\r\nX-StellaOps-Operator-Reason: hostile test\r\n"
          "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n" +
          body);
      if (i % 2 == 0) {
        c.abort();  // reset
      }             // else: an orderly close by the destructor
    }
  });
  expectAlive("disconnect mid-body");
  // Nothing of the half-sent bodies was enqueued.
  HttpClient http(engine_->restPort());
  const Reply jobs =
      http.get("/api/v1/jobengine/jobs?type=hostile.partial",
               {"Authorization: Bearer " + token, std::string("X-StellaOps-Tenant: ") + kTenant});
  ASSERT_EQ(jobs.status, 200) << jobs.body;
  EXPECT_TRUE(jobs.json()["items"].empty()) << jobs.body;
}

TEST_F(HostileClientsTest, TwoThousandIdleConnections) {
  const rlimit own = raiseOwnFdLimit();
  ASSERT_GT(own.rlim_cur, static_cast<rlim_t>(kIdleConnections + 200))
      << "this test needs " << kIdleConnections + 200 << " descriptors; the hard RLIMIT_NOFILE is "
      << own.rlim_max;
  const std::size_t engine_fds_before = openDescriptors(engine_->pid());
  std::vector<std::unique_ptr<RawSocket>> idle;
  idle.reserve(kIdleConnections);
  const auto t0 = Clock::now();
  for (int i = 0; i < kIdleConnections; ++i) {
    idle.push_back(std::make_unique<RawSocket>(engine_->restPort()));
    ASSERT_TRUE(idle.back()->ok()) << "connection " << i << ": " << idle.back()->error();
  }
  // The engine accepted them all (each is a descriptor in the engine), not just the kernel.
  // Up to kFdSlack of the descriptors counted before may be connections of the suite's earlier
  // cases that the engine closes meanwhile; an engine that stopped accepting (its descriptor
  // limit, a full backlog) would be hundreds short.
  constexpr std::size_t kFdSlack = 10;
  std::size_t engine_fds = openDescriptors(engine_->pid());
  while (engine_fds + kFdSlack < engine_fds_before + kIdleConnections &&
         Clock::now() - t0 < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    engine_fds = openDescriptors(engine_->pid());
  }
  std::cout << "[hostile] " << kIdleConnections << " idle connections open after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()
            << " ms; engine descriptors " << engine_fds_before << " -> " << engine_fds << std::endl;
  EXPECT_GE(engine_fds + kFdSlack, engine_fds_before + kIdleConnections)
      << "the engine did not accept every connection";
  for (int i = 0; i < 3; ++i) {
    expectServed("2000 idle connections (probe " + std::to_string(i + 1) + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  idle.clear();
  expectAlive("2000 idle connections");
}

}  // namespace
}  // namespace jobengine::testing
