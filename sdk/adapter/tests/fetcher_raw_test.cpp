// Fetcher cases FeedUpstream cannot produce, against a one-shot raw TCP server that writes
// exactly the bytes a test gives: a body without Content-Length streamed past the size cap
// (the write callback's cap, not CURLOPT_MAXFILESIZE), and Retry-After as an HTTP-date.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

#include "jobengine/adapter/fetcher.hpp"
#include "jobengine/adapter/http_date.hpp"

namespace jobengine::adapter {
namespace {

// Accepts one connection on 127.0.0.1:<ephemeral>, reads the request head, writes `response`
// and closes. The thread is joined by the destructor.
class RawHttpOnce {
 public:
  explicit RawHttpOnce(std::string response) : response_(std::move(response)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 1) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("RawHttpOnce: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawHttpOnce() {
    thread_.join();
    ::close(listen_fd_);
  }
  RawHttpOnce(const RawHttpOnce&) = delete;
  RawHttpOnce& operator=(const RawHttpOnce&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/doc.json"; }

 private:
  void serve() {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      return;
    }
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) {
        break;
      }
      head.append(buf, static_cast<size_t>(n));
    }
    size_t sent = 0;
    while (sent < response_.size()) {
      const ssize_t n = ::send(fd, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        break;  // the client gave up (size cap): expected
      }
      sent += static_cast<size_t>(n);
    }
    ::close(fd);
  }

  std::string response_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(FetcherRaw, StreamedBodyWithoutLengthStopsAtTheCap) {
  RawHttpOnce server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" +
      std::string(200000, 'x'));
  auto request = requestFor(server.url());
  request.max_bytes = 1000;
  const auto r = fetchOnce(request);
  EXPECT_EQ(r.error_code, "FETCH_TOO_LARGE") << r.error_message;
  EXPECT_FALSE(r.transient);
  EXPECT_NE(r.error_message.find("exceeds the cap of 1000 bytes"), std::string::npos)
      << r.error_message;
  EXPECT_TRUE(r.body.empty()) << "no partial body is handed out";
}

TEST(FetcherRaw, RetryAfterAsAnHttpDate) {
  const auto later = std::chrono::system_clock::now() + std::chrono::seconds(120);
  RawHttpOnce server("HTTP/1.1 503 Service Unavailable\r\nRetry-After: " + formatHttpDate(later) +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  const auto r = fetchOnce(requestFor(server.url()));
  EXPECT_TRUE(r.ok()) << "the fetcher does not classify statuses: " << r.error_message;
  EXPECT_EQ(r.status, 503);
  ASSERT_TRUE(r.retry_after_seconds);
  EXPECT_GE(*r.retry_after_seconds, 115);
  EXPECT_LE(*r.retry_after_seconds, 120);
}

}  // namespace
}  // namespace jobengine::adapter
