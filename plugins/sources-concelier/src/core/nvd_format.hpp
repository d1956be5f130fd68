// NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): one page of a paged
// response, {format "NVD_CVE", version "2.0", resultsPerPage, startIndex, totalResults,
// vulnerabilities[].cve}. The fetch step walks the pages; this file reads one.
#pragma once

#include "core/advisory_observation.hpp"

#include <cstdint>
#include <string_view>

namespace jobengine::concelier {

// Where a page sits in the paged result, as the response states it.
struct NvdPage {
  std::int64_t start_index = 0;
  std::int64_t results_per_page = 0;
  std::int64_t total_results = 0;
};

// One page -> one observation per vulnerabilities[].cve. Required per cve: id, published,
// lastModified (NVD writes them without an offset; they are UTC, so "Z" is appended), descriptions
// ([{lang, value}]; summary = the "en" value). aliases stay empty.
// detail = {"vulnStatus"?, "metrics": [{"metric" (e.g. "cvssMetricV31"), "source", "type",
// "version", "baseScore", "baseSeverity"?, "vectorString"}...], "cisaExploitAdd"?,
// "cisaActionDue"?, "cisaRequiredAction"?, "cisaVulnerabilityName"?}: every CVSS metric as each
// source published it, none preferred. `page` (may be null) receives the paging fields on success.
// Errors: NVD_INVALID_JSON, NVD_INVALID. Never throws.
AdvisoryParse parseNvdPage(std::string_view bytes, NvdPage* page);

}  // namespace jobengine::concelier
