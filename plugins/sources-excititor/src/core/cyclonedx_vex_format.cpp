// CycloneDX VEX parsing: a bom-ref -> purl table from the components, then one statement per
// affected ref of each analysed vulnerability.
#include "core/cyclonedx_vex_format.hpp"

#include <jobengine/adapter/json_fields.hpp>
#include "core/vex_status.hpp"

#include <map>

namespace jobengine::excititor {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;

using CycloneDxPurls = std::map<std::string, std::string>;  // bom-ref -> purl

// Real BOMs nest components a handful of levels; the limit keeps a hostile document from
// exhausting the stack (and the quadratic memory of ever longer paths).
constexpr int kMaxCycloneDxComponentDepth = 32;

void collectCycloneDxComponent(const json& component, const std::string& path,
                               CycloneDxPurls& purls, int depth);

void collectCycloneDxComponents(const json& holder, const std::string& path, CycloneDxPurls& purls,
                                int depth) {
  const json* components = jf::optionalArray(holder, path, "components");
  if (components == nullptr) {
    return;
  }
  if (depth >= kMaxCycloneDxComponentDepth) {
    throw jf::ShapeError(jf::memberPath(path, "components") + ": nested deeper than " +
                         std::to_string(kMaxCycloneDxComponentDepth) + " levels");
  }
  for (std::size_t i = 0; i < components->size(); ++i) {
    collectCycloneDxComponent(
        (*components)[i], jf::elementPath(jf::memberPath(path, "components"), i), purls, depth + 1);
  }
}

void collectCycloneDxComponent(const json& component, const std::string& path,
                               CycloneDxPurls& purls, int depth) {
  jf::expectObject(component, path);
  const std::optional<std::string> bom_ref = jf::optionalString(component, path, "bom-ref");
  const std::optional<std::string> purl = jf::optionalString(component, path, "purl");
  if (bom_ref && purl) {
    purls.emplace(*bom_ref, *purl);
  }
  collectCycloneDxComponents(component, path, purls, depth);
}

void appendCycloneDxStatements(const json& vulnerability, const std::string& path,
                               const std::string& document_id, const std::string& modified,
                               const CycloneDxPurls& purls, std::vector<VexStatement>& out) {
  jf::expectObject(vulnerability, path);
  const std::string vulnerability_id = jf::requireString(vulnerability, path, "id");
  const json& analysis = jf::requireObject(vulnerability, path, "analysis");
  const std::string analysis_path = jf::memberPath(path, "analysis");
  const std::string state = jf::requireString(analysis, analysis_path, "state");
  const std::optional<std::string> status = normalizeStatus(cycloneDxStateTable(), state);
  if (!status) {
    throw jf::ShapeError(jf::memberPath(analysis_path, "state") + ": expected one of " +
                         allowedWords(cycloneDxStateTable()) + ", got \"" + state + "\"");
  }
  const std::optional<std::string> justification =
      jf::optionalString(analysis, analysis_path, "justification");
  json detail = json::object();
  if (auto text = jf::optionalString(analysis, analysis_path, "detail")) {
    detail["detail"] = *text;
  }
  if (const json* response = jf::optionalArray(analysis, analysis_path, "response")) {
    for (std::size_t i = 0; i < response->size(); ++i) {
      jf::expectString((*response)[i],
                       jf::elementPath(jf::memberPath(analysis_path, "response"), i));
    }
    detail["response"] = *response;
  }
  const json& affects = jf::requireArray(vulnerability, path, "affects");
  for (std::size_t i = 0; i < affects.size(); ++i) {
    const std::string affect_path = jf::elementPath(jf::memberPath(path, "affects"), i);
    jf::expectObject(affects[i], affect_path);
    const std::string ref = jf::requireString(affects[i], affect_path, "ref");
    const auto purl = purls.find(ref);
    VexStatement entry;
    entry.document_id = document_id;
    entry.vulnerability = vulnerability_id;
    entry.product = purl == purls.end() ? ref : purl->second;
    entry.status = *status;
    entry.status_raw = state;
    entry.justification = justification;
    entry.modified = modified;
    entry.detail = detail;
    out.push_back(std::move(entry));
  }
}

}  // namespace

VexParse parseCycloneDxVex(std::string_view bytes) {
  VexParse result;
  try {
    json doc;
    if (auto syntax_error = jf::parseJson(bytes, doc)) {
      result.error = ParseError{"CYCLONEDX_INVALID_JSON", *syntax_error};
      return result;
    }
    jf::expectObject(doc, "$");
    const std::string bom_format = jf::requireString(doc, "$", "bomFormat");
    if (bom_format != "CycloneDX") {
      throw jf::ShapeError("bomFormat: expected \"CycloneDX\", got \"" + bom_format + "\"");
    }
    const std::string spec_version = jf::requireString(doc, "$", "specVersion");
    if (spec_version != "1.4" && spec_version != "1.5" && spec_version != "1.6") {
      throw jf::ShapeError("specVersion: expected one of 1.4, 1.5, 1.6, got \"" + spec_version +
                           "\"");
    }
    const std::string document_id = jf::requireString(doc, "$", "serialNumber");
    if (doc.contains("version")) {
      jf::requireInteger(doc, "$", "version");
    }
    const json& metadata = jf::requireObject(doc, "$", "metadata");
    const std::string modified = jf::requireTime(metadata, "metadata", "timestamp");
    CycloneDxPurls purls;
    if (metadata.contains("component")) {
      collectCycloneDxComponent(metadata.at("component"), "metadata.component", purls, 0);
    }
    collectCycloneDxComponents(doc, "$", purls, 0);
    const json& vulnerabilities = jf::requireArray(doc, "$", "vulnerabilities");
    for (std::size_t i = 0; i < vulnerabilities.size(); ++i) {
      appendCycloneDxStatements(vulnerabilities[i], jf::elementPath("vulnerabilities", i),
                                document_id, modified, purls, result.statements);
    }
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.statements.clear();
    result.error = ParseError{"CYCLONEDX_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::excititor
