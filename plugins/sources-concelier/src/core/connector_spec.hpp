// connector_spec.hpp — the Concelier connector record (SPEC §8 "Registry record", issue 15): the
// adapter kit's source record (jobengine/adapter/source_record.hpp: the common fields, their
// validation and defaults, the scheduler source) keyed by connectorId, with this plugin's formats
// and their defaults. Validates POST /concelier/connectors and PUT /concelier/connectors/{id}
// bodies. Pure: JSON in, JSON out.
//
// What is Concelier's own:
//   source        "osv" | "nvd" | "kev" (the feed format)
//   baseUri       OSV: the ecosystem folder holding modified_id.csv; NVD: the CVE API 2.0
//                 endpoint (a mirror: the folder of page-<startIndex>.json); KEV: the catalog
//   capabilities  default ["advisories"], KEV ["exploited"]
//   authRef       NVD sends it as its apiKey header
//   artifactKinds default per source: osv-json, nvd-cve-page, kev-catalog
//   options       NVD: {resultsPerPage: 1..2000 (2000)}; others: {}
#pragma once

#include <jobengine/adapter/source_record.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::concelier {

using InputError = adapter::RecordInputError;
using ConnectorInput = adapter::RecordInput;

// The connector kind: id field connectorId, the plugin's name (plugin_identity.hpp) as the
// prefix of lock keys and source kinds.
adapter::RecordKind connectorKind();

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
