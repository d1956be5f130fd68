// A small blocking libcurl client for the scheduler's operator commands: one request at a
// time against a running engine's REST API, with the bearer token, the tenant header and the
// operator headers the API asks for (SPEC §5). Used only from `jobengine <command>` on the
// main thread, never inside the engine.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/client_config.hpp"

namespace jobengine::scheduler::cli {

struct RestReply {
  long status = 0;  // 0: no HTTP answer (see transport_error)
  std::string body;
  std::string transport_error;  // curl's message when the engine could not be reached
};

class RestClient {
 public:
  explicit RestClient(ClientSettings settings);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // path is relative to <url>/api/v1/jobengine; query values are URL-encoded here.
  RestReply get(const std::string& path, const std::map<std::string, std::string>& query = {});
  // path is relative to <url> itself: the host's public routes outside the API (/readyz).
  RestReply getFromRoot(const std::string& path);
  // A JSON body; extra_headers are "Name: value" lines (operator reason, idempotency key).
  RestReply post(const std::string& path, const std::string& json_body,
                 const std::vector<std::string>& extra_headers = {});

  const ClientSettings& settings() const { return settings_; }
  // Percent-encodes a path segment or query value.
  std::string escape(const std::string& text);

 private:
  RestReply perform(const std::string& method, const std::string& url, const std::string& body,
                    const std::vector<std::string>& extra_headers);

  ClientSettings settings_;
  void* curl_;  // CURL*, kept opaque so callers need not include curl.h
};

}  // namespace jobengine::scheduler::cli
