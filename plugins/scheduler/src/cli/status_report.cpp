// The report and table of `jobengine status` (see status_report.hpp).
#include "cli/status_report.hpp"

#include <jobengine/time_format.hpp>

#include <vector>

#include "cli/output.hpp"
#include "core/job_state.hpp"

namespace jobengine::scheduler::cli {
namespace {

using nlohmann::json;

std::string twoDigits(long long v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string yesNo(const json& value) {
  if (!value.is_boolean()) {
    return "-";
  }
  return value.get<bool>() ? "yes" : "no";
}

json pluginRows(const json& plugins) {
  json rows = json::array();
  if (!plugins.is_array()) {
    return rows;
  }
  for (const auto& p : plugins) {
    rows.push_back({{"id", p.value("id", "")},
                    {"version", p.value("version", "")},
                    {"state", p.value("state", "")}});
  }
  return rows;
}

// Non-terminal (type, status) pairs of the summary in type order, then lifecycle order.
json backlogRows(const json& summary, std::chrono::system_clock::time_point now) {
  json rows = json::array();
  const json by_type = summary.value("byType", json::object());
  const json oldest = summary.value("oldest", json::object());
  for (const auto& [type, counts] : by_type.items()) {
    for (const JobStatus status : kAllJobStatuses) {
      const std::string name(statusName(status));
      if (isTerminal(status) || !counts.is_object() || !counts.contains(name)) {
        continue;
      }
      json row = {{"type", type},
                  {"status", name},
                  {"count", counts[name]},
                  {"oldest", nullptr},
                  {"oldestAgeSeconds", nullptr}};
      const json at = oldest.contains(type) && oldest[type].is_object()
                          ? oldest[type].value(name, json())
                          : json();
      if (at.is_string()) {
        row["oldest"] = at;
        if (const auto tp = sdk::parseRfc3339(at.get<std::string>())) {
          const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *tp).count();
          row["oldestAgeSeconds"] = age < 0 ? 0 : age;
        }
      }
      rows.push_back(row);
    }
  }
  return rows;
}

json breakerReport(const std::optional<json>& breakers) {
  if (!breakers) {
    return {{"loaded", false}, {"open", json::array()}};
  }
  json open = json::array();
  for (const auto& b : *breakers) {
    if (b.value("state", "closed") != "closed") {
      open.push_back(b);
    }
  }
  return {{"loaded", true}, {"open", open}};
}

std::string section(const std::string& title, const std::string& body) {
  return title + "\n" + body;
}

std::string engineSection(const json& report) {
  const json& leader = report["leader"];
  const bool known = leader.is_object();
  std::string out = renderTable(
      {"READY", "LEADER", "EPOCH", "HOLDER"},
      {{report["ready"].get<bool>() ? "yes" : "no", known ? yesNo(leader["leader"]) : "-",
        known ? field(leader, "epoch") : "-", known ? field(leader, "holder") : "-"}});
  if (!report["ready"].get<bool>()) {
    const json checks = report["readiness"].value("checks", json::object());
    std::string line = "checks:";
    for (const char* name : {"db", "migrations", "plugins"}) {
      line += std::string(" ") + name + "=" +
              (checks.value(name, false) ? std::string("ok") : std::string("failed"));
    }
    out += line + "\n";
    const std::string detail = field(report["readiness"], "detail");
    if (detail != "-" && !detail.empty() && detail != "{}") {  // {}: the host had nothing to say
      out += "detail: " + detail + "\n";
    }
  }
  return section("Engine", out);
}

std::string pluginsSection(const json& report) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : report["plugins"]) {
    rows.push_back({field(p, "id"), field(p, "version"), field(p, "state")});
  }
  if (rows.empty()) {
    return section("Plugins", "none loaded\n");
  }
  return section("Plugins", renderTable({"ID", "VERSION", "STATE"}, rows));
}

std::string backlogSection(const json& report) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : report["backlog"]) {
    const json& age = b["oldestAgeSeconds"];
    rows.push_back(
        {field(b, "type"), field(b, "status"), field(b, "count"),
         age.is_number_integer() ? formatAge(std::chrono::seconds(age.get<long long>())) : "-"});
  }
  if (rows.empty()) {
    return section("Backlog", "none\n");
  }
  return section("Backlog", renderTable({"TYPE", "STATUS", "COUNT", "OLDEST-AGE"}, rows));
}

std::string breakersSection(const json& report) {
  const json& breakers = report["breakers"];
  if (!breakers["loaded"].get<bool>()) {
    return section("Breakers", "ratelimit not loaded\n");
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : breakers["open"]) {
    rows.push_back({field(b, "key"), field(b, "state"), field(b, "failures"),
                    field(b, "completions"), field(b, "openedUntil")});
  }
  if (rows.empty()) {
    return section("Breakers", "none open\n");
  }
  return section("Breakers",
                 renderTable({"KEY", "STATE", "FAILURES", "COMPLETIONS", "OPEN-UNTIL"}, rows));
}

std::string deadLettersSection(const json& report) {
  const json& dl = report["deadLetters"];
  std::vector<std::vector<std::string>> rows;
  const json by_class = dl.value("byErrorClass", json::object());
  for (const auto& [cls, n] : by_class.items()) {
    if (n.is_number_integer() && n.get<long long>() > 0) {
      rows.push_back({cls, cell(n)});
    }
  }
  const std::string title = "Dead letters (last hour)";
  if (rows.empty()) {
    return section(title, "none\n");
  }
  rows.push_back({"total", field(dl, "total")});
  return section(title, renderTable({"CLASS", "COUNT"}, rows));
}

}  // namespace

bool ratelimitStarted(const json& plugins) {
  if (!plugins.is_array()) {
    return false;
  }
  for (const auto& p : plugins) {
    if (p.value("id", "") == "ratelimit" && p.value("state", "") == "started") {
      return true;
    }
  }
  return false;
}

json buildStatusReport(const StatusAnswers& answers, std::chrono::system_clock::time_point now) {
  const json stats = answers.dead_letters.is_object() ? answers.dead_letters : json::object();
  return {
      {"ready", answers.readiness.value("status", "") == "ready"},
      {"readiness", answers.readiness},
      {"leader", answers.leader},
      {"plugins", pluginRows(answers.plugins)},
      {"backlog", backlogRows(answers.summary, now)},
      {"breakers", breakerReport(answers.breakers)},
      {"deadLetters",
       {{"since", answers.dead_letters_since},
        {"total", stats.value("total", json(0))},
        {"byErrorClass", stats.value("byErrorClass", json::object())},
        {"byJobType", stats.value("byJobType", json::object())}}},
  };
}

std::string renderStatusTable(const json& report) {
  return engineSection(report) + "\n" + pluginsSection(report) + "\n" + backlogSection(report) +
         "\n" + breakersSection(report) + "\n" + deadLettersSection(report);
}

std::string formatAge(std::chrono::seconds age) {
  long long s = age.count();
  if (s < 0) {
    s = 0;
  }
  if (s < 60) {
    return std::to_string(s) + "s";
  }
  if (s < 3600) {
    return std::to_string(s / 60) + "m" + twoDigits(s % 60) + "s";
  }
  if (s < 86400) {
    return std::to_string(s / 3600) + "h" + twoDigits(s % 3600 / 60) + "m";
  }
  return std::to_string(s / 86400) + "d" + twoDigits(s % 86400 / 3600) + "h";
}

}  // namespace jobengine::scheduler::cli
