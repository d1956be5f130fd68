// provider_spec.hpp — the Excititor provider record (SPEC §8 "Registry record", issue 15): the
// adapter kit's source record (jobengine/adapter/source_record.hpp: the same fields as a
// Concelier connector, their validation and defaults, the scheduler source) keyed by providerId
// (the API path is /excititor/providers/{id}; README "Decisions"), with the VEX formats.
// Validates POST /excititor/providers and PUT /excititor/providers/{id} bodies. Pure: JSON in,
// JSON out.
//
// What is Excititor's own:
//   source        "openvex" | "csaf" | "cyclonedx" (the format)
//   baseUri       the folder holding changes.csv (CSAF 2.0 §7.1.16; the OpenVEX and CycloneDX
//                 mirrors publish one too)
//   capabilities  default ["vex"]
//   authRef       sent as "Authorization: Bearer <secret>" to a network upstream
//   artifactKinds default per source: openvex-json, csaf-json, cyclonedx-vex-json
//   options       {} (no format has options yet)
#pragma once

#include <jobengine/adapter/source_record.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::excititor {

using InputError = adapter::RecordInputError;
using ProviderInput = adapter::RecordInput;

// The provider kind: id field providerId, "excititor" the prefix of lock keys and source kinds.
adapter::RecordKind providerKind();

// A new provider: providerId and source required.
ProviderInput parseProviderCreate(const nlohmann::json& body);
// A replacement of `current` (the stored record): the body names the whole record again;
// providerId and source may be repeated but not changed.
ProviderInput parseProviderReplace(const nlohmann::json& body, const nlohmann::json& current);

// "excititor:{tenant}:{providerId}" (SPEC §8).
std::string providerLockKey(const std::string& tenant, const std::string& provider_id);
// The scheduler source a provider is (je.sources upsert_source body): name
// "excititor:{providerId}", kind "excititor.{source}", upstreamHost from a network baseUri.
nlohmann::json schedulerSourceFor(const std::string& tenant, const nlohmann::json& record);
// "excititor.{source}": the source kind whose sync DAG this plugin declares.
std::string sourceKindOf(const std::string& source);

}  // namespace jobengine::excititor
