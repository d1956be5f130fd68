// routes_statements.cpp — GET /api/v1/jobengine/excititor/statements: what was ingested, one item
// per (vulnerability, product) per document, each with the raw document's digest and its
// provenance (SPEC §8). Filters: providerId, vulnerability, product (exact), status (the
// normalized word), modifiedSince (RFC 3339: the statement's modified time at or after it).
// Ordered by id (creation order), keyset-paginated; the page token is bound to the filters.
#include <jobengine/ids.hpp>
#include <jobengine/pagination.hpp>
#include <jobengine/time_format.hpp>

#include "core/vex_status.hpp"
#include "routes.hpp"

namespace jobengine::excititor {

namespace {

const std::string kStatements = std::string(kApiBase) + "/statements";

constexpr const char* kSelect = R"SQL(
SELECT s.id::text, jsonb_build_object(
  'id', s.id, 'providerId', s.provider_id, 'source', s.source_kind,
  'documentId', s.document_id, 'vulnerability', s.vulnerability, 'product', s.product,
  'status', s.status, 'statusRaw', s.status_raw, 'justification', s.justification,
  'modified', to_char(s.modified AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'detail', s.detail, 'digest', s.digest,
  'provenance', jsonb_build_object(
    'uri', s.uri,
    'fetchedAt', to_char(s.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'upstreamEtag', s.upstream_etag, 'runId', s.run_id),
  'createdAt', to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
FROM excititor.statements s
WHERE s.tenant_id = $1
  AND ($2::text IS NULL OR s.provider_id = $2)
  AND ($3::text IS NULL OR s.vulnerability = $3)
  AND ($4::text IS NULL OR s.product = $4)
  AND ($5::text IS NULL OR s.status = $5)
  AND ($6::timestamptz IS NULL OR s.modified >= $6::timestamptz)
  AND ($7::uuid IS NULL OR s.id > $7::uuid)
ORDER BY s.id
LIMIT $8::int
)SQL";

std::optional<std::string> query(const sdk::Request& request, const char* name) {
  const auto value = request.query(name);
  return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

void listStatements(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto provider = query(request, "providerId");
  const auto vulnerability = query(request, "vulnerability");
  const auto product = query(request, "product");
  const auto status = query(request, "status");
  const auto since = query(request, "modifiedSince");
  // OpenVEX's words are the normalized ones (vex_status.hpp).
  if (status && !normalizeStatus(openVexStatusTable(), *status)) {
    sendError(response, request, 400, "INVALID_QUERY",
              "status: must be one of not_affected, affected, fixed, under_investigation (the "
              "normalized status)",
              {{"field", "status"}});
    return;
  }
  if (since && !sdk::parseRfc3339(*since)) {
    sendError(response, request, 400, "INVALID_QUERY",
              "modifiedSince: must be an RFC 3339 time such as \"2026-01-01T00:00:00Z\"",
              {{"field", "modifiedSince"}});
    return;
  }
  const std::string binding =
      sdk::pageBinding("GET " + kStatements, {{"providerId", provider},
                                              {"vulnerability", vulnerability},
                                              {"product", product},
                                              {"status", status},
                                              {"modifiedSince", since}});
  const auto page = adapter::readStringKeyPage(request, response, binding, &sdk::isUuid);
  if (!page) {
    return;
  }
  const std::optional<std::string>& after = page->after;
  std::vector<std::pair<std::string, nlohmann::json>> rows;
  txn.exec(kSelect,
           {txn.tenant(), provider, vulnerability, product, status, since, after,
            page->page.fetchLimit()},
           [&](const sdk::Row& r) { rows.emplace_back(r.str(0), r.json(1)); });
  const auto next = sdk::finishPage(
      rows, page->page,
      [](const std::pair<std::string, nlohmann::json>& row) { return nlohmann::json{row.first}; },
      binding);
  nlohmann::json items = nlohmann::json::array();
  for (auto& row : rows) {
    items.push_back(std::move(row.second));
  }
  nlohmann::json body = {{"statements", items}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  response.json(200, body);
}

}  // namespace

void registerStatementRoutes(sdk::Host& host, sdk::ApiDoc& doc) {
  sdk::Host* h = &host;
  host.route(
      "GET", kStatements.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listStatements(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", kStatements));
}

}  // namespace jobengine::excititor
