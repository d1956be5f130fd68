// changes.csv parsing: a small RFC 4180 field reader, then per-line checks of path, time and
// order, with 1-based line numbers in every error.
#include "core/feed_index.hpp"

#include <jobengine/adapter/rfc3339.hpp>

#include <algorithm>

namespace jobengine::excititor {
namespace {

ParseError changesLineError(std::size_t line_number, const std::string& what) {
  return ParseError{"CHANGES_INVALID", "line " + std::to_string(line_number) + ": " + what};
}

// Splits one line into CSV fields; returns an error text or std::nullopt.
std::optional<std::string> splitCsvFields(std::string_view line, std::vector<std::string>& fields) {
  std::size_t pos = 0;
  while (true) {
    std::string field;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (true) {
        if (pos >= line.size()) {
          return "unterminated quoted field";
        }
        if (line[pos] == '"') {
          if (pos + 1 < line.size() && line[pos + 1] == '"') {
            field += '"';
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field += line[pos++];
      }
    } else {
      while (pos < line.size() && line[pos] != ',') {
        if (line[pos] == '"') {
          return "a quote inside an unquoted field";
        }
        field += line[pos++];
      }
    }
    fields.push_back(std::move(field));
    if (pos == line.size()) {
      return std::nullopt;
    }
    if (line[pos] != ',') {
      return "expected a comma after field " + std::to_string(fields.size());
    }
    ++pos;
  }
}

// Why a listed path may not be joined to a base location, or std::nullopt when it may.
std::optional<std::string> unsafePathReason(const std::string& path) {
  if (path.empty()) {
    return "the path is empty";
  }
  if (path.front() == '/' || path.find('\\') != std::string::npos) {
    return "the path \"" + path + "\" must be relative, with / separators";
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return "the path \"" + path + "\" has an empty, \".\" or \"..\" segment";
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

IndexParse parseChangesCsv(std::string_view bytes) {
  IndexParse result;
  std::optional<adapter::Rfc3339Instant> previous;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < bytes.size() && !result.error) {
    ++line_number;
    const std::size_t end = bytes.find('\n', pos);
    std::string_view line = bytes.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? bytes.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    std::vector<std::string> fields;
    if (line.empty()) {
      result.error = changesLineError(line_number, "empty line");
    } else if (auto csv_error = splitCsvFields(line, fields)) {
      result.error = changesLineError(line_number, *csv_error);
    } else if (fields.size() != 2) {
      result.error = changesLineError(
          line_number, "expected 2 fields (path, time), found " + std::to_string(fields.size()));
    } else if (auto reason = unsafePathReason(fields[0])) {
      result.error = changesLineError(line_number, *reason);
    } else {
      const std::optional<adapter::Rfc3339Instant> instant = adapter::parseRfc3339(fields[1]);
      if (!instant) {
        result.error = changesLineError(
            line_number, "expected an RFC 3339 date-time in field 2, got \"" + fields[1] + "\"");
      } else if (previous && *previous < *instant) {
        result.error = changesLineError(line_number, "time " + fields[1] +
                                                         " is newer than the line above; the "
                                                         "listing must be newest first");
      } else {
        previous = instant;
        result.entries.push_back(IndexEntry{fields[0], adapter::normalizeUtcSuffix(fields[1])});
      }
    }
  }
  if (result.error) {
    result.entries.clear();
  }
  return result;
}

}  // namespace jobengine::excititor
