// The REST gate (SPEC §5) behind HttpServer's RequestInterceptor seam: authentication,
// tenancy, scopes and operator headers through RequestAuthorizer, then Idempotency-Key on
// mutating POSTs through IdempotencyGate.
//
// before(): builds the HeaderMap, authorizes against the route's scope and flags, and fills the
// RequestContext (tenant, project, subject, scopes, reason, ticket). Every refusal is the
// error envelope with the request's traceId. A POST with Idempotency-Key on a route without
// JE_ROUTE_TXN takes the marker path here.
// inTransaction(): JE_ROUTE_TXN POSTs with a key: lock, replay, 409 or 422 inside the
// request's transaction.
// after(): stores the 2xx response with the key (the request's transaction, or the marker's).
// JE_ROUTE_PUBLIC routes never reach it. Stateless per request; safe from every worker thread.
#pragma once

#include <optional>

#include "app/idempotency_gate.hpp"
#include "auth/request_authorizer.hpp"
#include "http/request_interceptor.hpp"

namespace jobengine::host {

class ApiInterceptor : public RequestInterceptor {
 public:
  ApiInterceptor(const TokenVerifier& verifier, Store& store, int idempotency_retention_hours)
      : authorizer_(verifier), idempotency_(store, idempotency_retention_hours) {}

  std::optional<HttpReply> before(RequestContext& ctx, const RouteEntry& route,
                                  const IncomingRequest& req) override;
  std::optional<HttpReply> inTransaction(RequestContext& ctx, const RouteEntry& route,
                                         const IncomingRequest& req, je_txn* txn) override;
  void after(RequestContext& ctx, const RouteEntry& route, const IncomingRequest& req,
             HttpReply& reply, je_txn*& txn) override;

 private:
  RequestAuthorizer authorizer_;
  IdempotencyGate idempotency_;
};

}  // namespace jobengine::host
