// Who owns a running embedded cluster, and what to do about a postmaster found running in a
// data directory at start-up.
//
// When PgCluster starts a server it writes "<data_dir>.owner" (beside the data directory, like
// the log): the owning process (pid + start time, so a reused pid is not mistaken for it), the
// boot it ran in, the postmaster (pid + start time) and the watchdog pid. On a later start
// that finds postmaster.pid naming a live PostgreSQL, judgeLeftover() decides from plain facts
// whether that server is an orphan this start may stop (same data directory, same OS user,
// recorded by the owner file, owner gone), or a server somebody else holds, which is never
// touched. The decision is a pure function so every case is unit tested; gathering the facts
// (/proc) and acting on the verdict is PgCluster's job.
#pragma once

#include <optional>
#include <string>

#include "os_process.hpp"

namespace jobengine::pgcluster::detail {

struct OwnerRecord {
  ProcessId owner;       // the process that started the server (the engine)
  std::string boot_id;   // start times only compare within one boot
  ProcessId postmaster;  // the server it started
  pid_t watchdog_pid = 0;
  std::string command;  // the owner's command line, for messages
};

// key=value lines; parseOwnerRecord(formatOwnerRecord(r)) == r. Unknown keys are ignored and a
// record missing the owner or postmaster identity is nullopt.
std::string formatOwnerRecord(const OwnerRecord& record);
std::optional<OwnerRecord> parseOwnerRecord(const std::string& text);

// Written to a temporary name and renamed, so a reader never sees half a record. Throws
// std::runtime_error with one line.
void writeOwnerFile(const std::string& path, const OwnerRecord& record);
// nullopt when missing or unreadable.
std::optional<OwnerRecord> readOwnerFile(const std::string& path);

enum class DirMatch { kYes, kNo, kUnknown };

// What a start knows about the process postmaster.pid names.
struct LeftoverFacts {
  bool postgres_alive = false;                    // a live process whose command is postgres
  DirMatch serves_data_dir = DirMatch::kUnknown;  // its working directory is this data dir
  bool same_user = false;            // it runs as the user this start would run the server as
  ProcessId postmaster;              // pid from postmaster.pid, start time from /proc
  std::string boot_id;               // this boot
  std::optional<OwnerRecord> owner;  // "<data_dir>.owner", if any
  bool owner_alive = false;          // owner->owner still names a live process
};

enum class Leftover {
  kNone,          // no live PostgreSQL behind postmaster.pid: a stale file, remove it
  kOtherCluster,  // the pid now belongs to a PostgreSQL of another data directory: stale file
  kOtherUser,     // ours or not, it runs as another user (or we cannot tell): refuse
  kUnowned,       // no owner record for this very postmaster (started by hand, another tool,
                  // an engine from before owner files, another boot): refuse
  kLiveOwner,     // the recorded owner is still running: refuse, name it
  kOrphan,        // recorded, same user and data dir, owner dead: stop it and carry on
};

Leftover judgeLeftover(const LeftoverFacts& facts);

}  // namespace jobengine::pgcluster::detail
