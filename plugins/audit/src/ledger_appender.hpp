// LedgerAppender: chains committed outbox events into the audit ledger (SPEC §7,
// docs/ledger.md). Leader-only: one thread, "audit-ledger", in every replica; it works only
// while je.leader says this replica leads, so one writer extends the chains and positions never
// race. Every round is one "system" transaction: it reads the cursor and up to kBatch events
// after it with je.events read_after (ABI 1.5, horizon-bounded: nothing is skipped); with
// nothing new it ends there, having locked and written nothing. Otherwise, before any write,
// jobengine.leader_epoch_is_current_v1(epoch) (a deposed leader's round writes nothing) and
// the cursor row locked and checked unchanged; then it chains the events with chainEvents,
// inserts the entries in one statement, moves the heads and the cursor, and commits. Entries, heads
// and cursor commit together, so a crash, a restart or a new leader continues exactly after the
// cursor: no gap, no duplicate.
//
// Cadence: it wakes on every committed event (a je.events subscription used as a wake-up, its
// callback only sets a flag) and on leadership changes, and polls every kPollMs anyway; while a
// round read a full batch it goes on at once (catch-up of a large backlog). The appender
// appends no events, so it never wakes itself. Between rounds, while leading, the same thread
// runs retention (ledger_pruner.hpp) when it is due: pruning and appending never overlap. The
// pruning's audit.pruned event wakes the thread like any event and is chained by the next round.
// Threads: the callbacks (host threads) only touch the wake flag under mutex_; the thread owns
// everything else. stop() wakes and joins it.
#pragma once

#include <jobengine/plugin.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/audit_settings.hpp"
#include "ledger_pruner.hpp"

namespace jobengine::audit {

class LedgerAppender {
 public:
  static constexpr uint32_t kBatch = 2000;
  // The poll behind the wake-ups (a lost one costs at most this): each idle leader round is a
  // read-only transaction, so it is kept rare.
  static constexpr std::chrono::milliseconds kPollMs{2000};

  LedgerAppender(sdk::Host& host, const AuditSettings& settings);
  ~LedgerAppender();
  LedgerAppender(const LedgerAppender&) = delete;
  LedgerAppender& operator=(const LedgerAppender&) = delete;

  // In the plugin's start(): subscribes the wake-ups, watches leadership, starts the thread.
  // Without je.events read_after (a host with no events service) it says so once and appends
  // nothing. Throws sdk::Error when the subscription is refused.
  void start();
  void stop();

 private:
  void wake();
  void loop();
  // One fenced round: how many events were chained, or -1 when the epoch was no longer current.
  int64_t round(int64_t epoch);

  sdk::Host& host_;
  LedgerPruner pruner_;  // used by the thread only
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;               // guarded by mutex_
  bool woken_ = false;                  // guarded by mutex_
  std::atomic<bool> wake_sent_{false};  // folds the per-event callbacks into one notify
};

}  // namespace jobengine::audit
