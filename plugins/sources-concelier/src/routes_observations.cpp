// routes_observations.cpp — GET /api/v1/jobengine/concelier/observations: what was ingested,
// one item per advisory per document, each with the raw document's digest and its provenance
// (SPEC §8). Filters: connectorId, advisoryId (the advisory's own id or one of its aliases),
// modifiedSince (RFC 3339: the upstream's modified time at or after it). Ordered by id
// (creation order), keyset-paginated; the page token is bound to the filters.
#include <jobengine/ids.hpp>
#include <jobengine/pagination.hpp>
#include <jobengine/time_format.hpp>

#include "plugin_identity.hpp"
#include "routes.hpp"

namespace jobengine::concelier {

namespace {

const std::string kObservations = std::string(kApiBase) + "/observations";

constexpr const char* kSelect = R"SQL(
SELECT o.id::text, jsonb_build_object(
  'id', o.id, 'connectorId', o.connector_id, 'source', o.source_kind,
  'advisoryId', o.advisory_id, 'aliases', to_jsonb(o.aliases),
  'modified', to_char(o.modified AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'published', to_char(o.published AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'summary', o.summary, 'detail', o.detail, 'digest', o.digest,
  'provenance', jsonb_build_object(
    'uri', o.uri,
    'fetchedAt', to_char(o.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'upstreamEtag', o.upstream_etag, 'runId', o.run_id),
  'createdAt', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
FROM )SQL" JE_ADAPTER_SCHEMA R"SQL(.observations o
WHERE o.tenant_id = $1
  AND ($2::text IS NULL OR o.connector_id = $2)
  AND ($3::text IS NULL OR o.advisory_id = $3 OR o.aliases @> ARRAY[$3::text])
  AND ($4::timestamptz IS NULL OR o.modified >= $4::timestamptz)
  AND ($5::uuid IS NULL OR o.id > $5::uuid)
ORDER BY o.id
LIMIT $6::int
)SQL";

std::optional<std::string> query(const sdk::Request& request, const char* name) {
  const auto value = request.query(name);
  return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

void listObservations(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto connector = query(request, "connectorId");
  const auto advisory = query(request, "advisoryId");
  const auto since = query(request, "modifiedSince");
  if (since && !sdk::parseRfc3339(*since)) {
    sendError(response, request, 400, "INVALID_QUERY",
              "modifiedSince: must be an RFC 3339 time such as \"2026-01-01T00:00:00Z\"",
              {{"field", "modifiedSince"}});
    return;
  }
  const std::string binding = sdk::pageBinding(
      "GET " + kObservations,
      {{"connectorId", connector}, {"advisoryId", advisory}, {"modifiedSince", since}});
  const auto page = adapter::readStringKeyPage(request, response, binding, &sdk::isUuid);
  if (!page) {
    return;
  }
  const std::optional<std::string>& after = page->after;
  std::vector<std::pair<std::string, nlohmann::json>> rows;
  txn.exec(kSelect, {txn.tenant(), connector, advisory, since, after, page->page.fetchLimit()},
           [&](const sdk::Row& r) { rows.emplace_back(r.str(0), r.json(1)); });
  const auto next = sdk::finishPage(
      rows, page->page,
      [](const std::pair<std::string, nlohmann::json>& row) { return nlohmann::json{row.first}; },
      binding);
  nlohmann::json items = nlohmann::json::array();
  for (auto& row : rows) {
    items.push_back(std::move(row.second));
  }
  nlohmann::json body = {{"observations", items}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  response.json(200, body);
}

}  // namespace

void registerObservationRoutes(sdk::Host& host, sdk::ApiDoc& doc) {
  sdk::Host* h = &host;
  host.route(
      "GET", kObservations.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listObservations(*h, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kObservations));
}

}  // namespace jobengine::concelier
