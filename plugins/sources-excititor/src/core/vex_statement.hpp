// VexStatement: what one VEX document says about one (vulnerability, product) pair, as the
// excititor parsers extract it.
//
// The parsers (openvex_format, csaf_vex_format, cyclonedx_vex_format) turn fetched bytes into
// these plain values; the later map step stores them. Only the status vocabulary is normalized
// (vex_status.hpp); statements are never merged and no verdict is derived across documents. A
// parse is all or nothing: every statement of the document, or only an error naming the first
// offending field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::excititor {

struct VexStatement {
  std::string document_id;    // OpenVEX @id, CSAF document.tracking.id, CycloneDX serialNumber
  std::string vulnerability;  // CVE/GHSA id as the document writes it
  std::string product;  // purl or product id/name as the document identifies it (see each parser)
  std::string status;   // normalized: not_affected | affected | fixed | under_investigation
  std::string status_raw;                    // as written ("known_not_affected", "resolved", ...)
  std::optional<std::string> justification;  // as written, when the document gives one
  std::string modified;   // RFC 3339 ("+00:00" written "Z"); which field, see each parser
  nlohmann::json detail;  // small verbatim extract (impact/action statements, detail text)
};

// Why a document (or listing) was rejected. code is "<FORMAT>_INVALID_JSON" when the bytes are
// not JSON and "<FORMAT>_INVALID" when the shape is wrong; message names the field path, e.g.
// "statements[0].products: expected an array, got an object".
struct ParseError {
  std::string code;
  std::string message;
};

struct VexParse {
  std::vector<VexStatement> statements;  // empty when error is set
  std::optional<ParseError> error;
};

}  // namespace jobengine::excititor
