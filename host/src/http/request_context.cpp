// defaultContext(): what the host fills into every request before any interceptor runs
// (see request_interceptor.hpp).
#include "http/http_util.hpp"
#include "http/request_interceptor.hpp"

namespace jobengine::host {
namespace {

constexpr size_t kMaxRequestIdLength = 128;

// A client's X-Request-Id is echoed only when it is short and plain (no header injection,
// nothing that breaks a log line).
bool saneRequestId(const std::string& id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) {
    return false;
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

std::string firstHeader(const IncomingRequest& req, const char* name, const char* legacy) {
  if (auto v = req.header(name)) {
    return *v;
  }
  if (legacy != nullptr) {
    if (auto v = req.header(legacy)) {
      return *v;
    }
  }
  return {};
}

}  // namespace

RequestContext defaultContext(const IncomingRequest& req) {
  RequestContext ctx;
  const auto request_id = req.header("x-request-id");
  ctx.request_id = request_id && saneRequestId(*request_id) ? *request_id : randomHex(16);
  std::optional<std::string> trace;
  if (const auto traceparent = req.header("traceparent")) {
    trace = parseTraceparent(*traceparent);
  }
  ctx.trace_id = trace ? *trace : randomHex(16);
  ctx.tenant = firstHeader(req, "x-stellaops-tenant", "x-stella-tenant");
  ctx.project = firstHeader(req, "x-stellaops-project", "x-stella-project");
  ctx.operator_reason = firstHeader(req, "x-stellaops-operator-reason", "x-stella-operator-reason");
  ctx.operator_ticket = firstHeader(req, "x-stellaops-operator-ticket", "x-stella-operator-ticket");
  return ctx;
}

}  // namespace jobengine::host
