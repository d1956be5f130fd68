// No plugin touches the host's tables (DESIGN.md §2, ABI 1.2): the only host objects a plugin's
// SQL may name are the versioned functions and types abi.h declares (its JE_SQL_* macros,
// "Host SQL functions"), plus the transaction settings the row-level-security convention reads
// ('jobengine.tenant', docs/storage.md). This test reads every plugin's sources and migrations
// and fails naming the file, the line and the name of anything else in schema jobengine.
// Comments and plugins' docs/ folders are skipped: frozen migrations and walkthroughs may
// mention host tables in prose.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kRepoRoot = JE_SOURCE_DIR;

std::vector<std::string> readLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// The host objects abi.h declares: `#define JE_SQL_<NAME> "jobengine.<object>"`.
std::set<std::string> declaredHostObjects() {
  std::set<std::string> out;
  const std::regex define(R"re(^#define JE_SQL_[A-Z0-9_]+ "jobengine\.([a-z0-9_]+)")re");
  for (const std::string& line : readLines(kRepoRoot / "sdk/include/jobengine/abi.h")) {
    std::smatch m;
    if (std::regex_search(line, m, define)) {
      out.insert(m[1]);
    }
  }
  return out;
}

// The line without its comment: SQL `--` and C++ `//` (at the start or after whitespace, so
// "http://" in a string survives).
std::string withoutComment(const std::string& line) {
  std::string out = line;
  if (const size_t sql = out.find("--"); sql != std::string::npos) {
    out.erase(sql);
  }
  for (size_t pos = out.find("//"); pos != std::string::npos; pos = out.find("//", pos + 2)) {
    if (pos == 0 || out[pos - 1] == ' ' || out[pos - 1] == '\t') {
      out.erase(pos);
      break;
    }
  }
  const size_t star = out.find_first_not_of(" \t");
  if (star != std::string::npos &&
      (out.compare(star, 2, "* ") == 0 || out.compare(star, 2, "/*") == 0)) {
    return {};
  }
  return out;
}

struct Finding {
  std::string where;
  std::string name;
};

std::vector<Finding> undeclaredHostNames(const std::set<std::string>& declared) {
  std::vector<fs::path> roots = {kRepoRoot / "plugins"};
  for (const auto& entry : fs::directory_iterator(kRepoRoot / "migrations")) {
    if (entry.is_directory() && entry.path().filename() != "host") {
      roots.push_back(entry.path());
    }
  }
  const std::regex host_name(R"re((')?jobengine\.([a-z_][a-z0-9_]*)(')?)re");
  std::vector<Finding> findings;
  for (const fs::path& root : roots) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".sql")) {
        continue;
      }
      // A plugin's docs/ may hold psql walkthroughs run by a person as the database owner
      // (plugins/scheduler/docs/sql_scenario.sql): prose, not the plugin's code.
      if (entry.path().parent_path().filename() == "docs") {
        continue;
      }
      const auto lines = readLines(entry.path());
      for (size_t i = 0; i < lines.size(); ++i) {
        const std::string code = withoutComment(lines[i]);
        for (std::sregex_iterator it(code.begin(), code.end(), host_name), end; it != end; ++it) {
          const std::string name = (*it)[2];
          const bool quoted_setting = (*it)[1].matched && (*it)[3].matched && name == "tenant";
          if (quoted_setting || declared.count(name) != 0) {
            continue;
          }
          findings.push_back(
              {fs::relative(entry.path(), kRepoRoot).string() + ":" + std::to_string(i + 1),
               "jobengine." + name});
        }
      }
    }
  }
  return findings;
}

TEST(PluginSqlContractTest, AbiDeclaresTheHostSqlFunctions) {
  const auto declared = declaredHostObjects();
  EXPECT_EQ(declared, (std::set<std::string>{"append_events_v1", "event_input_v1", "job_events_v1",
                                             "leader_epoch_is_current_v1"}));
}

TEST(PluginSqlContractTest, EveryDeclaredObjectExistsInTheHostMigrations) {
  std::string migrations;
  for (const auto& entry : fs::directory_iterator(kRepoRoot / "migrations/host")) {
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    migrations += ss.str();
  }
  for (const std::string& name : declaredHostObjects()) {
    const bool created = migrations.find("FUNCTION jobengine." + name + "(") != std::string::npos ||
                         migrations.find("TYPE jobengine." + name + " ") != std::string::npos;
    EXPECT_TRUE(created) << "abi.h declares jobengine." << name
                         << " but no host migration creates it";
  }
}

TEST(PluginSqlContractTest, NoPluginNamesAnUndeclaredHostObject) {
  const auto findings = undeclaredHostNames(declaredHostObjects());
  std::string report;
  for (const Finding& f : findings) {
    report += "  " + f.where + ": " + f.name + "\n";
  }
  EXPECT_TRUE(findings.empty())
      << "plugins may name only the host SQL objects abi.h declares (JE_SQL_*):\n"
      << report;
}

TEST(PluginSqlContractTest, TheScanFindsWhatItLooksFor) {
  // The scanner itself: a host table in code is found, in a comment it is not.
  EXPECT_EQ(withoutComment("SELECT 1 FROM jobengine.events -- jobengine.x"),
            "SELECT 1 FROM jobengine.events ");
  EXPECT_EQ(withoutComment("  // INSERT INTO jobengine.events"), "  ");
  EXPECT_EQ(withoutComment("\"http://example\" x"), "\"http://example\" x");
}

}  // namespace
}  // namespace jobengine::testing
