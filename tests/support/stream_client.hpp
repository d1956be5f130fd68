// Raw-socket stream clients for tests: an SSE reader and a minimal WebSocket reader against the
// engine's stream listener, with no library between the test and the bytes on the wire.
//
// Both send one GET request, parse the response head (status, headers), then hand out events
// one at a time. Every wait is bounded by a timeout that only marks failure (no timing
// assertions). The WebSocket client masks nothing it does not send (it only sends the
// handshake and a close frame) and answers pings so the server does not time it out.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::testing {

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

class StreamConnection {
 public:
  // Connects to 127.0.0.1:port and sends "GET target" with the extra header lines.
  StreamConnection(uint16_t port, const std::string& target,
                   const std::vector<std::string>& headers = {}, bool websocket = false);
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // Reads the response head; returns the status (0 when the connection failed).
  int status(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string header(const std::string& lower_name) const;
  // The body so far plus whatever arrives until close or timeout (for error responses).
  std::string readBody(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SSE: the next event (comments skipped); nullopt on timeout or close.
  std::optional<SseEvent> nextSse(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // WebSocket: the next text message; nullopt on timeout or close.
  std::optional<std::string> nextWs(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // false on timeout / EOF
  bool need(std::size_t n, std::chrono::steady_clock::time_point deadline);
  void sendRaw(const std::string& bytes);

  int fd_ = -1;
  int status_ = -1;
  std::map<std::string, std::string> headers_;
  std::string buf_;
};

}  // namespace jobengine::testing
