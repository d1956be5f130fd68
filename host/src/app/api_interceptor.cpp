// See api_interceptor.hpp.
#include "app/api_interceptor.hpp"

#include "api/idempotency.hpp"
#include "auth/header_map.hpp"
#include "http/error_envelope.hpp"
#include "store/store_error.hpp"
#include "store/store_service.hpp"

namespace jobengine::host {
namespace {

bool isTxnRoute(const RouteEntry& route) { return (route.flags & JE_ROUTE_TXN) != 0; }

// The key reference for a POST carrying Idempotency-Key, else nullopt.
std::optional<IdempotencyKeyRef> keyRefOf(const RequestContext& ctx, const IncomingRequest& req) {
  if (req.method != "POST") {
    return std::nullopt;
  }
  auto key = req.header(kIdempotencyKeyHeader);
  if (!key) {
    return std::nullopt;
  }
  IdempotencyKeyRef ref;
  ref.tenant = ctx.tenant;
  ref.key = std::move(*key);
  ref.method = req.method;
  ref.path = req.path;
  ref.fingerprint = requestFingerprint(
      req.method, req.query.empty() ? req.path : req.path + "?" + req.query, req.body);
  return ref;
}

// The connection was lost while checking or recording the key (the database was stopped or
// the session terminated right after the transaction began): the same 503 the pipeline
// answers when no transaction can be opened, so the client retries with the same key. It was
// a 500 "request check failed" before, seen once in six database restarts under load.
HttpReply databaseUnavailable(const RequestContext& ctx) {
  return errorReply(503, "DATABASE_UNAVAILABLE",
                    "the database is unavailable; retry later (trace id " + ctx.trace_id + ")",
                    ctx.trace_id);
}

std::string joinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

bool is2xx(const HttpReply& reply) { return reply.status >= 200 && reply.status <= 299; }

}  // namespace

std::optional<HttpReply> ApiInterceptor::before(RequestContext& ctx, const RouteEntry& route,
                                                const IncomingRequest& req) {
  HeaderMap headers;
  for (const auto& [name, value] : req.headers) {
    headers.add(name, value);
  }
  const auto decided = authorizer_.authorize(
      headers, RouteRequirement::forRoute(route.method, route.scope, route.flags));
  if (!decided) {
    const HttpError& e = decided.error();
    return errorReply(e.status, e.code, e.message, ctx.trace_id,
                      e.details.empty() ? nlohmann::json() : e.details);
  }
  const AuthContext& auth = decided.value();
  ctx.tenant = auth.tenant;
  ctx.project = auth.project;
  ctx.subject = auth.subject;
  ctx.scopes = joinScopes(auth.scopes);
  ctx.operator_reason = auth.reason;
  ctx.operator_ticket = auth.ticket;

  const auto ref = keyRefOf(ctx, req);
  if (!ref) {
    return std::nullopt;
  }
  if (auto invalid = validateIdempotencyKey(ref->key)) {
    return errorReply(invalid->status, invalid->code, invalid->message, ctx.trace_id,
                      invalid->details.empty() ? nlohmann::json() : invalid->details);
  }
  if (isTxnRoute(route)) {
    return std::nullopt;  // checked in inTransaction(), inside the request's transaction
  }
  return idempotency_.beginMarker(*ref, ctx.trace_id);
}

std::optional<HttpReply> ApiInterceptor::inTransaction(RequestContext& ctx,
                                                       const RouteEntry& /*route*/,
                                                       const IncomingRequest& req, je_txn* txn) {
  const auto ref = keyRefOf(ctx, req);
  if (!ref) {
    return std::nullopt;
  }
  try {
    return idempotency_.check(*transactionOf(txn), *ref, ctx.trace_id);
  } catch (const StoreError& e) {
    if (e.status() != JE_ERR_RETRY) {
      throw;
    }
    return databaseUnavailable(ctx);  // the connection died under the check
  }
}

void ApiInterceptor::after(RequestContext& ctx, const RouteEntry& route, const IncomingRequest& req,
                           HttpReply& reply, je_txn*& txn) {
  const auto ref = keyRefOf(ctx, req);
  if (!ref) {
    return;
  }
  if (!isTxnRoute(route)) {
    idempotency_.finishMarker(*ref, reply);
    return;
  }
  Transaction* t = transactionOf(txn);
  if (t == nullptr || !is2xx(reply) || t->aborted() || reply.streamed) {
    return;  // nothing is stored: a non-2xx reply rolls back; a file answer is not replayable
  }
  try {
    idempotency_.record(*t, *ref, reply);
  } catch (const StoreError& e) {
    if (e.status() != JE_ERR_RETRY) {
      throw;
    }
    reply = databaseUnavailable(ctx);  // not 2xx: the transaction is rolled back
  }
}

}  // namespace jobengine::host
