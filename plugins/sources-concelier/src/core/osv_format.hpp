// OSV (Open Source Vulnerability format, schema 1.x, https://ossf.github.io/osv-schema/): one
// JSON record per advisory, as osv-vulnerabilities.storage.googleapis.com/<ECOSYSTEM>/<ID>.json
// serves it.
#pragma once

#include "core/advisory_observation.hpp"

#include <string_view>

namespace jobengine::concelier {

// One OSV record -> one observation. Required: id, modified (strings; modified RFC 3339).
// Optional: aliases (strings), published (RFC 3339), summary, details, affected (objects whose
// optional package needs ecosystem and name); a null aliases or affected, which the OSV schema
// allows, reads as absent. summary falls back to the first line of details.
// detail = {"affected_packages": [{"ecosystem", "name"[, "purl"]}...][, "schema_version"]
// [, "withdrawn"]}. Errors: OSV_INVALID_JSON, OSV_INVALID. Never throws.
AdvisoryParse parseOsvDocument(std::string_view bytes);

}  // namespace jobengine::concelier
