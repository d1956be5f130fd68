// Migrator: applies migrations/<owner>/NNNN_name.sql in order (DESIGN.md §5, docs/storage.md).
//
// Owners are applied in the order given ("host" first, then plugin ids). Each file runs in its
// own transaction; the whole run holds a session advisory lock so replicas starting together
// apply every file exactly once. jobengine.schema_migrations records owner, version, name,
// sha256 and applied_at; a recorded file whose checksum changed stops the run with one line
// naming the file. After each owner the application role gets USAGE on the owner's schema and
// DML on its tables and sequences (now and by default for later ones). Files must not contain
// BEGIN/COMMIT or statements that refuse to run in a transaction (CREATE INDEX CONCURRENTLY).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

// A migration problem; what() is one line naming the file.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationFile {
  std::string owner;
  int version = 0;
  std::string name;      // file name, e.g. "0001_init.sql"
  std::string path;      // <root>/<owner>/<name> as shown in messages
  std::string checksum;  // lower-case hex sha256 of the file bytes
  std::string sql;
};

struct MigrationStatus {
  std::string owner;
  int applied = 0;
  std::vector<std::string> pending;  // paths not applied yet
  std::vector<std::string> changed;  // applied paths whose file changed since
};

struct MigratorOptions {
  std::string dsn;  // a role that may create schemas (embedded: the superuser)
  std::string root = "migrations";
  std::string app_role;  // empty: no grants
};

class Migrator {
 public:
  explicit Migrator(MigratorOptions options);

  // Applies every pending file of each owner, in order; returns how many were applied.
  // Throws MigrationError (file problems) or std::runtime_error (cannot connect).
  int apply(const std::vector<std::string>& owners) const;
  // What apply() would do, without the lock and without changing anything.
  std::vector<MigrationStatus> status(const std::vector<std::string>& owners) const;
  // Pending plus changed files over all owners (0 = ready).
  int pendingCount(const std::vector<std::string>& owners) const;
  // The owner's files in version order (empty when the folder does not exist).
  std::vector<MigrationFile> files(const std::string& owner) const;

  const MigratorOptions& options() const { return options_; }

 private:
  MigratorOptions options_;
};

// The schema an owner's tables live in: "host" -> "jobengine", "sources-<x>" -> "<x>",
// otherwise the owner id itself (DESIGN.md §5).
std::string ownerSchema(std::string_view owner);

}  // namespace jobengine::host
