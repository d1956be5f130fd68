// See api_routes.hpp. Handlers are C++ lambdas over je_request / je_response, like the other
// host routes; the events listing reads through the request's tenant-bound transaction, so
// row-level security limits it to the caller's tenant as well as the WHERE clause.
#include "app/api_routes.hpp"

#include <jobengine/pagination.hpp>

#include <charconv>

#include "api/api_reference_html.hpp"
#include "api/host_api_doc.hpp"
#include "api/http_error.hpp"
#include "api/openapi_builder.hpp"
#include "core/version.hpp"
#include "events/event_envelope.hpp"
#include "http/error_envelope.hpp"
#include "retention/retention_rules.hpp"
#include "store/store.hpp"
#include "store/store_service.hpp"

namespace jobengine::host {
namespace {

constexpr std::string_view kEventsBinding = "GET /api/v1/jobengine/events";

void respond(je_response* resp, int status, const std::string& body,
             std::string_view content_type = {}) {
  resp->set_status(resp, status);
  if (!content_type.empty()) {
    constexpr std::string_view kContentType = "Content-Type";
    resp->set_header(resp, kContentType.data(), kContentType.size(), content_type.data(),
                     content_type.size());
  }
  resp->write(resp, body.data(), body.size());
}

std::string str(je_str s) { return s.data == nullptr ? std::string{} : std::string(s.data, s.len); }

std::optional<std::string> queryOf(const je_request* req, const char* name) {
  je_str out{};
  if (req->query_param(req, name, &out) != JE_OK) {
    return std::nullopt;
  }
  return str(out);
}

void respondError(je_response* resp, const je_request* req, const HttpError& e) {
  respond(resp, e.status, errorEnvelope(e, str(req->trace_id)).dump());
}

void respondClientError(je_response* resp, const je_request* req, const sdk::ClientError& e) {
  respondError(resp, req, makeHttpError(e.status, e.code, e.message, e.details));
}

std::string dumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

je_status listEvents(const je_request* req, je_response* resp) {
  const auto page_size = queryOf(req, "page_size");
  const auto page_token = queryOf(req, "page_token");
  const auto page = sdk::parsePageRequest(page_size, page_token, kEventsBinding, 1);
  if (!page) {
    respondClientError(resp, req, *page.error);
    return JE_OK;
  }
  int64_t after = -1;
  if (page.value.after) {
    const nlohmann::json& seq = (*page.value.after)[0];
    if (!seq.is_number_integer() || seq.get<int64_t>() < 0) {
      respondClientError(resp, req, sdk::invalidPageToken("the token's key is not an event seq"));
      return JE_OK;
    }
    after = seq.get<int64_t>();
  } else if (const auto raw = queryOf(req, "after"); raw && !raw->empty()) {
    const auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), after);
    if (ec != std::errc() || ptr != raw->data() + raw->size() || after < 0) {
      respondError(resp, req,
                   makeHttpError(400, "INVALID_QUERY",
                                 "after must be a non-negative event seq, got '" + *raw + "'",
                                 {{"parameter", "after"}}));
      return JE_OK;
    }
  }
  Transaction* txn = transactionOf(req->txn);
  if (after > 0) {
    // Retention (docs/operations.md "Retention"): a position below the tenant's pruned-through
    // mark would silently skip pruned events, so it is refused, naming where to resume.
    std::optional<int64_t> pruned;
    txn->exec("SELECT pruned_through_seq FROM jobengine.retention WHERE tenant_id = $1",
              {txn->tenant()}, [&pruned](const pqxx::row& row) {
                pruned = row[0].as<int64_t>();
                return true;
              });
    if (resumeWasPruned(after, pruned)) {
      std::optional<int64_t> oldest;
      txn->exec(
          "SELECT seq FROM jobengine.events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq "
          "LIMIT 1",
          {txn->tenant(), std::to_string(*pruned)}, [&oldest](const pqxx::row& row) {
            oldest = row[0].as<int64_t>();
            return true;
          });
      nlohmann::json details = {
          {"position", after}, {"prunedThrough", *pruned}, {"oldestAvailableAfter", *pruned}};
      if (oldest) {
        details["oldestAvailableSeq"] = *oldest;
      }
      respondError(resp, req,
                   makeHttpError(410, "POSITION_PRUNED",
                                 prunedPositionMessage(after, *pruned, oldest), details));
      return JE_OK;
    }
  }
  std::vector<nlohmann::json> events;
  txn->exec(std::string("SELECT ") + kEventColumns +
                " FROM jobengine.events WHERE tenant_id = $1 AND seq > $2 "
                "AND seq < jobengine.event_horizon() ORDER BY seq LIMIT $3",
            {txn->tenant(), std::to_string(after), std::to_string(page.value.fetchLimit())},
            [&events](const pqxx::row& row) {
              events.push_back(envelopeFromRow(eventRowFrom(row)));
              return true;
            });
  const auto next = sdk::finishPage(
      events, page.value, [](const nlohmann::json& e) { return nlohmann::json::array({e["seq"]}); },
      kEventsBinding);
  nlohmann::json body = {{"items", events}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  respond(resp, 200, dumpJson(body));
  return JE_OK;
}

// A GET route of the host, described by host/openapi/operations.json.
RouteEntry getRoute(sdk::ApiDoc& doc, std::string pattern, std::string scope, uint32_t flags,
                    RouteHandler handler) {
  const char* openapi = doc.operation("GET", pattern);
  RouteEntry entry;
  entry.owner = "host";
  entry.method = "GET";
  entry.pattern = std::move(pattern);
  entry.scope = std::move(scope);
  entry.flags = flags;
  entry.openapi_json = openapi;
  entry.handler = std::move(handler);
  return entry;
}

}  // namespace

std::optional<std::string> registerApiRoutes(RouteTable& routes) {
  RouteTable* table = &routes;
  sdk::ApiDoc doc = hostApiDoc();
  auto events = [](const je_request* req, je_response* resp) { return listEvents(req, resp); };
  auto build_document = [table] {
    OpenApiInfo info;
    info.version = std::string(hostVersion());
    return OpenApiBuilder(info).build(table->list(), table->components().merged());
  };
  auto document = [build_document](const je_request*, je_response* resp) {
    respond(resp, 200, dumpJson(build_document()));
    return JE_OK;
  };
  // The same document, rendered for people (api/api_reference_html.hpp).
  auto reference = [build_document](const je_request*, je_response* resp) {
    respond(resp, 200, renderApiReferenceHtml(build_document()), "text/html; charset=utf-8");
    return JE_OK;
  };
  auto well_known = [](const je_request*, je_response* resp) {
    constexpr std::string_view kLink = "Link";
    constexpr std::string_view kValue = "</openapi/jobengine.json>; rel=\"service-desc\"";
    resp->set_header(resp, kLink.data(), kLink.size(), kValue.data(), kValue.size());
    respond(
        resp, 200,
        R"({"openapi":"/openapi/jobengine.json","version":"3.1.0","format":"application/json"})");
    return JE_OK;
  };
  for (auto& entry : {getRoute(doc, "/api/v1/jobengine/events", "orch:read", JE_ROUTE_TXN, events),
                      getRoute(doc, "/openapi/jobengine.json", "", JE_ROUTE_PUBLIC, document),
                      getRoute(doc, "/.well-known/openapi", "", JE_ROUTE_PUBLIC, well_known),
                      getRoute(doc, "/docs", "", JE_ROUTE_PUBLIC, reference)}) {
    if (auto error = routes.add(entry)) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::host
