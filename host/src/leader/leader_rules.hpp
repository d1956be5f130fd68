// Leadership decisions as pure functions (STYLE 13), apart from the thread and the SQL that
// carry them out (leader_elector, leader_store): whether a leader keeps leading after its
// periodic check, the `leader.elected` event a new leader appends, this replica's identity
// and the settings derived from the check interval. docs/leader.md explains the protocol.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::host {

// What a leader's periodic check read on its dedicated session.
struct LeaderCheck {
  bool lock_held = false;               // this session holds the leadership advisory lock
  std::optional<int64_t> stored_epoch;  // jobengine.leader.epoch; nullopt: the row is gone
  std::optional<std::string> stored_holder;
};

// Why a leader that was elected with my_epoch must step down after check; nullopt while it
// stays leader. Only the lock's holder writes the epoch, so a different stored epoch or a
// lost lock both mean this replica no longer leads (another session was elected, the row was
// changed by hand, or the connection was replaced underneath).
std::optional<std::string> stepDownReason(int64_t my_epoch, const LeaderCheck& check);

// The partial orch.event.v1 envelope a newly elected replica appends in its election
// transaction: tenant "system" (the host's own cross-tenant events; no real tenant's stream
// shows them), actor "system:host", data {epoch, replicaId, previousEpoch, previousHolder}.
nlohmann::json leaderElectedEvent(int64_t epoch, const std::string& replica_id,
                                  const std::optional<std::string>& previous_holder);

// "<hostname>:<pid>:<6 hex digits>": readable in logs and GET /leader, unique across
// restarts that reuse a pid and across containers that share a hostname.
std::string makeReplicaId(const std::string& hostname, long pid, uint32_t random);
// makeReplicaId for this process (gethostname, getpid, a random number).
std::string currentReplicaId();

// Timeouts of the elector's session, derived from the check interval (docs/leader.md):
// lock_timeout bounds how long an election waits for fenced writers of the old epoch (and so
// how long stop() may wait); tcp_user_timeout bounds how long a check can hang on a dead
// network before the leader notices it lost its connection.
std::chrono::milliseconds electionLockTimeout(std::chrono::milliseconds check_interval);
std::chrono::milliseconds sessionTcpTimeout(std::chrono::milliseconds check_interval);

}  // namespace jobengine::host
