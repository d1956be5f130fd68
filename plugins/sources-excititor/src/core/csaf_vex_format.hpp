// CSAF 2.0 VEX profile (https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html, §4.5
// profile "csaf_vex"): one JSON advisory with a product tree and vulnerabilities, as a CSAF
// provider's ROLIE/directory feed serves it.
#pragma once

#include "core/vex_statement.hpp"

#include <string_view>

namespace jobengine::excititor {

// One document -> one statement per (vulnerability, product id in a product_status list).
// Required: document.category == "csaf_vex", document.csaf_version == "2.0", document.publisher
// (object), document.title, document.tracking.id, document.tracking.current_release_date
// (RFC 3339; it is every statement's modified), product_tree, vulnerabilities.
// Products are defined in product_tree.full_product_names, branches (.product, up to 32 levels) and
// relationships (.full_product_name); product_groups name sets of them. The statement's product
// is the definition's product_identification_helper.purl, else its product_id; a product id used
// but not defined (or defined twice) is an error (CSAF §6.1.1, §6.1.2).
// vulnerability = cve, else ids[0].text. status_raw = the product_status key
// (csafProductStatusTable(); "recommended" and unknown keys are not statuses and are skipped).
// justification = the label of the first flags[] entry naming the product (by product_ids or
// group_ids). detail = {"impact_statement"?: details of the first threats[] entry of category
// "impact" naming the product, "action_statement"?: details of the first remediations[] entry
// naming it}. Errors: CSAF_INVALID_JSON, CSAF_INVALID. Never throws.
VexParse parseCsafVex(std::string_view bytes);

}  // namespace jobengine::excititor
