// CycloneDX 1.4-1.6 JSON used as VEX (https://cyclonedx.org/capabilities/vex/, schema
// https://cyclonedx.org/schema/bom-1.6.schema.json): a BOM whose vulnerabilities[] carry an
// analysis, as a CycloneDX VEX mirror serves it.
#pragma once

#include "core/vex_statement.hpp"

#include <string_view>

namespace jobengine::excititor {

// One BOM -> one statement per (vulnerabilities[] entry, affects[] entry). Required: bomFormat ==
// "CycloneDX", specVersion "1.4" | "1.5" | "1.6", serialNumber (the document id),
// metadata.timestamp (RFC 3339; every statement's modified), vulnerabilities[]{id, analysis{state},
// affects[]{ref}}. version (integer) and components[] (objects, nested components[] up to 32
// levels, with optional bom-ref and purl) are optional; metadata.component counts as a component
// too. product = the purl of the component whose bom-ref is the ref, else the ref as written (it
// may be a BOM-Link into another BOM). status_raw = analysis.state (cycloneDxStateTable());
// justification = analysis.justification. detail = {"detail"?: analysis.detail, "response"?:
// analysis.response}. Errors: CYCLONEDX_INVALID_JSON, CYCLONEDX_INVALID. Never throws.
VexParse parseCycloneDxVex(std::string_view bytes);

}  // namespace jobengine::excititor
