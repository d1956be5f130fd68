// OSV record parsing: the fields the observation needs, checked for presence and type.
#include "core/osv_format.hpp"

#include <jobengine/adapter/json_fields.hpp>

namespace jobengine::concelier {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;

std::string firstLine(const std::string& text) {
  const std::size_t end = text.find_first_of("\r\n");
  return end == std::string::npos ? text : text.substr(0, end);
}

// OSV's schema lets aliases and affected be null; null reads as absent.
const json* osvNullableArray(const json& record, const char* key) {
  const auto member = record.find(key);
  if (member != record.end() && member->is_null()) {
    return nullptr;
  }
  return jf::optionalArray(record, "$", key);
}

json affectedPackages(const json& record) {
  json packages = json::array();
  const json* affected = osvNullableArray(record, "affected");
  if (affected == nullptr) {
    return packages;
  }
  for (std::size_t i = 0; i < affected->size(); ++i) {
    const std::string path = jf::elementPath("affected", i);
    jf::expectObject((*affected)[i], path);
    const json* package = jf::optionalObject((*affected)[i], path, "package");
    if (package == nullptr) {
      continue;  // OSV allows affected entries without a package (e.g. git ranges only)
    }
    const std::string package_path = jf::memberPath(path, "package");
    json entry = {{"ecosystem", jf::requireString(*package, package_path, "ecosystem")},
                  {"name", jf::requireString(*package, package_path, "name")}};
    if (const auto purl = jf::optionalString(*package, package_path, "purl")) {
      entry["purl"] = *purl;
    }
    packages.push_back(std::move(entry));
  }
  return packages;
}

AdvisoryObservation osvObservationOf(const json& record) {
  jf::expectObject(record, "$");
  AdvisoryObservation observation;
  observation.advisory_id = jf::requireString(record, "$", "id");
  observation.modified = jf::requireTime(record, "$", "modified");
  if (const json* aliases = osvNullableArray(record, "aliases")) {
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      observation.aliases.push_back(jf::expectString((*aliases)[i], jf::elementPath("aliases", i)));
    }
  }
  if (record.contains("published")) {
    observation.published = jf::requireTime(record, "$", "published");
  }
  const std::optional<std::string> summary = jf::optionalString(record, "$", "summary");
  const std::optional<std::string> details = jf::optionalString(record, "$", "details");
  if (summary && !summary->empty()) {
    observation.summary = *summary;
  } else if (details) {
    observation.summary = firstLine(*details);
  }
  observation.detail = {{"affected_packages", affectedPackages(record)}};
  if (const auto schema_version = jf::optionalString(record, "$", "schema_version")) {
    observation.detail["schema_version"] = *schema_version;
  }
  if (record.contains("withdrawn")) {
    observation.detail["withdrawn"] = jf::requireTime(record, "$", "withdrawn");
  }
  return observation;
}

}  // namespace

AdvisoryParse parseOsvDocument(std::string_view bytes) {
  AdvisoryParse result;
  try {
    json record;
    if (auto syntax_error = jf::parseJson(bytes, record)) {
      result.error = ParseError{"OSV_INVALID_JSON", *syntax_error};
      return result;
    }
    result.observations.push_back(osvObservationOf(record));
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.observations.clear();
    result.error = ParseError{"OSV_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::concelier
