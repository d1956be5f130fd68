// See leader_rules.hpp.
#include "leader/leader_rules.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

namespace jobengine::host {

std::optional<std::string> stepDownReason(int64_t my_epoch, const LeaderCheck& check) {
  if (!check.lock_held) {
    return "this replica's session no longer holds the leadership lock";
  }
  if (!check.stored_epoch) {
    return "jobengine.leader has no row";
  }
  if (*check.stored_epoch != my_epoch) {
    return "the stored epoch is " + std::to_string(*check.stored_epoch) + ", not this leader's " +
           std::to_string(my_epoch) + " (holder " + check.stored_holder.value_or("none") + ")";
  }
  return std::nullopt;
}

nlohmann::json leaderElectedEvent(int64_t epoch, const std::string& replica_id,
                                  const std::optional<std::string>& previous_holder) {
  nlohmann::json data = {{"epoch", epoch},
                         {"replicaId", replica_id},
                         {"previousEpoch", epoch - 1},
                         {"previousHolder", nullptr}};
  if (previous_holder) {
    data["previousHolder"] = *previous_holder;
  }
  return {{"eventType", "leader.elected"},
          {"tenantId", "system"},  // the actor is the transaction's: system:host
          {"data", std::move(data)}};
}

std::string makeReplicaId(const std::string& hostname, long pid, uint32_t random) {
  std::array<char, 8> suffix{};
  std::snprintf(suffix.data(), suffix.size(), "%06x", random & 0xFFFFFFU);
  return (hostname.empty() ? std::string("localhost") : hostname) + ":" + std::to_string(pid) +
         ":" + suffix.data();
}

std::string currentReplicaId() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) {
    name[0] = '\0';
  }
  std::random_device random;
  return makeReplicaId(name.data(), static_cast<long>(getpid()), random());
}

std::chrono::milliseconds electionLockTimeout(std::chrono::milliseconds check_interval) {
  return std::clamp(check_interval * 4, std::chrono::milliseconds(2000),
                    std::chrono::milliseconds(30000));
}

std::chrono::milliseconds sessionTcpTimeout(std::chrono::milliseconds check_interval) {
  return std::clamp(check_interval * 4, std::chrono::milliseconds(2000),
                    std::chrono::milliseconds(60000));
}

}  // namespace jobengine::host
