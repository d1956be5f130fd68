// The audit ledger's leader-only appender. See ledger_appender.hpp.
#include "ledger_appender.hpp"

#include <pthread.h>

#include <exception>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/ledger_batch.hpp"
#include "ledger_store.hpp"

namespace jobengine::audit {

LedgerAppender::LedgerAppender(sdk::Host& host, const AuditSettings& settings)
    : host_(host), pruner_(host, settings) {}

LedgerAppender::~LedgerAppender() { stop(); }

void LedgerAppender::start() {
  if (!host_.hasReadAfter()) {
    // Only a host without a database or events (plugin tests, offline commands) lacks it: a
    // plugin built for ABI 1.5 does not load on an older host. Routes keep working.
    host_.warn("audit: je.events read_after is not available here; the ledger is not appended");
    return;
  }
  host_.subscribeEvents(-1, [this](int64_t /*seq*/, std::string_view /*json*/) { wake(); });
  try {
    host_.watchLeader([this](bool /*leading*/, int64_t /*epoch*/) { wake(); });
  } catch (const sdk::Error& e) {  // no leadership watch: the poll still notices a change
    host_.warn(std::string("audit: leadership changes are polled: ") + e.what());
  }
  thread_ = std::thread([this] { loop(); });
}

void LedgerAppender::stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void LedgerAppender::wake() {
  // Called for every committed event: only the first call since the thread last woke locks.
  if (wake_sent_.exchange(true)) {
    return;
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void LedgerAppender::loop() {
  pthread_setname_np(pthread_self(), "audit-ledger");
  bool warned = false;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait_for(lock, kPollMs, [&] { return stopping_ || woken_; });
      if (stopping_) {
        return;
      }
      woken_ = false;
    }
    wake_sent_.store(false);
    int64_t epoch = 0;
    if (!host_.isLeader(&epoch)) {
      continue;
    }
    try {
      int64_t chained = 0;
      do {  // a full batch: more are waiting, go on without sleeping
        chained = round(epoch);
        const std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) {
          return;
        }
      } while (chained == static_cast<int64_t>(kBatch));
      warned = false;
    } catch (const std::exception& e) {
      if (!warned) {  // a database outage fails every round: say it once until one works
        host_.warn(std::string("audit ledger round failed: ") + e.what());
        warned = true;
      }
    }
    pruner_.runIfDue(epoch);  // retention, between rounds (never throws)
  }
}

int64_t LedgerAppender::round(int64_t epoch) {
  auto txn = host_.begin(JE_TENANT_SYSTEM);
  // Read first, without locks: an idle round (nothing after the cursor) takes no lock, assigns
  // no transaction id and writes nothing; it rolls back on destruction.
  const int64_t cursor = readCursor(txn);
  std::vector<nlohmann::json> events;
  int64_t last_seq = cursor;
  host_.readEventsAfter(txn, cursor, kBatch, [&](int64_t seq, std::string_view json) {
    events.push_back(nlohmann::json::parse(json));
    last_seq = seq;
  });
  if (events.empty()) {
    return 0;
  }
  // Before any write: the fence (share-locks the epoch until the commit), then the cursor row.
  bool current = false;
  txn.exec("SELECT jobengine.leader_epoch_is_current_v1($1::bigint)", {epoch},
           [&](const sdk::Row& r) { current = r.boolean(0); });
  if (!current) {
    return -1;  // deposed: the transaction rolls back on destruction, having written nothing
  }
  if (lockCursor(txn) != cursor) {
    return -1;  // another round moved the cursor since it was read: start again from it
  }
  std::set<std::string> tenant_set;
  for (const nlohmann::json& event : events) {
    tenant_set.insert(event.value("tenantId", std::string()));
  }
  std::map<std::string, ChainHead> heads =
      loadHeads(txn, std::vector<std::string>(tenant_set.begin(), tenant_set.end()));
  const std::vector<LedgerRow> rows = chainEvents(events, heads);
  insertEntries(txn, rows);
  saveHeads(txn, heads);
  saveCursor(txn, last_seq);
  txn.commit();
  host_.gaugeSet("audit_ledger_cursor_seq", "Last outbox seq chained into the audit ledger",
                 nlohmann::json::object(), static_cast<double>(last_seq));
  host_.counterAdd("audit_ledger_entries_total", "Audit ledger entries appended",
                   nlohmann::json::object(), static_cast<double>(rows.size()));
  return static_cast<int64_t>(events.size());
}

}  // namespace jobengine::audit
