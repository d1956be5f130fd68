// json_limits.hpp — bounded JSON parsing: a nesting-depth limit enforced on the text before any
// recursive code (nlohmann's serializer, canonical JSON, the handlers' own walks) sees the tree.
//
// Why: a 720 KB body of 120,000 nested `{"a":` is well under the body limit, and a recursive walk
// over it overflows a worker thread's stack and kills the whole engine (issue 20). nlohmann's
// parser and destructor are iterative, but `dump()`, canonicalization and most hand-written walks
// recurse once per level. Every JSON input that comes from outside the process (request bodies,
// `je.jobs` bodies from plugins, stored payloads read back, plugin config, page tokens, JWT
// parts) goes through `parseJsonBounded`, so every recursive walk over user data is bounded by
// kJsonMaxDepthCeiling levels at most (docs/api.md, "Limits on JSON input").
//
// The host enforces the operator's `http.json_max_depth` (default kJsonDefaultMaxDepth) on
// request bodies before routing; the SDK's own parses use the hard ceiling as a second line.
// Header-only, no ABI weight.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace jobengine::sdk {

// Default nesting depth for request bodies (`http.json_max_depth`).
inline constexpr int kJsonDefaultMaxDepth = 64;
// Bounds an operator may configure; the ceiling is also what SDK-side parses enforce.
inline constexpr int kJsonMinMaxDepth = 8;
inline constexpr int kJsonMaxDepthCeiling = 256;

// Where a text first nests deeper than allowed.
struct JsonDepthViolation {
  size_t offset = 0;  // byte offset of the opening bracket that went one level too deep
  int limit = 0;
};

// Scans JSON text once, without recursion, counting `[` and `{` outside strings. Returns the
// first place the nesting exceeds max_depth (a scalar at top level is depth 0, `[1]` is depth
// 1). Invalid JSON is not diagnosed here: the parser that runs afterwards does that.
inline std::optional<JsonDepthViolation> findJsonDepthViolation(std::string_view text,
                                                                int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return JsonDepthViolation{i, max_depth};
        }
        break;
      case ']':
      case '}':
        if (depth > 0) {
          --depth;
        }
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

// The message every layer uses for a depth violation, so clients see one wording.
inline std::string jsonDepthMessage(std::string_view what, const JsonDepthViolation& v) {
  return std::string(what) + " nests deeper than the limit of " + std::to_string(v.limit) +
         " levels (at byte " + std::to_string(v.offset) + ")";
}

// The outcome of a bounded parse: a value, or an error message saying what was wrong and where.
struct BoundedJson {
  nlohmann::json value;
  std::string error;  // empty on success
  bool depth_exceeded = false;
  bool ok() const { return error.empty(); }
};

// Parses `text` as JSON after checking its depth; never throws for bad input. `what` names the
// input in the message ("request body", "payload column").
inline BoundedJson parseJsonBounded(std::string_view text, std::string_view what = "JSON",
                                    int max_depth = kJsonMaxDepthCeiling) {
  BoundedJson out;
  if (const auto violation = findJsonDepthViolation(text, max_depth)) {
    out.error = jsonDepthMessage(what, *violation);
    out.depth_exceeded = true;
    return out;
  }
  try {
    out.value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    out.error = std::string(what) + " is not valid JSON: " + e.what();
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number beyond the range of a double ("1e400") is valid JSON grammar that nlohmann
    // refuses with out_of_range, not parse_error (found by fuzz/request_body_fuzz).
    out.error = std::string(what) + " has a number out of range: " + e.what();
  }
  return out;
}

// Like parseJsonBounded, but throws std::invalid_argument with the message: for read-back paths
// (stored rows) where a bad value is an internal error the caller already catches.
inline nlohmann::json parseJsonBoundedOrThrow(std::string_view text, std::string_view what = "JSON",
                                              int max_depth = kJsonMaxDepthCeiling) {
  BoundedJson parsed = parseJsonBounded(text, what, max_depth);
  if (!parsed.ok()) {
    throw std::invalid_argument(parsed.error);
  }
  return std::move(parsed.value);
}

}  // namespace jobengine::sdk
