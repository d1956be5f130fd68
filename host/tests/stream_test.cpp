// StreamHub and StreamListener over real sockets: SSE frames in order with ids, filters,
// gapless resume from an in-memory backlog (including the register/backlog race), WebSocket
// frames, 401/403, stream tokens, slow-consumer dropping, and graceful stop.
#include "auth/jwt_codec.hpp"
#include "auth/token_minter.hpp"
#include "stream/stream_listener.hpp"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace jobengine::host {
namespace {

struct Frame {
  uint64_t id = 0;
  std::string event;
  std::string data;
};

// A minimal blocking SSE client on a POSIX socket; SO_RCVTIMEO bounds every read so a broken
// server fails the test instead of hanging it.
class SseClient {
 public:
  SseClient(int port, const std::string& target, const std::vector<std::string>& headers,
            int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    timeval tv{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto& h : headers) {
      req += h + "\r\n";
    }
    req += "\r\n";
    EXPECT_EQ(send(fd_, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  }
  ~SseClient() { close(fd_); }

  // Status code and headers; for 200 also consumes the ": connected" comment.
  int readHead() {
    const auto end = readUntil("\r\n\r\n");
    if (end == std::string::npos) {
      return -1;
    }
    head_ = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    const int status = std::stoi(head_.substr(9, 3));
    return status;
  }
  const std::string& head() const { return head_; }
  std::string body() {  // rest of a non-stream response, until EOF
    while (fill()) {
    }
    return buf_;
  }

  // The next event frame (comments skipped); nullopt on EOF or timeout.
  std::optional<Frame> next() {
    for (;;) {
      const auto end = readUntil("\n\n");
      if (end == std::string::npos) {
        return std::nullopt;
      }
      const std::string block = buf_.substr(0, end);
      buf_.erase(0, end + 2);
      Frame f;
      bool any = false;
      std::size_t pos = 0;
      while (pos <= block.size()) {
        const auto nl = block.find('\n', pos);
        const std::string line = block.substr(pos, nl == std::string::npos ? nl : nl - pos);
        if (line.rfind("id: ", 0) == 0) {
          f.id = std::stoull(line.substr(4));
          any = true;
        } else if (line.rfind("event: ", 0) == 0) {
          f.event = line.substr(7);
        } else if (line.rfind("data: ", 0) == 0) {
          f.data += line.substr(6);
        }
        if (nl == std::string::npos) {
          break;
        }
        pos = nl + 1;
      }
      if (any) {
        return f;
      }
    }
  }
  // True when the server closed the connection (after draining what was buffered).
  bool drainsToEof() {
    while (fill()) {
      buf_.clear();
    }
    return eof_;
  }

 private:
  bool fill() {
    char tmp[65536];
    const ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      eof_ = n == 0;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  std::size_t readUntil(const std::string& delim) {
    for (;;) {
      if (const auto p = buf_.find(delim); p != std::string::npos) {
        return p;
      }
      if (!fill()) {
        return std::string::npos;
      }
    }
  }
  int fd_ = -1;
  std::string buf_;
  std::string head_;
  bool eof_ = false;
};

// The outbox stand-in: events "committed" here are visible to the backlog reader.
class MemoryOutbox {
 public:
  void commit(const StreamEvent& e) {
    const std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(e);
  }
  std::vector<StreamEvent> read(const std::string& tenant, uint64_t after, std::size_t limit) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<StreamEvent> out;
    for (const auto& e : events_) {
      if (e.tenant == tenant && e.seq > after && out.size() < limit) {
        out.push_back(e);
      }
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<StreamEvent> events_;
};

StreamEvent event(uint64_t seq, const std::string& tenant, const std::string& type,
                  const std::string& run = "r1", std::size_t pad = 0) {
  nlohmann::json j = {{"schemaVersion", "orch.event.v1"},
                      {"seq", seq},
                      {"eventType", type},
                      {"tenantId", tenant},
                      {"job", {{"runId", run}}}};
  if (pad > 0) {
    j["data"] = {{"pad", std::string(pad, 'x')}};
  }
  return StreamEvent{seq, tenant, type, run, "j" + std::to_string(seq), "s1", j.dump()};
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { startWith(1024); }
  void TearDown() override {
    if (listener_) {
      listener_->stop();
    }
  }

  void startWith(std::size_t capacity) {
    if (listener_) {
      listener_->stop();
    }
    listener_.reset();
    hub_.reset();
    config_.mode = "dev";
    config_.issuer = "iss";
    config_.audience = "jobengine";
    config_.hs256_secret = "dev-secret";
    config_.stream_token_secret = "stream-secret";
    verifier_ = std::make_unique<TokenVerifier>(TokenVerifier::fromConfig(config_).value());
    StreamHubOptions opts;
    opts.queue_capacity = capacity;
    opts.on_dropped = [this] {
      const std::lock_guard<std::mutex> lock(mutex_);
      ++dropped_;
      cv_.notify_all();
    };
    hub_ = std::make_unique<StreamHub>(
        [this](const std::string& t, uint64_t after, std::size_t limit) {
          return outbox_.read(t, after, limit);
        },
        opts);
    StreamListenerOptions lo;
    lo.heartbeat_ms = 60000;
    listener_ = std::make_unique<StreamListener>(lo, *hub_, *verifier_);
    auto port = listener_->start();
    ASSERT_TRUE(port.ok()) << port.error();
    port_ = port.value();
  }

  void publish(const StreamEvent& e) {
    outbox_.commit(e);
    hub_->publish(e);
  }

  std::string bearer(const std::string& tenant, const std::string& scope = "orch:read") {
    auto minter = TokenMinter::fromConfig(config_);
    return "Authorization: Bearer " +
           minter->mint(MintRequest{tenant, "alice", {scope}, 600}).value();
  }

  AuthConfig config_;
  MemoryOutbox outbox_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<StreamHub> hub_;
  std::unique_ptr<StreamListener> listener_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  int dropped_ = 0;
};

constexpr const char* kSse = "/api/v1/jobengine/stream";

TEST_F(StreamTest, SseFramesArriveInOrderForTheTenantOnly) {
  SseClient c(port_, kSse, {bearer("acme")});
  ASSERT_EQ(c.readHead(), 200);
  EXPECT_NE(c.head().find("text/event-stream"), std::string::npos);
  EXPECT_NE(c.head().find("Access-Control-Allow-Origin: *"), std::string::npos);
  publish(event(1, "acme", "job.created"));
  publish(event(2, "globex", "job.created"));
  publish(event(3, "acme", "job.succeeded"));
  auto f1 = c.next();
  auto f3 = c.next();
  ASSERT_TRUE(f1 && f3);
  EXPECT_EQ(f1->id, 1U);
  EXPECT_EQ(f1->event, "job.created");
  EXPECT_EQ(nlohmann::json::parse(f1->data)["tenantId"], "acme");
  EXPECT_EQ(f3->id, 3U);
  EXPECT_EQ(f3->event, "job.succeeded");
}

TEST_F(StreamTest, FiltersByTypePrefixAndRun) {
  SseClient c(port_, std::string(kSse) + "?types=job.*,run.created&runId=r2", {bearer("acme")});
  ASSERT_EQ(c.readHead(), 200);
  publish(event(1, "acme", "job.created", "r1"));
  publish(event(2, "acme", "job.created", "r2"));
  publish(event(3, "acme", "source.paused", "r2"));
  publish(event(4, "acme", "run.created", "r2"));
  publish(event(5, "acme", "run.failed", "r2"));
  publish(event(6, "acme", "job.failed", "r2"));
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto f = c.next();
    ASSERT_TRUE(f);
    ids.push_back(f->id);
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{2, 4, 6}));
}

TEST_F(StreamTest, ResumeWithLastEventIdGetsEachMissingEventOnce) {
  for (uint64_t s = 1; s <= 10; ++s) {
    publish(event(s, s % 3 == 0 ? "globex" : "acme", "job.progress"));
  }
  SseClient c(port_, kSse, {bearer("acme"), "Last-Event-ID: 4"});
  ASSERT_EQ(c.readHead(), 200);
  publish(event(11, "acme", "job.succeeded"));
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto f = c.next();
    ASSERT_TRUE(f);
    ids.push_back(f->id);
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{5, 7, 8, 10, 11}));
  // ?after= resumes the same way.
  SseClient after(port_, std::string(kSse) + "?after=8", {bearer("acme")});
  ASSERT_EQ(after.readHead(), 200);
  EXPECT_EQ(after.next()->id, 10U);
  EXPECT_EQ(after.next()->id, 11U);
}

TEST(StreamHubTest, ResumeRaceAndLiveOverflowDuringCatchUp) {
  MemoryOutbox outbox;
  StreamHub* hub_ptr = nullptr;
  int reads = 0;
  // The reader snapshots the outbox, then more events commit and publish before it returns:
  // 5 (already in the snapshot) and 6..12 (not in it). Capacity 4 forces the live buffer to
  // overflow, so the hub must go back to the backlog.
  StreamHubOptions opts;
  opts.queue_capacity = 4;
  opts.backlog_batch = 100;
  StreamHub hub(
      [&](const std::string& t, uint64_t after, std::size_t limit) {
        auto snap = outbox.read(t, after, limit);
        if (reads++ == 0) {
          hub_ptr->publish(event(5, "acme", "job.created"));
          for (uint64_t s = 6; s <= 12; ++s) {
            outbox.commit(event(s, "acme", "job.created"));
            hub_ptr->publish(event(s, "acme", "job.created"));
          }
        }
        return snap;
      },
      opts);
  hub_ptr = &hub;
  for (uint64_t s = 1; s <= 5; ++s) {
    outbox.commit(event(s, "acme", "job.created"));
  }
  auto sub = hub.subscribe("acme", {}, 2, [] {});
  std::vector<uint64_t> ids;
  std::vector<StreamEventPtr> got;
  for (int i = 0; i < 20 && ids.size() < 10; ++i) {
    got.clear();
    ASSERT_EQ(sub->poll(got, 100), Subscription::State::kOpen);
    for (const auto& e : got) {
      ids.push_back(e->seq);
    }
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_GE(reads, 2);
  hub.publish(event(13, "acme", "job.created"));
  got.clear();
  sub->poll(got, 100);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0]->seq, 13U);
}

