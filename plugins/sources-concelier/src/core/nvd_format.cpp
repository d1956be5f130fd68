// NVD CVE API 2.0 page parsing: paging fields, then each cve's dates, English description, status
// and CVSS metrics, all checked for presence and type.
#include "core/nvd_format.hpp"

#include <jobengine/adapter/json_fields.hpp>
#include <jobengine/adapter/rfc3339.hpp>

#include <array>

namespace jobengine::concelier {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;
using adapter::normalizeUtcSuffix;
using adapter::parseRfc3339;

// The metric arrays of cve.metrics that carry CVSS scores, newest CVSS version first.
constexpr std::array<const char*, 4> kCvssMetricKeys = {"cvssMetricV40", "cvssMetricV31",
                                                        "cvssMetricV30", "cvssMetricV2"};

// NVD writes "2026-01-05T10:15:00.000" (UTC, no offset); an offset, if ever present, is kept.
std::string requireNvdTime(const json& object, const std::string& path, const char* key) {
  const std::string text = jf::requireString(object, path, key);
  if (parseRfc3339(text)) {
    return normalizeUtcSuffix(text);
  }
  if (parseRfc3339(text + "Z")) {
    return text + "Z";
  }
  throw jf::ShapeError(jf::memberPath(path, key) + ": expected an ISO 8601 UTC date-time, got \"" +
                       text + "\"");
}

void requireConstant(const json& object, const char* key, const char* expected) {
  const std::string value = jf::requireString(object, "$", key);
  if (value != expected) {
    throw jf::ShapeError(std::string(key) + ": expected \"" + expected + "\", got \"" + value +
                         "\"");
  }
}

json metricsOf(const json& cve, const std::string& cve_path) {
  json extracted = json::array();
  const json* metrics = jf::optionalObject(cve, cve_path, "metrics");
  if (metrics == nullptr) {
    return extracted;
  }
  const std::string metrics_path = jf::memberPath(cve_path, "metrics");
  for (const char* key : kCvssMetricKeys) {
    const json* list = jf::optionalArray(*metrics, metrics_path, key);
    if (list == nullptr) {
      continue;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = jf::elementPath(jf::memberPath(metrics_path, key), i);
      const json& metric = (*list)[i];
      jf::expectObject(metric, path);
      const json& data = jf::requireObject(metric, path, "cvssData");
      const std::string data_path = jf::memberPath(path, "cvssData");
      json entry = {{"metric", key},
                    {"source", jf::requireString(metric, path, "source")},
                    {"type", jf::requireString(metric, path, "type")},
                    {"version", jf::requireString(data, data_path, "version")},
                    {"baseScore", jf::requireNumber(data, data_path, "baseScore")},
                    {"vectorString", jf::requireString(data, data_path, "vectorString")}};
      // CVSS v3/v4 carry baseSeverity in cvssData, CVSS v2 beside it in the metric.
      if (auto severity = jf::optionalString(data, data_path, "baseSeverity")) {
        entry["baseSeverity"] = *severity;
      } else if (auto v2_severity = jf::optionalString(metric, path, "baseSeverity")) {
        entry["baseSeverity"] = *v2_severity;
      }
      extracted.push_back(std::move(entry));
    }
  }
  return extracted;
}

AdvisoryObservation nvdObservationOf(const json& item, const std::string& item_path) {
  jf::expectObject(item, item_path);
  const json& cve = jf::requireObject(item, item_path, "cve");
  const std::string path = jf::memberPath(item_path, "cve");
  AdvisoryObservation observation;
  observation.advisory_id = jf::requireString(cve, path, "id");
  observation.published = requireNvdTime(cve, path, "published");
  observation.modified = requireNvdTime(cve, path, "lastModified");
  const json& descriptions = jf::requireArray(cve, path, "descriptions");
  for (std::size_t i = 0; i < descriptions.size(); ++i) {
    const std::string description_path = jf::elementPath(jf::memberPath(path, "descriptions"), i);
    jf::expectObject(descriptions[i], description_path);
    const std::string lang = jf::requireString(descriptions[i], description_path, "lang");
    const std::string value = jf::requireString(descriptions[i], description_path, "value");
    if (lang == "en" && observation.summary.empty()) {
      observation.summary = value;
    }
  }
  observation.detail = {{"metrics", metricsOf(cve, path)}};
  for (const char* key : {"vulnStatus", "cisaExploitAdd", "cisaActionDue", "cisaRequiredAction",
                          "cisaVulnerabilityName"}) {
    if (auto value = jf::optionalString(cve, path, key)) {
      observation.detail[key] = *value;
    }
  }
  return observation;
}

}  // namespace

AdvisoryParse parseNvdPage(std::string_view bytes, NvdPage* page) {
  AdvisoryParse result;
  try {
    json doc;
    if (auto syntax_error = jf::parseJson(bytes, doc)) {
      result.error = ParseError{"NVD_INVALID_JSON", *syntax_error};
      return result;
    }
    jf::expectObject(doc, "$");
    requireConstant(doc, "format", "NVD_CVE");
    requireConstant(doc, "version", "2.0");
    NvdPage paging;
    paging.results_per_page = jf::requireInteger(doc, "$", "resultsPerPage");
    paging.start_index = jf::requireInteger(doc, "$", "startIndex");
    paging.total_results = jf::requireInteger(doc, "$", "totalResults");
    if (paging.start_index < 0 || paging.results_per_page < 0 || paging.total_results < 0) {
      throw jf::ShapeError("startIndex, resultsPerPage, totalResults: expected non-negative");
    }
    const json& vulnerabilities = jf::requireArray(doc, "$", "vulnerabilities");
    for (std::size_t i = 0; i < vulnerabilities.size(); ++i) {
      result.observations.push_back(
          nvdObservationOf(vulnerabilities[i], jf::elementPath("vulnerabilities", i)));
    }
    if (page != nullptr) {
      *page = paging;
    }
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.observations.clear();
    result.error = ParseError{"NVD_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::concelier
