// See retention_service.hpp.
#include "retention/retention_service.hpp"

#include <exception>
#include <string>

#include "core/abi_errors.hpp"
#include "retention/retention_registry.hpp"

namespace jobengine::host {
namespace {

RetentionRegistry* registryOf(je_host* host) {
  return host != nullptr && host->services != nullptr ? host->services->retention : nullptr;
}

je_status registerGuard(je_host* host, je_retention_guard guard, void* user, char* err,
                        uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || guard == nullptr) {
      fillError(err, err_cap, "je.retention.register_guard: host and guard are required");
      return JE_ERR_INVALID;
    }
    if (!host->mayRegister()) {
      fillError(err, err_cap, "je.retention.register_guard: allowed only inside create()");
      return JE_ERR_STATE;
    }
    RetentionRegistry* registry = registryOf(host);
    if (registry == nullptr) {
      fillError(err, err_cap, "je.retention.register_guard: retention is not available here");
      return JE_ERR_UNSUPPORTED;
    }
    registry->addGuard(host, guard, user);
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("je.retention.register_guard: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "je.retention.register_guard: internal error");
    return JE_ERR_INTERNAL;
  }
}

je_status cutoff(je_host* host, const char* tenant, uint64_t tenant_len, int64_t retention_seconds,
                 int64_t* cutoff_us, char* err, uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || tenant == nullptr || tenant_len == 0 || cutoff_us == nullptr) {
      fillError(err, err_cap, "je.retention.cutoff: host, tenant and cutoff_us are required");
      return JE_ERR_INVALID;
    }
    *cutoff_us = JE_RETENTION_KEEP_ALL;
    RetentionRegistry* registry = registryOf(host);
    if (registry == nullptr) {
      fillError(err, err_cap, "je.retention.cutoff: retention is not available here");
      return JE_ERR_UNSUPPORTED;
    }
    *cutoff_us = registry->cutoff(std::string(tenant, tenant_len), retention_seconds);
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("je.retention.cutoff: ") + e.what());
    return JE_ERR_RETRY;
  } catch (...) {
    fillError(err, err_cap, "je.retention.cutoff: internal error");
    return JE_ERR_INTERNAL;
  }
}

void countPruned(je_host* host, const char* table, uint64_t table_len, int64_t rows) noexcept {
  try {
    RetentionRegistry* registry = registryOf(host);
    if (registry != nullptr && table != nullptr) {
      registry->countPruned(host->plugin_id, std::string(table, table_len), rows);
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): a metric never fails the pruner
  }
}

}  // namespace

je_retention_v1 makeRetentionService(je_host* host) {
  je_retention_v1 vt{};
  vt.struct_size = sizeof(vt);
  vt.host = host;
  vt.register_guard = &registerGuard;
  vt.cutoff = &cutoff;
  vt.count_pruned = &countPruned;
  return vt;
}

}  // namespace jobengine::host