TEST_F(StreamTest, WebSocketCarriesTheSameJson) {
  namespace beast = boost::beast;
  namespace net = boost::asio;
  net::io_context ioc;
  beast::websocket::stream<net::ip::tcp::socket> ws(ioc);
  ws.next_layer().connect({net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)});
  const std::string auth = bearer("acme").substr(std::string("Authorization: ").size());
  ws.set_option(beast::websocket::stream_base::decorator(
      [auth](beast::websocket::request_type& req) { req.set("Authorization", auth); }));
  ws.handshake("localhost", "/api/v1/jobengine/ws?types=job.*");
  publish(event(1, "acme", "run.created"));
  publish(event(2, "acme", "job.created"));
  publish(event(3, "acme", "job.leased"));
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    beast::flat_buffer b;
    ws.read(b);
    got.push_back(beast::buffers_to_string(b.data()));
  }
  EXPECT_EQ(got[0], event(2, "acme", "job.created").json);
  EXPECT_EQ(got[1], event(3, "acme", "job.leased").json);
}

TEST_F(StreamTest, AuthFailuresAndStreamTokens) {
  SseClient none(port_, kSse, {});
  EXPECT_EQ(none.readHead(), 401);
  EXPECT_NE(none.body().find("UNAUTHENTICATED"), std::string::npos);
  SseClient ws_none(port_, "/api/v1/jobengine/ws", {});
  EXPECT_EQ(ws_none.readHead(), 401);
  SseClient mismatch(port_, kSse, {bearer("acme"), "X-StellaOps-Tenant: globex"});
  EXPECT_EQ(mismatch.readHead(), 403);
  EXPECT_NE(mismatch.body().find("TENANT_MISMATCH"), std::string::npos);
  SseClient no_scope(port_, kSse, {bearer("acme", "orch:operate")});
  EXPECT_EQ(no_scope.readHead(), 403);
  EXPECT_NE(no_scope.body().find("SCOPE_MISSING"), std::string::npos);
  SseClient bad_filter(port_, std::string(kSse) + "?types=*job", {bearer("acme")});
  EXPECT_EQ(bad_filter.readHead(), 400);
  SseClient unknown(port_, "/nope", {});
  EXPECT_EQ(unknown.readHead(), 404);

  auto issuer = StreamTokenIssuer::fromConfig(config_);
  const Principal caller{"alice", "acme", {"orch:read"}, TokenKind::kAccess, 0};
  const auto st = issuer->issue(caller, "acme").value().token;
  SseClient q_mismatch(port_, std::string(kSse) + "?tenant=globex&access_token=" + st, {});
  EXPECT_EQ(q_mismatch.readHead(), 403);
  // An access token is not accepted as ?access_token=.
  const std::string access = bearer("acme").substr(std::string("Authorization: Bearer ").size());
  SseClient wrong_kind(port_, std::string(kSse) + "?access_token=" + access, {});
  EXPECT_EQ(wrong_kind.readHead(), 401);
  SseClient ok(port_, std::string(kSse) + "?tenant=acme&access_token=" + st, {});
  ASSERT_EQ(ok.readHead(), 200) << ok.body();
  publish(event(1, "acme", "job.created"));
  EXPECT_EQ(ok.next()->id, 1U);
}

