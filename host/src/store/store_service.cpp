// je.store v1 (see store_service.hpp). Each vtable function is a noexcept adapter: validate the
// arguments, call the Store/Transaction, translate StoreError into its je_status.
#include "store/store_service.hpp"

#include <cstring>
#include <memory>

namespace jobengine::host {

namespace {

constexpr std::string_view kNoDatabase = "no database in this mode";

struct RowImpl {
  const pqxx::row* row;
};

je_status rowGet(const je_row* row, uint32_t column, je_str* out, int32_t* is_null) noexcept {
  if (row == nullptr || out == nullptr || column >= row->column_count) {
    return JE_ERR_INVALID;
  }
  const pqxx::field f = (*static_cast<const RowImpl*>(row->impl)->row)[static_cast<int>(column)];
  const bool null = f.is_null();
  if (is_null != nullptr) {
    *is_null = null ? 1 : 0;
  }
  *out = null ? je_str{"", 0} : je_str{f.c_str(), static_cast<uint64_t>(f.size())};
  return JE_OK;
}

je_status rowName(const je_row* row, uint32_t column, je_str* out) noexcept {
  if (row == nullptr || out == nullptr || column >= row->column_count) {
    return JE_ERR_INVALID;
  }
  const char* name =
      (*static_cast<const RowImpl*>(row->impl)->row)[static_cast<int>(column)].name();
  *out = je_str{name, std::strlen(name)};
  return JE_OK;
}

// Runs fn, mapping exceptions to a status and an error text.
template <typename Fn>
je_status guarded(char* err, uint32_t err_cap, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const StoreError& e) {
    fillError(err, err_cap, e.what());
    return e.status();
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "internal error: unknown exception");
    return JE_ERR_INTERNAL;
  }
}

Store* storeOf(je_host* host) {
  if (host == nullptr || host->services == nullptr) {
    return nullptr;
  }
  return host->services->store;
}

je_status storeBegin(je_host* host, const char* tenant, uint64_t tenant_len, uint32_t flags,
                     je_txn** out, char* err, uint32_t err_cap) noexcept {
  return guarded(err, err_cap, [&]() -> je_status {
    if (out == nullptr || (tenant == nullptr && tenant_len > 0)) {
      fillError(err, err_cap, "begin: out and tenant are required");
      return JE_ERR_INVALID;
    }
    *out = nullptr;
    Store* store = storeOf(host);
    if (store == nullptr) {
      fillError(err, err_cap, kNoDatabase);
      return JE_ERR_STATE;
    }
    const std::string_view t(tenant == nullptr ? "" : tenant, tenant_len);
    if (const std::string problem = tenantProblem(t); !problem.empty()) {
      fillError(err, err_cap, problem);
      return JE_ERR_INVALID;
    }
    *out =
        adoptTransaction(store->begin(t, (flags & JE_TXN_READ_ONLY) != 0, host->plugin_id), true);
    return JE_OK;
  });
}

je_status storeExec(je_host* host, je_txn* txn, const char* sql, uint64_t sql_len,
                    const je_param* params, uint32_t param_count, je_row_callback on_row,
                    void* user, uint64_t* affected, char* err, uint32_t err_cap) noexcept {
  return guarded(err, err_cap, [&]() -> je_status {
    if (storeOf(host) == nullptr) {
      fillError(err, err_cap, kNoDatabase);
      return JE_ERR_STATE;
    }
    if (txn == nullptr || sql == nullptr || sql_len == 0 ||
        (params == nullptr && param_count > 0)) {
      fillError(err, err_cap, "exec: txn, sql and (when param_count > 0) params are required");
      return JE_ERR_INVALID;
    }
    SqlParams values;
    values.reserve(param_count);
    for (uint32_t i = 0; i < param_count; ++i) {
      if (params[i].is_null != 0) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(params[i].data == nullptr ? "" : params[i].data,
                                        params[i].data == nullptr ? 0 : params[i].len));
      }
    }
    const pqxx::result r = txn->txn.query(std::string_view(sql, sql_len), values);
    const auto count = r.affected_rows();
    if (affected != nullptr) {
      *affected = count > 0 ? static_cast<uint64_t>(count) : static_cast<uint64_t>(r.size());
    }
    if (on_row != nullptr) {
      for (const auto& row : r) {
        RowImpl impl{&row};
        const je_row view{sizeof(je_row), static_cast<uint32_t>(r.columns()), &impl, rowGet,
                          rowName};
        const je_status st = on_row(user, &view);
        if (st != JE_OK) {
          fillError(err, err_cap, "row callback stopped with status " + std::to_string(st));
          return st;
        }
      }
    }
    return JE_OK;
  });
}

je_status storeCommit(je_host* /*host*/, je_txn* txn, char* err, uint32_t err_cap) noexcept {
  if (txn == nullptr) {
    fillError(err, err_cap, "commit: txn is required");
    return JE_ERR_INVALID;
  }
  if (!txn->plugin_owned) {
    fillError(err, err_cap, "commit: this transaction belongs to the host (request txn)");
    return JE_ERR_STATE;
  }
  std::unique_ptr<je_txn> owned(txn);  // freed on every path, as abi.h promises
  return guarded(err, err_cap, [&]() -> je_status {
    owned->txn.commit();
    return JE_OK;
  });
}

void storeRollback(je_host* /*host*/, je_txn* txn) noexcept {
  if (txn == nullptr || !txn->plugin_owned) {
    return;  // a host-owned txn is rolled back by the host, never by the plugin
  }
  releaseTxn(txn);
}

je_status storeOnCommit(je_host* /*host*/, je_txn* txn, void (*fn)(void* user), void* user,
                        char* err, uint32_t err_cap) noexcept {
  return guarded(err, err_cap, [&]() -> je_status {
    if (txn == nullptr || fn == nullptr) {
      fillError(err, err_cap, "on_commit: txn and fn are required");
      return JE_ERR_INVALID;
    }
    txn->txn.onCommit([fn, user] { fn(user); });
    return JE_OK;
  });
}

je_status storeOnEnd(je_host* /*host*/, je_txn* txn, void (*fn)(void* user, int committed),
                     void* user, char* err, uint32_t err_cap) noexcept {
  return guarded(err, err_cap, [&]() -> je_status {
    if (txn == nullptr || fn == nullptr) {
      fillError(err, err_cap, "on_end: txn and fn are required");
      return JE_ERR_INVALID;
    }
    txn->txn.onEnd([fn, user](bool committed) { fn(user, committed ? 1 : 0); });
    return JE_OK;
  });
}

je_str storeTenant(je_host* /*host*/, const je_txn* txn) noexcept {
  if (txn == nullptr) {
    return je_str{"", 0};
  }
  const std::string& t = txn->txn.tenant();
  return je_str{t.data(), t.size()};
}

}  // namespace

je_txn* adoptTransaction(Transaction txn, bool plugin_owned) {
  return new je_txn{std::move(txn), plugin_owned};
}

Transaction* transactionOf(je_txn* txn) { return txn == nullptr ? nullptr : &txn->txn; }

void releaseTxn(je_txn* txn) noexcept {
  delete txn;  // ~Transaction rolls back when still open
}

je_store_v1 makeStoreService(je_host* host) {
  je_store_v1 vt{};
  vt.struct_size = sizeof(je_store_v1);
  vt.host = host;
  vt.begin = storeBegin;
  vt.exec = storeExec;
  vt.commit = storeCommit;
  vt.rollback = storeRollback;
  vt.on_commit = storeOnCommit;
  vt.tenant = storeTenant;
  vt.on_end = storeOnEnd;
  return vt;
}

}  // namespace jobengine::host
