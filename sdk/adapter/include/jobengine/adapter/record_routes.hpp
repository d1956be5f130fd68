// jobengine/adapter/record_routes.hpp — an adapter plugin's registry routes (SPEC §8):
// GET/POST {api_base}/{collection} and GET/PUT {api_base}/{collection}/{id}, e.g.
// /api/v1/jobengine/concelier/connectors. Every route runs in the request's tenant-bound
// transaction (JE_ROUTE_TXN); a write upserts the record's scheduler source through je.sources
// in that same transaction, so the record, its source, its schedule and their events commit
// together or not at all.
//
// Decisions (the plugins' READMEs, "Connectors" / "Providers"):
//  * the id is the path id, unique per tenant and immutable; POST of an existing one is 409
//    <NOUN>_EXISTS (CONNECTOR_EXISTS). PUT replaces the record (the whole body again), If-Match
//    optional (412 on a stale ETag "v<version>"); GET honours If-None-Match (304). An unknown id
//    is 404 <NOUN>_NOT_FOUND.
//  * Without je.sources (no scheduler) a write answers 503 SOURCES_UNAVAILABLE: a record that
//    could never sync is not registered.
//  * The scheduler's validation of schedule and ratePolicy is the one place those rules live:
//    its refusal comes back as 422 naming the field.
//  * Writes emit "<noun>.created" / "<noun>.updated" with data {<noun>: record}.
// The words come from the store's RecordKind; the operations must be described in the plugin's
// openapi/ folder (doc.operation). Part of je_adapter_registry.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>
#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include <jobengine/pagination.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::adapter {

// GET {api_base}/info (scope orch:read): answers `info` ({id, version, description, config}).
void registerInfoRoute(sdk::Host& host, sdk::ApiDoc& doc, const std::string& api_base,
                       const nlohmann::json& info);

// The SPEC §5 error envelope, for the plugins' own data routes too.
void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message,
               const nlohmann::json& details = nullptr);

// A list route's page keyed by one string (a record id, an observation id): the page request
// and the key to continue after. Answers the error envelope itself and returns nullopt when the
// page size or token is refused, or when the token's key fails `valid_key` (if given).
struct StringKeyPage {
  sdk::PageRequest page;
  std::optional<std::string> after;
};
std::optional<StringKeyPage> readStringKeyPage(const sdk::Request& request, sdk::Response& response,
                                               const std::string& binding,
                                               bool (*valid_key)(std::string_view) = nullptr);

// `services` (its records() store included) must outlive the routes.
void registerRecordRoutes(sdk::Host& host, sdk::ApiDoc& doc, AdapterServices& services,
                          const std::string& api_base);

}  // namespace jobengine::adapter
