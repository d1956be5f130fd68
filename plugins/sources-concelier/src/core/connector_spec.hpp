// connector_spec.hpp — the Concelier connector record (SPEC §8 "Registry record", issue 15):
// validation of POST /concelier/connectors and PUT /concelier/connectors/{id} bodies, the
// defaults, and the scheduler source a connector stands for. Pure: JSON in, JSON out.
//
// Fields (camelCase):
//   connectorId   required on create, immutable: 1-63 of a-z 0-9 -, starting alphanumeric
//   source        required on create, immutable: "osv" | "nvd" | "kev" (the feed format)
//   baseUri       required: https://, http:// or file:/// (an offline mirror). OSV: the
//                 ecosystem folder holding modified_id.csv; NVD: the CVE API 2.0 endpoint (a
//                 mirror: the folder of page-<startIndex>.json); KEV: the catalog itself
//   capabilities  array of strings (default ["advisories"], KEV ["exploited"])
//   authRef       "env:NAME" or "file:/path" naming where the secret is (never the secret);
//                 NVD sends it as its apiKey header; null: none
//   schedule      the scheduler's source schedule {cron, timeZone, maxParallelRuns,
//                 maxLagMinutes, ...} (validated there); null: sync on demand only
//   ratePolicy    {rpm, burst, cooldownSeconds} (validated by the scheduler); null: no egress
//                 to a network host (a file:// mirror needs none)
//   artifactKinds array of strings (default per source: osv-json, nvd-cve-page, kev-catalog)
//   egressGuard   {allowlist: [host | host:port | *.suffix], airgapMode: bool}; default
//                 {allowlist: [], airgapMode: false}: no network host at all (fail closed)
//   options       NVD: {resultsPerPage: 1..2000 (2000)}; others: {}
//   enabled       boolean (default true)
// Any other field is 422 UNKNOWN_FIELD naming it and the allowed ones.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::concelier {

struct InputError {
  int status = 422;
  std::string code = "VALIDATION_FAILED";
  std::string message;
  std::string field;
};

struct ConnectorInput {
  nlohmann::json record;  // every field, defaults filled in
  std::optional<InputError> error;
};

// A new connector: connectorId and source required.
ConnectorInput parseConnectorCreate(const nlohmann::json& body);
// A replacement of `current` (the stored record): the body names the whole record again;
// connectorId and source may be repeated but not changed.
ConnectorInput parseConnectorReplace(const nlohmann::json& body, const nlohmann::json& current);

// "concelier:{tenant}:{connectorId}" (SPEC §8).
std::string connectorLockKey(const std::string& tenant, const std::string& connector_id);
// The scheduler source a connector is (je.sources upsert_source body): name
// "concelier:{connectorId}", kind "concelier.{source}", upstreamHost from a network baseUri.
nlohmann::json schedulerSourceFor(const std::string& tenant, const nlohmann::json& record);
// "concelier.{source}": the source kind whose sync DAG this plugin declares.
std::string sourceKindOf(const std::string& source);

}  // namespace jobengine::concelier
