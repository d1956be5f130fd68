// See leader_service.hpp. is_leader answers from an atomic (no database round trip), so a
// plugin may ask before every piece of leader-only work; the epoch it gets is the one to
// fence that work with (jobengine.leader_epoch_is_current_v1).
#include "leader/leader_service.hpp"

#include <exception>
#include <string>

#include "core/abi_errors.hpp"
#include "leader/leader_elector.hpp"

namespace jobengine::host {
namespace {

LeaderElector* electorOf(je_host* host) {
  return host != nullptr && host->services != nullptr ? host->services->leader : nullptr;
}

int32_t leaderIsLeader(je_host* host, int64_t* epoch) noexcept {
  try {
    if (epoch != nullptr) {
      *epoch = 0;
    }
    const LeaderElector* elector = electorOf(host);
    return elector != nullptr && elector->isLeader(epoch) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

je_status leaderWatch(je_host* host, LeaderCallback cb, void* user, char* err,
                      uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || cb == nullptr) {
      fillError(err, err_cap, "je.leader.watch: host and callback are required");
      return JE_ERR_INVALID;
    }
    if (!host->maySubscribe()) {
      fillError(err, err_cap, "je.leader.watch: allowed only inside create() or start()");
      return JE_ERR_STATE;
    }
    LeaderElector* elector = electorOf(host);
    if (elector == nullptr) {
      fillError(err, err_cap, "je.leader.watch: leadership is not available in this process");
      return JE_ERR_UNSUPPORTED;
    }
    elector->watch(host, cb, user);
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("je.leader.watch: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "je.leader.watch: internal error");
    return JE_ERR_INTERNAL;
  }
}

}  // namespace

je_leader_v1 makeLeaderService(je_host* host) {
  je_leader_v1 vt{};
  vt.struct_size = sizeof(vt);
  vt.host = host;
  vt.is_leader = &leaderIsLeader;
  vt.watch = &leaderWatch;  // 1.2
  return vt;
}

}  // namespace jobengine::host