TEST_F(StreamTest, SlowConsumerIsDroppedWhileAFastOneGetsEverything) {
  startWith(4);
  SseClient slow(port_, kSse, {bearer("acme")}, 4096);
  ASSERT_EQ(slow.readHead(), 200);
  SseClient fast(port_, kSse, {bearer("acme")});
  ASSERT_EQ(fast.readHead(), 200);
  uint64_t seq = 0;
  // Lockstep with the fast client; the slow one never reads. Stop once the hub dropped it
  // (the 20000 bound only turns a broken drop into a failure instead of a hang).
  while (hub_->droppedCount() == 0 && seq < 20000) {
    publish(event(++seq, "acme", "job.progress", "r1", 16 * 1024));
    auto f = fast.next();
    ASSERT_TRUE(f) << "fast consumer lost the stream at " << seq;
    ASSERT_EQ(f->id, seq);
  }
  ASSERT_EQ(hub_->droppedCount(), 1U);
  {
    std::unique_lock<std::mutex> lock(mutex_);
    EXPECT_TRUE(cv_.wait_for(lock, std::chrono::seconds(10), [this] { return dropped_ == 1; }));
  }
  for (int i = 0; i < 3; ++i) {
    publish(event(++seq, "acme", "job.progress"));
    auto f = fast.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->id, seq);
  }
  EXPECT_TRUE(slow.drainsToEof());
  EXPECT_EQ(hub_->subscriberCount(), 1U);
}

TEST_F(StreamTest, StopClosesSessionsAndJoins) {
  SseClient c(port_, kSse, {bearer("acme")});
  ASSERT_EQ(c.readHead(), 200);
  listener_->stop();
  EXPECT_TRUE(c.drainsToEof());
  EXPECT_EQ(listener_->sessionCount(), 0U);
  EXPECT_EQ(hub_->subscriberCount(), 0U);
}

}  // namespace
}  // namespace jobengine::host
