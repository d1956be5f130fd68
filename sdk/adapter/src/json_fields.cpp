// Typed member access with path-naming errors (see jobengine/adapter/json_fields.hpp).
#include "jobengine/adapter/json_fields.hpp"

#include "jobengine/adapter/rfc3339.hpp"

namespace jobengine::adapter::json_fields {
namespace {

using nlohmann::json;

[[noreturn]] void fail(std::string_view path, std::string_view what) {
  throw ShapeError(std::string(path) + ": " + std::string(what));
}

[[noreturn]] void failType(std::string_view path, std::string_view expected, const json& got) {
  fail(path, "expected " + std::string(expected) + ", got " + typeName(got));
}

const json* findMember(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& requireMember(const json& object, std::string_view path, std::string_view key) {
  const json* member = findMember(object, key);
  if (member == nullptr) {
    fail(memberPath(path, key), "missing (required)");
  }
  return *member;
}

}  // namespace

std::optional<std::string> parseJson(std::string_view bytes, json& out) {
  try {
    out = json::parse(bytes);
    return std::nullopt;
  } catch (const json::parse_error& e) {
    return std::string("not valid JSON: ") + e.what();
  }
}

std::string typeName(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::null:
      return "null";
    default:
      return "an unexpected value";
  }
}

std::string memberPath(std::string_view parent, std::string_view key) {
  if (parent.empty() || parent == "$") {
    return std::string(key);
  }
  return std::string(parent) + "." + std::string(key);
}

std::string elementPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

void expectObject(const json& value, std::string_view path) {
  if (!value.is_object()) {
    failType(path, "an object", value);
  }
}

std::string expectString(const json& value, std::string_view path) {
  if (!value.is_string()) {
    failType(path, "a string", value);
  }
  return value.get<std::string>();
}

const json& requireObject(const json& object, std::string_view path, std::string_view key) {
  const json& member = requireMember(object, path, key);
  expectObject(member, memberPath(path, key));
  return member;
}

const json* optionalObject(const json& object, std::string_view path, std::string_view key) {
  const json* member = findMember(object, key);
  if (member != nullptr) {
    expectObject(*member, memberPath(path, key));
  }
  return member;
}

const json& requireArray(const json& object, std::string_view path, std::string_view key) {
  const json& member = requireMember(object, path, key);
  if (!member.is_array()) {
    failType(memberPath(path, key), "an array", member);
  }
  return member;
}

const json* optionalArray(const json& object, std::string_view path, std::string_view key) {
  const json* member = findMember(object, key);
  if (member != nullptr && !member->is_array()) {
    failType(memberPath(path, key), "an array", *member);
  }
  return member;
}

std::string requireString(const json& object, std::string_view path, std::string_view key) {
  return expectString(requireMember(object, path, key), memberPath(path, key));
}

std::optional<std::string> optionalString(const json& object, std::string_view path,
                                          std::string_view key) {
  const json* member = findMember(object, key);
  if (member == nullptr) {
    return std::nullopt;
  }
  return expectString(*member, memberPath(path, key));
}

std::int64_t requireInteger(const json& object, std::string_view path, std::string_view key) {
  const json& member = requireMember(object, path, key);
  if (member.is_number_unsigned() && member.get<std::uint64_t>() > INT64_MAX) {
    fail(memberPath(path, key), "integer out of range");
  }
  if (!member.is_number_integer()) {
    failType(memberPath(path, key), "an integer", member);
  }
  return member.get<std::int64_t>();
}

const json& requireNumber(const json& object, std::string_view path, std::string_view key) {
  const json& member = requireMember(object, path, key);
  if (!member.is_number()) {
    failType(memberPath(path, key), "a number", member);
  }
  return member;
}

std::string requireTime(const json& object, std::string_view path, std::string_view key) {
  const std::string text = requireString(object, path, key);
  if (!parseRfc3339(text)) {
    fail(memberPath(path, key), "expected an RFC 3339 date-time, got \"" + text + "\"");
  }
  return normalizeUtcSuffix(text);
}

}  // namespace jobengine::adapter::json_fields
