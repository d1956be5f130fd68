// A small blocking libcurl HTTP client for tests: one handle per HttpClient, so connection
// reuse (keep-alive) can be observed through Reply::connects. Every reply is checked against
// the engine's live OpenAPI document (response_contract.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace jobengine::testing {

struct Reply {
  long status = 0;  // 0 when the transfer failed (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  long connects = -1;                          // new connections this transfer opened
  std::string error;                           // curl's message when status == 0
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // headers are "Name: value" lines. timeout_ms bounds the whole transfer.
  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& headers = {}, long timeout_ms = 60000);
  Reply get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return call("GET", path, "", headers);
  }
  Reply post(const std::string& path, const nlohmann::json& body,
             const std::vector<std::string>& headers = {}) {
    std::vector<std::string> h = headers;
    h.emplace_back("Content-Type: application/json");
    return call("POST", path, body.dump(), h);
  }
  uint16_t port() const { return port_; }
  // Every reply is checked against the engine's live OpenAPI document (response_contract.hpp)
  // unless a test turns it off, for a client that talks to something else on purpose.
  void checkContract(bool on) { check_contract_ = on; }

 private:
  uint16_t port_;
  bool check_contract_ = true;
  std::string host_;
  void* curl_;  // CURL*, kept opaque so users need not include curl.h
};

// Sends `count` requests at once — one HttpClient and thread each, released together — and
// returns the replies in order. For races such as duplicate Idempotency-Keys.
std::vector<Reply> concurrentRequests(uint16_t port, int count,
                                      const std::function<Reply(HttpClient&)>& send);

// The replies of such a race over one Idempotency-Key (SPEC §5): `created` answered
// `success_status` without Idempotent-Replayed, `replayed` with it, `in_flight` 409
// IDEMPOTENCY_IN_FLIGHT; anything else is in `unexpected`.
struct IdempotentRace {
  int created = 0;
  int replayed = 0;
  int in_flight = 0;
  std::vector<Reply> unexpected;
};
IdempotentRace tallyIdempotentRace(const std::vector<Reply>& replies, long success_status);

}  // namespace jobengine::testing
