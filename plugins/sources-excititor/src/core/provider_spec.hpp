// provider_spec.hpp — the Excititor provider record (SPEC §8 "Registry record", issue 15): the
// same fields as a Concelier connector, keyed by providerId (the API path is
// /excititor/providers/{id}; README "Decisions"). Validation of POST /excititor/providers and
// PUT /excititor/providers/{id} bodies, the defaults, and the scheduler source a provider stands
// for. Pure: JSON in, JSON out.
//
// Fields (camelCase):
//   providerId    required on create, immutable: 1-63 of a-z 0-9 -, starting alphanumeric
//   source        required on create, immutable: "openvex" | "csaf" | "cyclonedx" (the format)
//   baseUri       required: https://, http:// or file:/// (an offline mirror): the folder holding
//                 changes.csv (CSAF 2.0 §7.1.16; the OpenVEX and CycloneDX mirrors publish one too)
//   capabilities  array of strings (default ["vex"])
//   authRef       "env:NAME" or "file:/path" naming where the secret is (never the secret); sent
//                 as "Authorization: Bearer <secret>" to a network upstream; null: none
//   schedule      the scheduler's source schedule {cron, timeZone, maxParallelRuns,
//                 maxLagMinutes, ...} (validated there); null: sync on demand only
//   ratePolicy    {rpm, burst, cooldownSeconds} (validated by the scheduler); null: no egress
//                 to a network host (a file:// mirror needs none)
//   artifactKinds array of strings (default per source: openvex-json, csaf-json,
//                 cyclonedx-vex-json)
//   egressGuard   {allowlist: [host | host:port | *.suffix], airgapMode: bool}; default
//                 {allowlist: [], airgapMode: false}: no network host at all (fail closed)
//   options       {} (no format has options yet)
//   enabled       boolean (default true)
// Any other field is 422 UNKNOWN_FIELD naming it and the allowed ones.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::excititor {

struct InputError {
  int status = 422;
  std::string code = "VALIDATION_FAILED";
  std::string message;
  std::string field;
};

struct ProviderInput {
  nlohmann::json record;  // every field, defaults filled in
  std::optional<InputError> error;
};

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
