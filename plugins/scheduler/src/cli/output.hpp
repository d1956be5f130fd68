// What the scheduler's client commands print: tables with aligned columns for people, the
// API's JSON for scripts (--output json), and one error line from the API's error envelope
// (SPEC §5): `error: <code>: <message> (trace <traceId>)`. Pure functions, unit tested.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::scheduler::cli {

// A header row and rows, each column as wide as its widest cell, two spaces apart, no
// trailing blanks. Rows shorter than the header are padded with empty cells.
std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// One JSON value as a table cell: strings as they are, null/absent as "-", anything else
// compact JSON. Control characters become spaces so a row stays one line.
std::string cell(const nlohmann::json& value);
// The field `name` of an object as a cell ("-" when absent).
std::string field(const nlohmann::json& object, const char* name);

// The line for a non-2xx answer. With an error envelope: "error: CODE: message (trace T)";
// otherwise "error: HTTP <status>: <start of the body>".
std::string errorLine(long status, std::string_view body);

}  // namespace jobengine::scheduler::cli
