// servePipeline(): routing, interceptor, transaction and handler for one request (see
// request_pipeline.hpp and the order documented in request_interceptor.hpp).
#include "http/request_pipeline.hpp"

#include <cctype>
#include <exception>

#include <spdlog/spdlog.h>

#include "api/request_body_validator.hpp"
#include "http/error_envelope.hpp"
#include "http/handler_call.hpp"
#include "log/logging.hpp"
#include "store/txn_actor.hpp"

namespace jobengine::host {
namespace {

std::string joinMethods(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) {
    out += (out.empty() ? "" : ", ") + m;
  }
  return out;
}

// The route's documented requestBody schema, checked before the handler runs (docs/api.md,
// "Schemas"): 400 for a body that is not JSON (or is missing when required), 422
// VALIDATION_FAILED with details.field = the JSON path of the first offending field.
std::optional<HttpReply> refuseInvalidBody(const IncomingRequest& req, const RouteEntry& route,
                                           const std::string& trace_id) {
  const RequestBodyValidator* validator = route.body_validator.get();
  if (validator == nullptr) {
    return std::nullopt;
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (!validator->required()) {
      return std::nullopt;
    }
    return errorReply(400, "MALFORMED_REQUEST", "this operation needs a JSON request body",
                      trace_id);
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return errorReply(400, "MALFORMED_REQUEST",
                      std::string("the request body is not valid JSON: ") + e.what(), trace_id,
                      nlohmann::json{{"offset", e.byte}});
  }
  if (auto failure = validator->validate(body)) {
    return errorReply(422, "VALIDATION_FAILED", failure->message, trace_id,
                      nlohmann::json{{"field", failure->path}});
  }
  return std::nullopt;
}

HttpReply runRoute(const IncomingRequest& req, RequestContext& ctx, const RouteMatch& match,
                   RequestInterceptor* interceptor, const TxnHooks& txn_hooks) {
  const RouteEntry& route = *match.route;
  const bool is_public = (route.flags & JE_ROUTE_PUBLIC) != 0;
  RequestInterceptor* gate = is_public ? nullptr : interceptor;
  if (gate != nullptr) {
    if (auto rejected = gate->before(ctx, route, req)) {
      return std::move(*rejected);
    }
  }
  if (auto invalid = refuseInvalidBody(req, route, ctx.trace_id)) {
    // after() still runs: on a route without JE_ROUTE_TXN before() reserved the request's
    // Idempotency-Key, and the refusal must free it (no transaction exists yet).
    if (gate != nullptr) {
      je_txn* no_txn = nullptr;
      try {
        gate->after(ctx, route, req, *invalid, no_txn);
      } catch (const std::exception& e) {
        componentLogger("host")->error("request post-processing failed trace_id={} error={}",
                                       ctx.trace_id, e.what());
      }
    }
    return std::move(*invalid);
  }
  // Every transaction begun on this thread while the route runs (the route's own, and any a
  // handler begins) acts for this request: its events carry who and why (SPEC §6).
  const RequestActorScope actor_scope(requestActor(ctx.subject, ctx.scopes, ctx.operator_reason,
                                                   ctx.operator_ticket, ctx.request_id,
                                                   ctx.trace_id));
  je_txn* txn = nullptr;
  if ((route.flags & JE_ROUTE_TXN) != 0) {
    if (!txn_hooks.begin || !txn_hooks.finish) {
      return errorReply(500, "INTERNAL",
                        "route " + route.method + " " + route.pattern +
                            " needs a transaction but no store is wired",
                        ctx.trace_id);
    }
    if (ctx.tenant.empty()) {
      return errorReply(403, "TENANT_REQUIRED",
                        "header X-StellaOps-Tenant is required for this route", ctx.trace_id);
    }
    try {
      txn = txn_hooks.begin(ctx.tenant);
    } catch (const std::exception& e) {
      componentLogger("host")->error("could not open a transaction trace_id={} error={}",
                                     ctx.trace_id, e.what());
      return errorReply(503, "DATABASE_UNAVAILABLE",
                        "the database is unavailable; retry later (trace id " + ctx.trace_id + ")",
                        ctx.trace_id);
    }
    if (txn == nullptr) {
      return errorReply(503, "DATABASE_UNAVAILABLE", "could not open a transaction", ctx.trace_id);
    }
    if (gate != nullptr) {
      std::optional<HttpReply> early;
      try {
        early = gate->inTransaction(ctx, route, req, txn);
      } catch (const std::exception& e) {
        early = errorReply(500, "INTERNAL", std::string("request check failed: ") + e.what(),
                           ctx.trace_id);
      }
      if (early) {
        if (auto replaced = txn_hooks.finish(txn, *early)) {
          return std::move(*replaced);
        }
        return std::move(*early);
      }
    }
  }
  HttpReply reply;
  {
    HandlerCall call(req, ctx, match.params, txn);
    reply = call.run(route.handler);
  }
  if (gate != nullptr) {
    try {
      gate->after(ctx, route, req, reply, txn);
    } catch (const std::exception& e) {
      reply = errorReply(500, "INTERNAL",
                         std::string("request post-processing failed: ") + e.what(), ctx.trace_id);
    }
  }
  if (txn != nullptr) {
    try {
      if (auto replaced = txn_hooks.finish(txn, reply)) {
        reply = std::move(*replaced);
      }
    } catch (const std::exception& e) {
      reply =
          errorReply(500, "INTERNAL", std::string("transaction failed: ") + e.what(), ctx.trace_id);
    }
  }
  return reply;
}

bool mayBeJson(const IncomingRequest& req) {
  const auto type = req.header("content-type");
  if (!type) {
    return true;
  }
  std::string lower = *type;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.find("json") != std::string::npos;
}

void hideInternalDetail(PipelineResult& result, const IncomingRequest& req,
                        const RequestContext& ctx) {
  HttpReply& reply = result.reply;
  if (reply.status != 500) {
    return;
  }
  // Whatever produced it (a plugin's catch-all, a failed commit, SQLSTATE text), the detail is
  // for the operator's log, never for the client: the client gets the trace id to quote.
  const auto parsed = sdk::parseJsonBounded(reply.body, "500 body");
  std::string detail = reply.body;
  std::string code = "INTERNAL";
  if (parsed.ok() && parsed.value.is_object() && parsed.value.contains("error") &&
      parsed.value["error"].is_object()) {
    const auto& err = parsed.value["error"];
    detail = err.value("message", std::string());
    if (err.contains("details")) {
      detail += " details=" + err["details"].dump();
    }
    code = err.value("code", code);
  }
  try {
    componentLogger("host")->error(
        "internal error code={} route=\"{} {}\" trace_id={} tenant={} detail={}", code, req.method,
        result.route_label, ctx.trace_id, ctx.tenant, detail);
  } catch (...) {  // NOLINT(bugprone-empty-catch): logging must never fail a request
  }
  reply = errorReply(
      500, code, "internal error; the engine's log has the details under trace id " + ctx.trace_id,
      ctx.trace_id);
}

}  // namespace

