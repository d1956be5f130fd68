// KEV catalog parsing: catalog header, count consistency, then each entry's required strings.
#include "core/kev_format.hpp"

#include <jobengine/adapter/json_fields.hpp>
#include <jobengine/adapter/rfc3339.hpp>

namespace jobengine::concelier {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;

// A required "YYYY-MM-DD" member.
std::string requireDate(const json& object, const std::string& path, const char* key) {
  std::string text = jf::requireString(object, path, key);
  if (text.size() != 10 || !adapter::parseRfc3339(text + "T00:00:00Z")) {
    throw jf::ShapeError(jf::memberPath(path, key) + ": expected a date YYYY-MM-DD, got \"" + text +
                         "\"");
  }
  return text;
}

AdvisoryObservation kevObservationOf(const json& entry, const std::string& path) {
  jf::expectObject(entry, path);
  AdvisoryObservation observation;
  observation.advisory_id = jf::requireString(entry, path, "cveID");
  const std::string date_added = requireDate(entry, path, "dateAdded");
  observation.modified = date_added + "T00:00:00Z";
  observation.summary = jf::requireString(entry, path, "vulnerabilityName");
  observation.detail = {{"vendorProject", jf::requireString(entry, path, "vendorProject")},
                        {"product", jf::requireString(entry, path, "product")},
                        {"dateAdded", date_added},
                        {"dueDate", requireDate(entry, path, "dueDate")},
                        {"requiredAction", jf::requireString(entry, path, "requiredAction")}};
  jf::requireString(entry, path, "shortDescription");  // required by the schema; not extracted
  if (auto ransomware = jf::optionalString(entry, path, "knownRansomwareCampaignUse")) {
    observation.detail["knownRansomwareCampaignUse"] = *ransomware;
  }
  jf::optionalString(entry, path, "notes");  // type-checked only
  return observation;
}

}  // namespace

AdvisoryParse parseKevCatalog(std::string_view bytes) {
  AdvisoryParse result;
  try {
    json doc;
    if (auto syntax_error = jf::parseJson(bytes, doc)) {
      result.error = ParseError{"KEV_INVALID_JSON", *syntax_error};
      return result;
    }
    jf::expectObject(doc, "$");
    jf::optionalString(doc, "$", "title");  // in every catalog so far, optional in the schema
    jf::requireString(doc, "$", "catalogVersion");
    jf::requireTime(doc, "$", "dateReleased");
    const std::int64_t count = jf::requireInteger(doc, "$", "count");
    const json& vulnerabilities = jf::requireArray(doc, "$", "vulnerabilities");
    if (count < 0 || static_cast<std::size_t>(count) != vulnerabilities.size()) {
      throw jf::ShapeError("count: says " + std::to_string(count) + " but vulnerabilities has " +
                           std::to_string(vulnerabilities.size()) + " entries");
    }
    for (std::size_t i = 0; i < vulnerabilities.size(); ++i) {
      result.observations.push_back(
          kevObservationOf(vulnerabilities[i], jf::elementPath("vulnerabilities", i)));
    }
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.observations.clear();
    result.error = ParseError{"KEV_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::concelier
