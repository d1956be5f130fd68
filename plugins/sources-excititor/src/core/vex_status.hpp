// The status vocabularies of the three VEX formats and their one normalized vocabulary
// (not_affected | affected | fixed | under_investigation). The tables here are the single source
// of truth for the mapping; the parsers call these functions and the tests walk the tables.
// This is a translation of words only: no verdict is ever derived or merged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::excititor {

inline constexpr std::string_view kNotAffected = "not_affected";
inline constexpr std::string_view kAffected = "affected";
inline constexpr std::string_view kFixed = "fixed";
inline constexpr std::string_view kUnderInvestigation = "under_investigation";

// OpenVEX 0.2.0 statement status: already the normalized words.
const std::vector<std::pair<std::string_view, std::string_view>>& openVexStatusTable();

// CSAF 2.0 vulnerabilities[].product_status keys. "recommended" is absent on purpose: it names
// the product versions the vendor recommends, not a status of the vulnerability.
const std::vector<std::pair<std::string_view, std::string_view>>& csafProductStatusTable();

// CycloneDX 1.4-1.6 vulnerabilities[].analysis.state.
const std::vector<std::pair<std::string_view, std::string_view>>& cycloneDxStateTable();

// Looks raw up in a table; std::nullopt when it is not one of the table's words.
std::optional<std::string> normalizeStatus(
    const std::vector<std::pair<std::string_view, std::string_view>>& table, std::string_view raw);

// "a, b, c": the table's raw words, for error messages that list what is allowed.
std::string allowedWords(const std::vector<std::pair<std::string_view, std::string_view>>& table);

}  // namespace jobengine::excititor
