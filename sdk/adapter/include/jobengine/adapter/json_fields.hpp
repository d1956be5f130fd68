// jobengine/adapter/json_fields.hpp — field readers for the adapter plugins' document parsers
// (OSV, NVD, KEV, OpenVEX, CSAF, CycloneDX, ...): typed access to a JSON object's members that
// names the full path of a missing or mistyped field ("affected[0].package.name: missing").
//
// The readers throw ShapeError; every public parse function catches it at its boundary and turns
// it into a ParseError, so no exception ever leaves a parser. Optional readers treat an absent
// member as absent; a present member of the wrong type (null included) is an error.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jobengine::adapter::json_fields {

// A document-shape error; what() is "<path>: <what is wrong>".
class ShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses bytes as JSON. Returns the parser's message (with line and column) when they are not
// JSON, std::nullopt on success.
std::optional<std::string> parseJson(std::string_view bytes, nlohmann::json& out);

// "an object", "an array", "a string", "a number", "a boolean", "null".
std::string typeName(const nlohmann::json& value);

// Child paths: memberPath("affected[0]", "package") == "affected[0].package"; the root's members
// are written bare ("id"); the root itself is "$".
std::string memberPath(std::string_view parent, std::string_view key);
std::string elementPath(std::string_view parent, std::size_t index);

// Checks of a value already in hand (array elements, the root).
void expectObject(const nlohmann::json& value, std::string_view path);
std::string expectString(const nlohmann::json& value, std::string_view path);

// Members of `object` (which must be a JSON object) at `path`.
const nlohmann::json& requireObject(const nlohmann::json& object, std::string_view path,
                                    std::string_view key);
const nlohmann::json* optionalObject(const nlohmann::json& object, std::string_view path,
                                     std::string_view key);
const nlohmann::json& requireArray(const nlohmann::json& object, std::string_view path,
                                   std::string_view key);
const nlohmann::json* optionalArray(const nlohmann::json& object, std::string_view path,
                                    std::string_view key);
std::string requireString(const nlohmann::json& object, std::string_view path,
                          std::string_view key);
std::optional<std::string> optionalString(const nlohmann::json& object, std::string_view path,
                                          std::string_view key);
std::int64_t requireInteger(const nlohmann::json& object, std::string_view path,
                            std::string_view key);
const nlohmann::json& requireNumber(const nlohmann::json& object, std::string_view path,
                                    std::string_view key);

// A required string member that must be an RFC 3339 date-time (rfc3339.hpp); returned with a
// "+00:00" offset written "Z".
std::string requireTime(const nlohmann::json& object, std::string_view path, std::string_view key);

}  // namespace jobengine::adapter::json_fields
