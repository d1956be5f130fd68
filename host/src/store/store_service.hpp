// je.store v1: the C vtable plugins use to reach the host's Store (abi.h).
//
// makeStoreService() fills a vtable whose functions find the Store through
// host->services->store; when there is none (e.g. `plugins list`) every call answers
// JE_ERR_STATE "no database in this mode". Every function is noexcept and catches everything;
// error texts go into the caller's buffer, NUL-terminated and truncated to err_cap - 1 bytes.
// A je_txn wraps a host Transaction; the host itself can wrap one (e.g. the request txn of a
// JE_ROUTE_TXN route) with adoptTransaction(..., false) so that plugins cannot commit it.
#pragma once

#include <jobengine/abi.h>

#include "core/abi_errors.hpp"

#include "core/host_handle.hpp"
#include "store/store.hpp"

// Defined at global scope because abi.h declares `struct je_txn` there.
struct je_txn {
  jobengine::host::Transaction txn;
  bool plugin_owned;  // false: commit/rollback belong to the host, not to the plugin
};

namespace jobengine::host {

je_store_v1 makeStoreService(je_host* host);

// Wraps a transaction in a heap je_txn. plugin_owned: whether commit/rollback through the
// vtable are allowed (they free it); otherwise the host frees it with releaseTxn().
je_txn* adoptTransaction(Transaction txn, bool plugin_owned);
// The host-side transaction behind a je_txn (nullptr for nullptr).
Transaction* transactionOf(je_txn* txn);
// Frees a je_txn (rolling back when still open). For host-owned wrappers.
void releaseTxn(je_txn* txn) noexcept;

}  // namespace jobengine::host
