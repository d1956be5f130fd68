// AdvisoryObservation: what one upstream advisory record says, as the concelier parsers extract it.
//
// The parsers (osv_format, nvd_format, kev_format) turn fetched bytes into these plain values; the
// later map step stores them. A parse is all or nothing: either every record of the document is
// returned, or only an error naming the first offending field (no partial result).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::concelier {

struct AdvisoryObservation {
  std::string advisory_id;               // OSV id, NVD CVE id, KEV cveID
  std::vector<std::string> aliases;      // OSV aliases; empty for NVD and KEV
  std::string modified;                  // RFC 3339 as the upstream gives it, "+00:00" written "Z"
  std::optional<std::string> published;  // absent when the upstream has no such date (KEV)
  std::string summary;    // OSV summary (else first line of details), NVD English description,
                          // KEV vulnerabilityName
  nlohmann::json detail;  // small format-specific extract of verbatim values (see each parser)
};

// Why a document (or listing) was rejected. code is "<FORMAT>_INVALID_JSON" when the bytes are
// not JSON and "<FORMAT>_INVALID" when the shape is wrong; message names the field path, e.g.
// "affected[0].package: expected an object, got a string".
struct ParseError {
  std::string code;
  std::string message;
};

struct AdvisoryParse {
  std::vector<AdvisoryObservation> observations;  // empty when error is set
  std::optional<ParseError> error;
};

}  // namespace jobengine::concelier
