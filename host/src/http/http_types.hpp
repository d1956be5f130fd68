// Host-owned request/reply values of the REST layer.
//
// Everything a handler needs is copied out of the Pistache request on the reactor thread into
// an IncomingRequest, so the request can be served on the worker pool after Pistache reuses its
// own buffers. HttpReply is what the worker hands back to be written. RequestContext is the
// context part of je_request (abi.h), filled by the host defaults and the RequestInterceptor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::host {

class StreamedBody;

struct IncomingRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // raw query string without '?', may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  // First value of a header by case-insensitive name.
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
  std::string body;
  // Set for a streamed answer (je_response.stream / send_file): the body goes out from it in
  // bounded chunks and `body` is empty. Shared because replies are copied as values; the last
  // copy releases the producer or closes the file (http/streamed_body.hpp).
  std::shared_ptr<StreamedBody> streamed;

  // Sets a header, replacing one of the same (case-insensitive) name.
  void setHeader(std::string_view name, std::string_view value);
  std::optional<std::string> header(std::string_view name) const;
};

// The context part of je_request. Empty strings mean "absent".
struct RequestContext {
  std::string tenant;
  std::string project;
  std::string subject;
  std::string scopes;  // space-separated
  std::string trace_id;
  std::string request_id;
  std::string operator_reason;
  std::string operator_ticket;
};

}  // namespace jobengine::host