std::optional<HttpReply> refuseDeepJsonBody(const IncomingRequest& req, int json_max_depth,
                                            const std::string& trace_id) {
  if (req.body.empty() || !mayBeJson(req)) {
    return std::nullopt;
  }
  const auto violation = sdk::findJsonDepthViolation(req.body, json_max_depth);
  if (!violation) {
    return std::nullopt;
  }
  return errorReply(
      400, "MALFORMED_REQUEST",
      sdk::jsonDepthMessage("the request body", *violation) + " (http.json_max_depth)", trace_id,
      nlohmann::json{{"limit", violation->limit}, {"offset", violation->offset}});
}

PipelineResult servePipeline(const IncomingRequest& req, RequestContext& ctx,
                             const RouteTable& routes, RequestInterceptor* interceptor,
                             const TxnHooks& txn_hooks, int json_max_depth) {
  PipelineResult result;
  result.route_label = "unmatched";
  try {
    const RouteMatch match = routes.match(req.method, req.path);
    if (match.route == nullptr) {
      if (!match.allowed_methods.empty()) {
        const std::string allow = joinMethods(match.allowed_methods);
        result.reply = errorReply(
            405, "METHOD_NOT_ALLOWED",
            "method " + req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")",
            ctx.trace_id, nlohmann::json{{"allowed", match.allowed_methods}});
        result.reply.setHeader("Allow", allow);
      } else {
        result.reply = errorReply(404, "NOT_FOUND", "no route for " + req.method + " " + req.path,
                                  ctx.trace_id);
      }
      return result;
    }
    result.route_label = match.route->pattern;
    if (auto refused = refuseDeepJsonBody(req, json_max_depth, ctx.trace_id)) {
      result.reply = std::move(*refused);
      return result;
    }
    result.reply = runRoute(req, ctx, match, interceptor, txn_hooks);
  } catch (const std::exception& e) {
    result.reply = errorReply(500, "INTERNAL", e.what(), ctx.trace_id);
  } catch (...) {
    result.reply = errorReply(500, "INTERNAL", "unexpected error", ctx.trace_id);
  }
  hideInternalDetail(result, req, ctx);
  return result;
}

}  // namespace jobengine::host
