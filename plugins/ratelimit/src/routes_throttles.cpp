// routes_throttles.cpp — HTTP glue for /api/v1/jobengine/throttles, in the request's tenant-bound
// transaction (JE_ROUTE_TXN), each change with its throttle.* event in that transaction.
//
// Decisions (plugins/ratelimit/README.md, "Throttles"):
//  * GET lists the active throttles (expires_at > now()) in id order, keyset-paginated; an
//    expired row is gone for the API at once, the sweeper deletes it with throttle.expired.
//  * POST needs the operator reason (the host refuses it without) and the ticket (SPEC §5: a
//    throttle is an audited override; the host asks the ticket only of orch:backfill, so this
//    route answers 400 OPERATOR_TICKET_REQUIRED itself). Both are stored in the row, with
//    created_by = the token's subject.
//  * DELETE of an absent or expired throttle: 404.
#include "routes_throttles.hpp"

#include "common_store.hpp"
#include "throttle_store.hpp"

namespace jobengine::ratelimit {

namespace {

const std::string kThrottlesBase = std::string(kApiBase) + "/throttles";

void listThrottles(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto page = pageRequest(request, response, "GET " + kThrottlesBase);
  if (!page) {
    return;
  }
  bool refused = false;
  const auto after = pageKey(*page, request, response, isUuid, refused);
  if (refused) {
    return;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& t : listActiveThrottles(txn, after, page->fetchLimit())) {
    items.push_back(throttleJson(t));
  }
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, *page, [](const nlohmann::json& t) { return nlohmann::json::array({t["id"]}); },
          "GET " + kThrottlesBase)) {
    body["nextPageToken"] = *next;
  }
  body["throttles"] = items;
  response.json(200, body);
}

void createThrottle(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  if (request.operatorTicket().empty()) {
    sendError(response, request, 400, "OPERATOR_TICKET_REQUIRED",
              "X-StellaOps-Operator-Ticket is required to create a throttle (at most 128 "
              "characters)",
              {{"header", "X-StellaOps-Operator-Ticket"}});
    return;
  }
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  NewThrottle throttle;
  throttle.input = parseThrottleCreate(*body, dbNow(txn));
  if (throttle.input.error) {
    sendInputError(response, request, *throttle.input.error);
    return;
  }
  throttle.id = ctx.ids->next();
  throttle.reason = std::string(request.operatorReason());
  throttle.ticket = std::string(request.operatorTicket());
  if (!request.subject().empty()) {
    throttle.created_by = std::string(request.subject());
  }
  const ThrottleRow row = insertThrottle(txn, throttle);
  emitEvent(ctx, txn, "throttle.created", {{"throttle", throttleJson(row)}});
  response.header("Location", kThrottlesBase + "/" + row.id);
  response.json(201, throttleJson(row));
}

void deleteThrottle(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto row = isUuid(id) ? deleteActiveThrottle(txn, id) : std::nullopt;
  if (!row) {
    sendNotFound(response, request, "active throttle with id", id, {{"id", id}});
    return;
  }
  emitEvent(ctx, txn, "throttle.deleted", {{"throttle", throttleJson(*row)}});
  response.status(204);
}

}  // namespace

void registerThrottleRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx) {
  const std::string item = kThrottlesBase + "/:id";
  host.route(
      "GET", kThrottlesBase.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { listThrottles(ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kThrottlesBase));
  host.route(
      "POST", kThrottlesBase.c_str(), "orch:quota",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { createThrottle(ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", kThrottlesBase));
  host.route(
      "DELETE", item.c_str(), "orch:quota",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { deleteThrottle(ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("DELETE", item));
}

}  // namespace jobengine::ratelimit
