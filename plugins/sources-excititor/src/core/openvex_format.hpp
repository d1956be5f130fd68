// OpenVEX 0.2.0 (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md): one JSON-LD
// document of statements, as an OpenVEX mirror serves it.
#pragma once

#include "core/vex_statement.hpp"

#include <string_view>

namespace jobengine::excititor {

// One document -> one statement per (statement, product). Document fields required: @context
// (a string starting "https://openvex.dev/ns"), @id, author, timestamp (RFC 3339), version
// (integer), statements; last_updated optional. Statement fields: vulnerability (object; its
// name, else its @id, is the vulnerability), products (objects; @id, else identifiers.purl, is the
// product), status (one of openVexStatusTable()), optional justification, impact_statement,
// action_statement, status_notes, timestamp. modified = the statement's timestamp, else the
// document's last_updated, else its timestamp. detail = {"impact_statement"?,
// "action_statement"?, "status_notes"?}. Errors: OPENVEX_INVALID_JSON, OPENVEX_INVALID. Never
// throws.
VexParse parseOpenVex(std::string_view bytes);

}  // namespace jobengine::excititor
