// routes_connectors.cpp — /api/v1/jobengine/concelier/connectors: the connector registry (SPEC
// §8). Every route runs in the request's tenant-bound transaction (JE_ROUTE_TXN); a write
// upserts the connector's scheduler source through je.sources in that same transaction, so
// the connector, its source, its schedule and their events commit together or not at all.
//
// Decisions (README "Connectors"):
//  * connectorId is the path id, unique per tenant and immutable; POST of an existing one is
//    409 CONNECTOR_EXISTS. PUT replaces the record (the whole body again), If-Match optional
//    (412 on a stale ETag "v<version>"); GET honours If-None-Match (304).
//  * Without je.sources (no scheduler) a write answers 503 SOURCES_UNAVAILABLE: a connector
//    that could never sync is not registered.
//  * The scheduler's validation of schedule and ratePolicy is the one place those rules live:
//    its refusal comes back as 422 naming the field.
#include <jobengine/etag.hpp>
#include <jobengine/pagination.hpp>

#include "connector_store.hpp"
#include "core/connector_spec.hpp"
#include "routes.hpp"

namespace jobengine::concelier {

namespace {

const std::string kConnectors = std::string(kApiBase) + "/connectors";

uint64_t versionOf(const nlohmann::json& connector) {
  return static_cast<uint64_t>(connector["version"].get<int64_t>());
}

void sendConnector(sdk::Response& response, int status, const nlohmann::json& connector) {
  response.header("ETag", sdk::makeEtag(versionOf(connector)));
  response.json(status, connector);
}

void sendInputError(sdk::Response& response, const sdk::Request& request, const InputError& e) {
  sendError(response, request, e.status, e.code, e.message,
            e.field.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"field", e.field}});
}

std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response) {
  auto parsed = request.json();
  if (!parsed) {
    sendError(response, request, 400, "INVALID_JSON", "the request body is not valid JSON");
  }
  return parsed;
}

// Writes the connector's scheduler source; answers 503 / 422 itself and returns nullopt.
std::optional<std::string> upsertSource(AdapterContext& ctx, sdk::Txn& txn,
                                        const sdk::Request& request, sdk::Response& response,
                                        const nlohmann::json& record) {
  const sdk::Sources* sources = ctx.sources();
  if (sources == nullptr) {
    sendError(response, request, 503, "SOURCES_UNAVAILABLE",
              "je.sources is not provided (the scheduler plugin is not loaded): connectors "
              "cannot be registered");
    return std::nullopt;
  }
  try {
    const auto answer = sources->upsertSource(txn, schedulerSourceFor(txn.tenant(), record));
    return answer["source"]["id"].get<std::string>();
  } catch (const sdk::Error& e) {
    if (e.status() != JE_ERR_INVALID) {
      throw;
    }
    // "je.sources upsert_source: VALIDATION_FAILED: schedule.cron: ..." -> the field's message.
    std::string message = e.what();
    for (const char* prefix : {"je.sources upsert_source: ", "VALIDATION_FAILED: "}) {
      if (message.rfind(prefix, 0) == 0) {
        message.erase(0, std::char_traits<char>::length(prefix));
      }
    }
    const std::string field = message.substr(0, message.find(':'));
    sendError(response, request, 422, "VALIDATION_FAILED", message, {{"field", field}});
    return std::nullopt;
  }
}

void emit(AdapterContext& ctx, sdk::Txn& txn, const std::string& type,
          const nlohmann::json& connector) {
  ctx.host().emit(txn, {{"eventType", type},
                        {"sourceId", connector["sourceId"]},
                        {"data", {{"connector", connector}}}});
}

void listConnectorsRoute(AdapterContext& ctx, const sdk::Request& request,
                         sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const std::string binding = sdk::pageBinding("GET " + kConnectors);
  auto page =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 1);
  if (!page) {
    sendError(response, request, page.error->status, page.error->code, page.error->message,
              page.error->details);
    return;
  }
  std::optional<std::string> after;
  if (page.value.after) {
    const auto& key = (*page.value.after)[0];
    if (!key.is_string()) {
      sendError(response, request, 400, "INVALID_PAGE_TOKEN", "the token's key is not valid here");
      return;
    }
    after = key.get<std::string>();
  }
  nlohmann::json items = listConnectors(txn, after, page.value.fetchLimit());
  const auto next = sdk::finishPage(
      items, page.value, [](const nlohmann::json& c) { return nlohmann::json{c["connectorId"]}; },
      binding);
  nlohmann::json body = {{"connectors", items}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  response.json(200, body);
}

void createConnectorRoute(AdapterContext& ctx, const sdk::Request& request,
                          sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const ConnectorInput input = parseConnectorCreate(*body);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  const std::string id = input.record["connectorId"].get<std::string>();
  if (loadConnector(txn, id, true)) {
    sendError(response, request, 409, "CONNECTOR_EXISTS",
              "a connector '" + id + "' already exists in this tenant; PUT " + kConnectors + "/" +
                  id + " changes it",
              {{"connectorId", id}});
    return;
  }
  const auto source_id = upsertSource(ctx, txn, request, response, input.record);
  if (!source_id) {
    return;
  }
  const nlohmann::json connector = insertConnector(txn, input.record, *source_id);
  emit(ctx, txn, "connector.created", connector);
  response.header("Location", kConnectors + "/" + id);
  sendConnector(response, 201, connector);
}

void getConnectorRoute(AdapterContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const std::string id(request.param("id").value_or(""));
  const auto connector = loadConnector(txn, id);
  if (!connector) {
    sendError(response, request, 404, "CONNECTOR_NOT_FOUND", "no connector '" + id + "'",
              {{"connectorId", id}});
    return;
  }
  const auto none_match = request.header("If-None-Match");
  if (none_match && sdk::etagListMatches(*none_match, versionOf(*connector))) {
    response.header("ETag", sdk::makeEtag(versionOf(*connector)));
    response.status(304);
    return;
  }
  sendConnector(response, 200, *connector);
}

void replaceConnectorRoute(AdapterContext& ctx, const sdk::Request& request,
                           sdk::Response& response) {
  auto txn = ctx.host().borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const std::string id(request.param("id").value_or(""));
  const auto current = loadConnector(txn, id, true);
  if (!current) {
    sendError(response, request, 404, "CONNECTOR_NOT_FOUND", "no connector '" + id + "'",
              {{"connectorId", id}});
    return;
  }
  if (const auto refused = sdk::checkIfMatch(request.header("If-Match"), versionOf(*current))) {
    sendError(response, request, refused->status, refused->code, refused->message,
              refused->details);
    return;
  }
  const ConnectorInput input = parseConnectorReplace(*body, *current);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  if (!upsertSource(ctx, txn, request, response, input.record)) {
    return;
  }
  const nlohmann::json connector = replaceConnector(txn, input.record);
  emit(ctx, txn, "connector.updated", connector);
  sendConnector(response, 200, connector);
}

}  // namespace

void registerConnectorRoutes(sdk::Host& host, sdk::ApiDoc& doc, AdapterContext& context) {
  AdapterContext* ctx = &context;
  const std::string item = kConnectors + "/:id";
  host.route(
      "GET", kConnectors.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { listConnectorsRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kConnectors));
  host.route(
      "POST", kConnectors.c_str(), "orch:operate",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { createConnectorRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", kConnectors));
  host.route(
      "GET", item.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { getConnectorRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", item));
  host.route(
      "PUT", item.c_str(), "orch:operate",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { replaceConnectorRoute(*ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("PUT", item));
}

}  // namespace jobengine::concelier
