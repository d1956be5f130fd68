// connector_spec.cpp — see connector_spec.hpp: Concelier's formats, their defaults and options
// over the kit's source record.
#include "core/connector_spec.hpp"

#include "plugin_identity.hpp"

namespace jobengine::concelier {

namespace {

using nlohmann::json;

std::optional<InputError> checkOptions(const json& options, const std::string& source) {
  for (const auto& item : options.items()) {
    if (source == "nvd" && item.key() == "resultsPerPage") {
      if (!item.value().is_number_integer() || item.value().get<int64_t>() < 1 ||
          item.value().get<int64_t>() > 2000) {
        return adapter::invalidField("options.resultsPerPage", "must be an integer from 1 to 2000");
      }
      continue;
    }
    return adapter::unknownOption(item.key(), source,
                                  source == "nvd" ? "allowed: resultsPerPage" : "none allowed");
  }
  return std::nullopt;
}

json defaultArtifactKinds(const std::string& source) {
  if (source == "osv") {
    return json::array({"osv-json"});
  }
  if (source == "nvd") {
    return json::array({"nvd-cve-page"});
  }
  return json::array({"kev-catalog"});
}

}  // namespace

adapter::RecordKind connectorKind() {
  adapter::RecordKind kind;
  kind.plugin_name = kPluginName;
  kind.id_field = "connectorId";
  kind.noun = "connector";
  kind.noun_plural = "connectors";
  kind.sources = {"osv", "nvd", "kev"};
  kind.id_example = "osv-pypi";
  kind.base_uri_hint = "e.g. \"https://osv-vulnerabilities.storage.googleapis.com/PyPI/\"";
  kind.default_capabilities = [](const std::string& source) {
    return json::array({source == "kev" ? "exploited" : "advisories"});
  };
  kind.default_artifact_kinds = defaultArtifactKinds;
  kind.check_options = checkOptions;
  return kind;
}

ConnectorInput parseConnectorCreate(const json& body) {
  return adapter::parseRecordCreate(connectorKind(), body);
}

ConnectorInput parseConnectorReplace(const json& body, const json& current) {
  return adapter::parseRecordReplace(connectorKind(), body, current);
}

std::string connectorLockKey(const std::string& tenant, const std::string& connector_id) {
  return adapter::recordLockKey(connectorKind(), tenant, connector_id);
}

std::string sourceKindOf(const std::string& source) {
  return adapter::sourceKindOf(connectorKind(), source);
}

json schedulerSourceFor(const std::string& tenant, const json& record) {
  return adapter::schedulerSourceFor(connectorKind(), tenant, record);
}

}  // namespace jobengine::concelier
