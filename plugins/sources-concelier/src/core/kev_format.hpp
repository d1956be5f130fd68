// CISA Known Exploited Vulnerabilities catalog
// (https://www.cisa.gov/known-exploited-vulnerabilities-catalog, schema
// https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json): one
// JSON document holding the whole catalog.
#pragma once

#include "core/advisory_observation.hpp"

#include <string_view>

namespace jobengine::concelier {

// The catalog -> one observation per vulnerabilities[] entry. Catalog fields required (as in the
// CISA schema): catalogVersion, dateReleased (RFC 3339), count (must equal the number of entries),
// vulnerabilities; title is optional. Entry fields required (strings): cveID, vendorProject,
// product, vulnerabilityName, dateAdded and dueDate (YYYY-MM-DD), shortDescription, requiredAction;
// optional: knownRansomwareCampaignUse, notes.
//
// modified = the entry's dateAdded as "YYYY-MM-DDT00:00:00Z". The catalog keeps no per-entry
// modification time and dateAdded is its only per-entry date, so a watermark on it sees new
// entries; edits to an existing entry show only in the catalog's dateReleased/catalogVersion,
// which the fetch step compares before parsing. published stays empty (KEV does not say when the
// CVE was published). summary = vulnerabilityName; aliases empty.
// detail = {"vendorProject", "product", "dateAdded", "dueDate", "requiredAction",
// "knownRansomwareCampaignUse"?}. Errors: KEV_INVALID_JSON, KEV_INVALID. Never throws.
AdvisoryParse parseKevCatalog(std::string_view bytes);

}  // namespace jobengine::concelier
