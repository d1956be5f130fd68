// The three status tables (see vex_status.hpp) and the look-up over them.
#include "core/vex_status.hpp"

namespace jobengine::excititor {

const std::vector<std::pair<std::string_view, std::string_view>>& openVexStatusTable() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kTable = {
      {"not_affected", kNotAffected},
      {"affected", kAffected},
      {"fixed", kFixed},
      {"under_investigation", kUnderInvestigation},
  };
  return kTable;
}

const std::vector<std::pair<std::string_view, std::string_view>>& csafProductStatusTable() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kTable = {
      {"known_not_affected", kNotAffected},
      {"known_affected", kAffected},
      {"first_affected", kAffected},
      {"last_affected", kAffected},
      {"fixed", kFixed},
      {"first_fixed", kFixed},
      {"under_investigation", kUnderInvestigation},
  };
  return kTable;
}

const std::vector<std::pair<std::string_view, std::string_view>>& cycloneDxStateTable() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kTable = {
      {"not_affected", kNotAffected},     {"false_positive", kNotAffected},
      {"exploitable", kAffected},         {"resolved", kFixed},
      {"resolved_with_pedigree", kFixed}, {"in_triage", kUnderInvestigation},
  };
  return kTable;
}

std::optional<std::string> normalizeStatus(
    const std::vector<std::pair<std::string_view, std::string_view>>& table, std::string_view raw) {
  for (const auto& [word, normalized] : table) {
    if (word == raw) {
      return std::string(normalized);
    }
  }
  return std::nullopt;
}

std::string allowedWords(const std::vector<std::pair<std::string_view, std::string_view>>& table) {
  std::string words;
  for (const auto& entry : table) {
    words += (words.empty() ? "" : ", ") + std::string(entry.first);
  }
  return words;
}

}  // namespace jobengine::excititor
