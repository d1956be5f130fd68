// REST-port routes of the streaming side (SPEC §5.1 streams row):
//   POST /api/v1/jobengine/stream/tokens (orch:read) -> {token, expiresAt, streamUrl, wsUrl}:
//     a short-lived stream token for the caller's tenant and scopes, for EventSource and
//     WebSocket clients that cannot set Authorization (append ?access_token=<token>).
//   GET /api/v1/jobengine/stream and GET /api/v1/jobengine/ws -> 307 with Location on the
//     stream listener (same path and query). These are public: the redirect reveals nothing
//     and the target authenticates, so a client following it with its token works as is.
// The host in the URLs is the request's Host header (without port), else http.bind.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace jobengine::host {

class RouteTable;
class StreamTokenIssuer;

struct StreamRouteDeps {
  const StreamTokenIssuer* issuer = nullptr;  // outlives the routes
  std::string bind;
  std::function<int()> stream_port;  // known only once the listener started
};

std::optional<std::string> registerStreamRoutes(RouteTable& routes, StreamRouteDeps deps);

}  // namespace jobengine::host
