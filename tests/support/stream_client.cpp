// See stream_client.hpp.
#include "stream_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace jobengine::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

StreamConnection::StreamConnection(uint16_t port, const std::string& target,
                                   const std::vector<std::string>& headers, bool websocket) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (websocket) {
    req +=
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  } else {
    req += "Accept: text/event-stream\r\n";
  }
  for (const auto& h : headers) {
    req += h + "\r\n";
  }
  req += "\r\n";
  sendRaw(req);
}

StreamConnection::~StreamConnection() { close(); }

void StreamConnection::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void StreamConnection::sendRaw(const std::string& bytes) {
  std::size_t off = 0;
  while (fd_ >= 0 && off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      return;
    }
    off += static_cast<std::size_t>(n);
  }
}

bool StreamConnection::fill(Clock::time_point deadline) {
  if (fd_ < 0) {
    return false;
  }
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) {
    return false;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left)) <= 0) {
    return false;
  }
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    close();
    return false;
  }
  buf_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

bool StreamConnection::need(std::size_t n, Clock::time_point deadline) {
  while (buf_.size() < n) {
    if (!fill(deadline)) {
      return false;
    }
  }
  return true;
}

int StreamConnection::status(std::chrono::milliseconds timeout) {
  if (status_ >= 0) {
    return status_;
  }
  const auto deadline = Clock::now() + timeout;
  std::size_t end = std::string::npos;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) {
      return 0;
    }
  }
  const std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  std::size_t pos = head.find("\r\n");
  const std::string status_line = head.substr(0, pos);
  status_ = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  while (pos != std::string::npos) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      headers_[lowerAscii(line.substr(0, colon))] = value;
    }
    pos = next;
  }
  return status_;
}

std::string StreamConnection::header(const std::string& lower_name) const {
  auto it = headers_.find(lower_name);
  return it == headers_.end() ? "" : it->second;
}

std::string StreamConnection::readBody(std::chrono::milliseconds timeout) {
  status(timeout);
  const auto deadline = Clock::now() + timeout;
  const std::string length = header("content-length");
  if (!length.empty()) {
    need(std::stoul(length), deadline);
  } else {
    while (fill(deadline)) {
    }
  }
  return buf_;
}

std::optional<SseEvent> StreamConnection::nextSse(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (status(timeout) != 200) {
    return std::nullopt;
  }
  for (;;) {
    const std::size_t end = buf_.find("\n\n");
    if (end == std::string::npos) {
      if (!fill(deadline)) {
        return std::nullopt;
      }
      continue;
    }
    const std::string frame = buf_.substr(0, end);
    buf_.erase(0, end + 2);
    SseEvent e;
    bool any = false;
    std::size_t pos = 0;
    while (pos <= frame.size()) {
      std::size_t nl = frame.find('\n', pos);
      if (nl == std::string::npos) {
        nl = frame.size();
      }
      const std::string line = frame.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty() || line[0] == ':') {
        continue;
      }
      const auto colon = line.find(':');
      const std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') {
        value.erase(0, 1);
      }
      any = true;
      if (field == "id") {
        e.id = value;
      } else if (field == "event") {
        e.event = value;
      } else if (field == "data") {
        e.data += e.data.empty() ? value : "\n" + value;
      }
    }
    if (any) {
      return e;
    }
  }
}

std::optional<std::string> StreamConnection::nextWs(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (status(timeout) != 101) {
    return std::nullopt;
  }
  std::string message;
  for (;;) {
    if (!need(2, deadline)) {
      return std::nullopt;
    }
    const auto b0 = static_cast<unsigned char>(buf_[0]);
    const auto b1 = static_cast<unsigned char>(buf_[1]);
    const bool fin = (b0 & 0x80U) != 0;
    const unsigned opcode = b0 & 0x0FU;
    std::size_t header_len = 2;
    uint64_t len = b1 & 0x7FU;
    if (len == 126) {
      header_len = 4;
    } else if (len == 127) {
      header_len = 10;
    }
    if (!need(header_len, deadline)) {
      return std::nullopt;
    }
    if (header_len > 2) {
      len = 0;
      for (std::size_t i = 2; i < header_len; ++i) {
        len = (len << 8U) | static_cast<unsigned char>(buf_[i]);
      }
    }
    if (!need(header_len + len, deadline)) {
      return std::nullopt;
    }
    const std::string payload = buf_.substr(header_len, len);
    buf_.erase(0, header_len + len);
    if (opcode == 0x8) {  // close
      close();
      return std::nullopt;
    }
    if (opcode == 0x9) {  // ping: answer with a masked pong (zero mask)
      std::string pong;
      pong += static_cast<char>(0x8A);
      pong += static_cast<char>(0x80U | static_cast<unsigned>(payload.size()));
      pong.append(4, '\0');
      pong += payload;
      sendRaw(pong);
      continue;
    }
    if (opcode == 0xA) {
      continue;
    }
    message += payload;
    if (fin) {
      return message;
    }
  }
}

}  // namespace jobengine::testing
