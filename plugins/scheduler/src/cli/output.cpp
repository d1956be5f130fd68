// Tables, cells and error lines for the scheduler's client commands (see output.hpp).
#include "cli/output.hpp"

#include <algorithm>

namespace jobengine::scheduler::cli {
namespace {

constexpr size_t kBodyExcerptChars = 200;

std::string oneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = ' ';
    }
  }
  return text;
}

}  // namespace

std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = header[i].size();
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string& c = i < cells.size() ? cells[i] : std::string();
      text += c;
      if (i + 1 < widths.size()) {
        text += std::string(widths[i] - c.size() + 2, ' ');
      }
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    out += text + "\n";
  };
  line(header);
  for (const auto& row : rows) {
    line(row);
  }
  return out;
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) {
    return "-";
  }
  if (value.is_string()) {
    return oneLine(value.get<std::string>());
  }
  return oneLine(value.dump());
}

std::string field(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return "-";
  }
  const auto it = object.find(name);
  return it == object.end() ? "-" : cell(*it);
}

std::string errorLine(long status, std::string_view body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const auto& e = parsed["error"];
    std::string line = "error: " + field(e, "code") + ": " + field(e, "message");
    if (e.contains("traceId")) {
      line += " (trace " + field(e, "traceId") + ")";
    }
    return line;
  }
  std::string excerpt = oneLine(std::string(body.substr(0, kBodyExcerptChars)));
  if (body.size() > kBodyExcerptChars) {
    excerpt += "...";
  }
  return "error: HTTP " + std::to_string(status) + (excerpt.empty() ? "" : ": " + excerpt);
}

}  // namespace jobengine::scheduler::cli
