// Migrator (see migrator.hpp). Uses its own connection (not the application pool) because it
// needs a role that owns the schemas, and the advisory lock is tied to that session.
#include "store/migrator.hpp"

#include <jobengine/canonical_json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "store/store_error.hpp"

namespace jobengine::host {

namespace fs = std::filesystem;

namespace {

constexpr long long kMigrationLockKey = 0x4A6F62456E67;  // "JobEng"

constexpr const char* kCreateLedger =
    "CREATE SCHEMA IF NOT EXISTS jobengine; "
    "CREATE TABLE IF NOT EXISTS jobengine.schema_migrations ("
    " owner text NOT NULL, version integer NOT NULL, name text NOT NULL,"
    " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (owner, version))";

struct Applied {
  std::string name;
  std::string checksum;
};

bool validOwner(const std::string& owner) {
  return !owner.empty() && std::all_of(owner.begin(), owner.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string sqlErrorLine(const pqxx::sql_error& e) { return classify(e).what(); }

std::map<int, Applied> readApplied(pqxx::transaction_base& tx, const std::string& owner) {
  std::map<int, Applied> out;
  const pqxx::result r = tx.exec_params(
      "SELECT version, name, checksum FROM jobengine.schema_migrations WHERE owner = $1", owner);
  for (const auto& row : r) {
    out[row[0].as<int>()] = Applied{row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return out;
}

pqxx::connection connectOrThrow(const std::string& dsn) {
  try {
    return pqxx::connection(dsn);
  } catch (const pqxx::broken_connection& e) {
    throw std::runtime_error("migrations: cannot connect to the database: " +
                             primaryMessage(e.what()));
  }
}

std::string changedMessage(const MigrationFile& f, const Applied& a) {
  return "migration " + f.path + " changed after it was applied (recorded sha256:" + a.checksum +
         ", file sha256:" + f.checksum + ")";
}

void grantOwner(pqxx::connection& c, const std::string& owner, const std::string& role) {
  pqxx::work w(c, "grants");
  const std::string schema = ownerSchema(owner);
  const pqxx::result exists =
      w.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema);
  if (exists.empty()) {
    return;  // an owner without tables of its own
  }
  const std::string s = c.quote_name(schema);
  const std::string r = c.quote_name(role);
  w.exec("GRANT USAGE ON SCHEMA " + s + " TO " + r + "; " +
         "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + s + " TO " + r + "; " +
         "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + s + " TO " + r + "; " +
         "ALTER DEFAULT PRIVILEGES IN SCHEMA " + s +
         " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + r + "; " +
         "ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT USAGE, SELECT ON SEQUENCES TO " + r);
  if (owner == "host") {
    // The application may read the ledger (readiness) but never rewrite it.
    w.exec("REVOKE INSERT, UPDATE, DELETE ON jobengine.schema_migrations FROM " + r);
  }
  w.commit();
}

}  // namespace

std::string ownerSchema(std::string_view owner) {
  if (owner == "host") {
    return "jobengine";
  }
  constexpr std::string_view kSources = "sources-";
  if (owner.substr(0, kSources.size()) == kSources) {
    return std::string(owner.substr(kSources.size()));
  }
  return std::string(owner);
}

Migrator::Migrator(MigratorOptions options) : options_(std::move(options)) {
  while (options_.root.size() > 1 && options_.root.back() == '/') {
    options_.root.pop_back();
  }
}

std::vector<MigrationFile> Migrator::files(const std::string& owner) const {
  if (!validOwner(owner)) {
    throw MigrationError("migrations owner '" + owner +
                         "' is not a valid folder name (allowed: a-z 0-9 - _)");
  }
  const std::string dir = options_.root + "/" + owner;
  std::vector<MigrationFile> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return out;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") {
      continue;
    }
    const std::size_t digits = name.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos || name[digits] != '_' || digits > 9) {
      throw MigrationError("migration " + dir + "/" + name +
                           " is misnamed (expected NNNN_name.sql, e.g. 0001_init.sql)");
    }
    MigrationFile f;
    f.owner = owner;
    f.version = std::stoi(name.substr(0, digits));
    f.name = name;
    f.path = dir + "/" + name;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    f.sql = body.str();
    f.checksum = sdk::sha256Hex(f.sql);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      throw MigrationError("migrations " + out[i].path + " and " + out[i - 1].path +
                           " share version " + std::to_string(out[i].version));
    }
  }
  return out;
}

int Migrator::apply(const std::vector<std::string>& owners) const {
  // Read every file first: a misnamed file fails before anything is touched.
  std::vector<std::vector<MigrationFile>> all;
  all.reserve(owners.size());
  for (const auto& owner : owners) {
    all.push_back(files(owner));
  }
  pqxx::connection c = connectOrThrow(options_.dsn);
  pqxx::nontransaction(c, "lock").exec("SELECT pg_advisory_lock(" +
                                       std::to_string(kMigrationLockKey) + ")");
  // The lock is released when the connection closes (also on the error paths below).
  {
    pqxx::work w(c, "ledger");
    w.exec(kCreateLedger);
    w.commit();
  }
  int applied_now = 0;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    std::map<int, Applied> applied;
    {
      pqxx::read_transaction r(c, "applied");
      applied = readApplied(r, owners[i]);
    }
    for (const auto& f : all[i]) {
      const auto found = applied.find(f.version);
      if (found != applied.end()) {
        if (found->second.checksum != f.checksum) {
          throw MigrationError(changedMessage(f, found->second));
        }
        continue;
      }
      try {
        pqxx::work w(c, "migration");
        w.exec(f.sql);
        w.exec_params(
            "INSERT INTO jobengine.schema_migrations (owner, version, name, checksum) "
            "VALUES ($1, $2, $3, $4)",
            f.owner, f.version, f.name, f.checksum);
        w.commit();
        ++applied_now;
      } catch (const pqxx::sql_error& e) {
        throw MigrationError("migration " + f.path + " failed: " + sqlErrorLine(e));
      }
    }
    if (!options_.app_role.empty()) {
      try {
        grantOwner(c, owners[i], options_.app_role);
      } catch (const pqxx::sql_error& e) {
        throw MigrationError("migrations of '" + owners[i] + "': granting " + options_.app_role +
                             " failed: " + sqlErrorLine(e));
      }
    }
  }
  return applied_now;
}

std::vector<MigrationStatus> Migrator::status(const std::vector<std::string>& owners) const {
  pqxx::connection c = connectOrThrow(options_.dsn);
  pqxx::read_transaction r(c, "status");
  const bool ledger = !r.exec("SELECT to_regclass('jobengine.schema_migrations')")[0][0].is_null();
  std::vector<MigrationStatus> out;
  for (const auto& owner : owners) {
    MigrationStatus st;
    st.owner = owner;
    const std::map<int, Applied> applied =
        ledger ? readApplied(r, owner) : std::map<int, Applied>{};
    for (const auto& f : files(owner)) {
      const auto found = applied.find(f.version);
      if (found == applied.end()) {
        st.pending.push_back(f.path);
      } else {
        ++st.applied;
        if (found->second.checksum != f.checksum) {
          st.changed.push_back(f.path);
        }
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

int Migrator::pendingCount(const std::vector<std::string>& owners) const {
  int n = 0;
  for (const auto& st : status(owners)) {
    n += static_cast<int>(st.pending.size() + st.changed.size());
  }
  return n;
}

}  // namespace jobengine::host
