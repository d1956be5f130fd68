// provider_spec.cpp — see provider_spec.hpp: the VEX formats and their defaults over the kit's
// source record.
#include "core/provider_spec.hpp"

namespace jobengine::excititor {

namespace {

using nlohmann::json;

json defaultArtifactKinds(const std::string& source) {
  if (source == "openvex") {
    return json::array({"openvex-json"});
  }
  if (source == "csaf") {
    return json::array({"csaf-json"});
  }
  return json::array({"cyclonedx-vex-json"});
}

}  // namespace

adapter::RecordKind providerKind() {
  adapter::RecordKind kind;
  kind.plugin_name = "excititor";
  kind.id_field = "providerId";
  kind.noun = "provider";
  kind.noun_plural = "providers";
  kind.sources = {"openvex", "csaf", "cyclonedx"};
  kind.id_example = "acme-openvex";
  kind.base_uri_hint = "the folder holding changes.csv, e.g. \"https://vex.example.com/openvex/\"";
  kind.default_capabilities = [](const std::string& /*source*/) { return json::array({"vex"}); };
  kind.default_artifact_kinds = defaultArtifactKinds;
  // No check_options: no VEX format has options, so any is refused.
  return kind;
}

ProviderInput parseProviderCreate(const json& body) {
  return adapter::parseRecordCreate(providerKind(), body);
}

ProviderInput parseProviderReplace(const json& body, const json& current) {
  return adapter::parseRecordReplace(providerKind(), body, current);
}

std::string providerLockKey(const std::string& tenant, const std::string& provider_id) {
  return adapter::recordLockKey(providerKind(), tenant, provider_id);
}

std::string sourceKindOf(const std::string& source) {
  return adapter::sourceKindOf(providerKind(), source);
}

json schedulerSourceFor(const std::string& tenant, const json& record) {
  return adapter::schedulerSourceFor(providerKind(), tenant, record);
}

}  // namespace jobengine::excititor
