// The transport-free part of serving one request: route lookup (404 / 405 envelopes),
// interceptor, transaction for JE_ROUTE_TXN routes, handler, commit/rollback. HttpServer runs
// it on a worker thread; it knows nothing of Pistache, so it is plain to reason about.
#pragma once

#include <jobengine/json_limits.hpp>
#include <optional>
#include <string>

#include "http/http_types.hpp"
#include "http/request_interceptor.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {

struct PipelineResult {
  HttpReply reply;
  std::string route_label;  // the matched pattern, or "unmatched" (metrics label)
};

// ctx must already hold the default context (defaultContext()). interceptor may be null.
// A JSON body (Content-Type absent or naming json) nested deeper than json_max_depth is refused
// with 400 MALFORMED_REQUEST before the interceptor, idempotency or any handler parses it.
// Never throws: every failure becomes an error envelope. A 500, whoever produced it, reaches the
// client as a generic message with the trace id; the detail goes to the "host" log.
PipelineResult servePipeline(const IncomingRequest& req, RequestContext& ctx,
                             const RouteTable& routes, RequestInterceptor* interceptor,
                             const TxnHooks& txn_hooks,
                             int json_max_depth = sdk::kJsonDefaultMaxDepth);

// The depth check servePipeline applies, on its own (unit tests, other entry points).
std::optional<HttpReply> refuseDeepJsonBody(const IncomingRequest& req, int json_max_depth,
                                            const std::string& trace_id);

}  // namespace jobengine::host
