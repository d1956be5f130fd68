// The pluggable gate between routing and the handler: authentication, tenancy, scopes,
// operator headers and idempotency live behind RequestInterceptor; transactions for
// JE_ROUTE_TXN routes behind TxnHooks. HttpServer only knows these two seams.
//
// Order for one request (on a worker thread):
//   1. defaultContext(): request id, trace id, tenant/project/operator headers (this file)
//   2. interceptor->before()  -- skipped for JE_ROUTE_PUBLIC routes; a reply rejects
//   2b. the route's requestBody schema (RouteEntry::body_validator): 400 / 422 rejects
//   3. JE_ROUTE_TXN: txn = txn_hooks.begin(ctx.tenant), then interceptor->inTransaction()
//      -- a reply there (idempotent replay, 409 in flight) skips the handler and after();
//      the txn is finished with that reply
//   4. the route handler
//   5. interceptor->after()   -- skipped for JE_ROUTE_PUBLIC routes; may write into txn (e.g.
//                                the idempotency record), may take it over (set txn = nullptr)
//   6. txn still set: txn_hooks.finish(txn, reply) commits on 2xx, rolls back otherwise, and
//      may return a replacement reply (commit failed)
#pragma once

#include <jobengine/abi.h>

#include <functional>
#include <optional>
#include <string>

#include "http/http_types.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {

class RequestInterceptor {
 public:
  virtual ~RequestInterceptor() = default;
  // Runs before the handler; may complete the context (tenant from the token, subject,
  // scopes). Returning a reply (401, 403, 409, a replayed idempotent response...) answers the
  // request with it and skips the handler. Called concurrently from worker threads.
  virtual std::optional<HttpReply> before(RequestContext& ctx, const RouteEntry& route,
                                          const IncomingRequest& req) = 0;
  // JE_ROUTE_TXN routes only: runs right after the request's transaction began, before the
  // handler, so that checks can take locks and read inside the same transaction (the
  // idempotency key). A reply answers the request; txn_hooks.finish(txn, reply) still runs.
  virtual std::optional<HttpReply> inTransaction(RequestContext& /*ctx*/,
                                                 const RouteEntry& /*route*/,
                                                 const IncomingRequest& /*req*/, je_txn* /*txn*/) {
    return std::nullopt;
  }
  // Runs after the handler with its reply (which it may change) and the route's transaction
  // (null unless JE_ROUTE_TXN). Not called when before() rejected the request.
  virtual void after(RequestContext& ctx, const RouteEntry& route, const IncomingRequest& req,
                     HttpReply& reply, je_txn*& txn) = 0;
};

struct TxnHooks {
  // Opens a transaction bound to `tenant`. Return nullptr or throw to refuse (the request gets
  // a 503 DATABASE_UNAVAILABLE envelope naming the reason when it threw).
  std::function<je_txn*(const std::string& tenant)> begin;
  // Commits on a 2xx reply, rolls back otherwise; always consumes txn. A returned reply
  // replaces the handler's (e.g. a 409/503 envelope when the commit failed).
  std::function<std::optional<HttpReply>(je_txn* txn, const HttpReply& reply)> finish;
};

// The context every request starts with: X-Request-Id echoed (if sane) or generated, trace id
// from a valid `traceparent` or generated (32 hex), tenant from X-StellaOps-Tenant (legacy
// X-Stella-Tenant), project from X-StellaOps-Project (legacy X-Stella-Project), operator
// reason/ticket from X-StellaOps-Operator-Reason/-Ticket (legacy X-Stella-Operator-*).
RequestContext defaultContext(const IncomingRequest& req);

}  // namespace jobengine::host
