// OSV modified_id.csv parsing, line by line with 1-based line numbers in every error.
#include "core/feed_index.hpp"

#include <jobengine/adapter/rfc3339.hpp>

namespace jobengine::concelier {
namespace {

ParseError lineError(std::size_t line_number, const std::string& what) {
  return ParseError{"OSV_INDEX_INVALID", "line " + std::to_string(line_number) + ": " + what};
}

}  // namespace

IndexParse parseOsvModifiedIndex(std::string_view bytes) {
  IndexParse result;
  std::optional<adapter::Rfc3339Instant> previous;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    ++line_number;
    const std::size_t end = bytes.find('\n', pos);
    std::string_view line = bytes.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? bytes.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const std::size_t comma = line.find(',');
    if (line.empty()) {
      result.error = lineError(line_number, "empty line");
    } else if (comma == std::string_view::npos) {
      result.error = lineError(line_number, "expected \"<modified>,<id>\", found no comma");
    } else {
      const std::string_view modified = line.substr(0, comma);
      const std::string_view id = line.substr(comma + 1);
      const std::optional<adapter::Rfc3339Instant> instant = adapter::parseRfc3339(modified);
      if (!instant) {
        result.error =
            lineError(line_number, "expected an RFC 3339 date-time before the comma, got \"" +
                                       std::string(modified) + "\"");
      } else if (id.empty() || id.find(',') != std::string_view::npos) {
        result.error = lineError(line_number, "expected one non-empty id after the comma, got \"" +
                                                  std::string(id) + "\"");
      } else if (previous && *previous < *instant) {
        result.error = lineError(line_number, "modified " + std::string(modified) +
                                                  " is newer than the line above; the listing "
                                                  "must be newest first");
      } else {
        previous = instant;
        result.entries.push_back(
            IndexEntry{std::string(id), adapter::normalizeUtcSuffix(modified)});
      }
    }
    if (result.error) {
      result.entries.clear();
      return result;
    }
  }
  return result;
}

}  // namespace jobengine::concelier
