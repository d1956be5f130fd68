// reservation_keeper.hpp — local admission reservations (docs/reservations.md;
// migrations/ratelimit/0003_reservations.sql says why they stay exact).
//
// Per replica, one thread ("rl-reserve") keeps blocks of the quotas its claims are busy with:
//   * admit() reports a (tenant, job type) whose quota had room to spare (noteDemand); the
//     thread takes a block of it in a short transaction of its own under the quota's lock
//     (reservationBlockSize: a quarter of the room left, or none near the limits), and renews
//     it before it runs low or ages past a few seconds, releasing the old one (unused tokens
//     back to the bucket). A key nobody claimed for a few seconds loses its block.
//   * limited_types (cover): a limited job type every quota'd tenant of which has a block here
//     with room for the claim's maxCount jobs is answered as covered. The block rows are
//     share-locked in the claim's transaction by the same statement that reads the limits,
//     and maxCount is debited from each in memory before it; the scheduler then claims the
//     type in its one-statement claim and settles (settle): what it did not lease goes back.
//     A claim that finds no block while one is being taken for one of its types waits for
//     that take (at most 250 ms) instead of locking the quota through admission.
// A claim that never settles (rolled back, an older scheduler) keeps its debit: a block can
// only admit fewer jobs than it holds, never more.
//
//   * The first block of a key is taken by the admission that first finds its quota with room
//     (claimFirstTake, takeInAdmission), in the admission's transaction, which holds the
//     quota's lock already; the keeper adopts it on commit.
// Locking: mutex_ guards blocks_, demand_, backoff_, taking_, growth_, admission_takes_, tickets_,
// next_ticket_, largest_claim_, releasing_, new_demand_ and stopping_. Database work happens
// without it. Two threads: one takes blocks, one releases them (a release waits for the claims
// still spending its block).
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/ratelimit_settings.hpp"
#include "job_counts.hpp"

namespace jobengine::ratelimit {

class ReservationKeeper {
 public:
  ReservationKeeper(const sdk::Host& host, const RatelimitSettings& settings,
                    const JobCounts& counts);
  ReservationKeeper(const ReservationKeeper&) = delete;
  ReservationKeeper& operator=(const ReservationKeeper&) = delete;
  ~ReservationKeeper() { stop(); }

  void start();
  // Stops the thread and releases every block (their unused tokens go back).
  void stop();
  bool enabled() const { return settings_.reservation_min_block > 0; }

  // admit() admitted jobs of this key and its quota had room to spare.
  void noteDemand(const std::string& tenant, const std::string& job_type);

  // The first block of a key, taken by admission: admit() holds the quota's lock and knows
  // its state, and the keeper's own take would wait for that transaction to end (the first
  // claims of a burst, docs/reservations.md). claimFirstTake says whether this replica wants a
  // block of the key now (none held, none being taken or already taken by an admission still
  // open, no back-off) and, if so, marks the key taken by admission; takeInAdmission then
  // writes the block in the admitting transaction, and the keeper adopts it when that
  // transaction commits (a rollback takes nothing). `tokens_left`: the bucket's level with the
  // block's tokens taken, and its time (epoch microseconds), when the quota has a rate.
  bool claimFirstTake(const std::string& tenant, const std::string& job_type);
  void takeInAdmission(sdk::Txn& txn, const std::string& tenant, const std::string& job_type,
                       const std::string& quota_id, int64_t size,
                       std::optional<std::pair<double, int64_t>> tokens_left);

  // limited_types for a claim of up to max_count jobs: `kLimitedTypes` and the coverage in one
  // statement. Returns the answer {"limited": [...], "covered": [...], "claim": ticket} (no
  // "claim" when nothing is covered).
  nlohmann::json limitedTypes(sdk::Txn& txn, const nlohmann::json& job_types, int64_t max_count);

  // settle_claim: {"claim": ticket, "leased": [{"tenant", "jobType", "count"}]}.
  void settle(const nlohmann::json& request);

 private:
  using Key = std::pair<std::string, std::string>;  // (tenant, job type)
  using Clock = std::chrono::steady_clock;
  struct Block {
    std::string id;  // the reservation row's uuid
    Key key;
    int64_t size = 0;     // jobs (and tokens) it was taken with
    int64_t credits = 0;  // jobs (and tokens) still to spend
    bool has_tokens = false;
    Clock::time_point taken;
    bool releasing = false;
  };
  struct Growth {
    int64_t factor = 0;  // of the key's last block; 0: none yet
    Clock::time_point taken;
  };
  struct Debit {
    std::string block_id;
    Key key;
    int64_t amount = 0;
  };

  void loop();
  void releaseLoop();
  void tend();
  void countClaim(bool covered) const;
  void countWait(Clock::duration waited) const;
  void countTake(const char* result) const;
  // growth: the block's factor (core/reservation_size.hpp), chosen by tend().
  void take(const Key& key, int64_t growth);
  // kInsertBlock in txn: the block written, none when the quota is gone.
  std::optional<Block> insertBlock(sdk::Txn& txn, const Key& key, const std::string& quota_id,
                                   int64_t size,
                                   const std::optional<std::pair<double, int64_t>>& tokens_left);
  // growth: the factor the block was sized with (core/reservation_size.hpp).
  void adopt(Block block, int64_t growth = 1);
  void release(const Block& block);

  const sdk::Host& host_;
  const RatelimitSettings& settings_;
  const JobCounts& counts_;
  std::string replica_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Block> blocks_;       // by id
  std::map<Key, Clock::time_point> demand_;   // last admitted or settled claim of the key
  std::map<Key, Clock::time_point> backoff_;  // no block until then (none was possible)
  std::set<Key> taking_;                      // tend() chose them; take() not yet done
  std::map<Key, Growth> growth_;              // the last block adopted, by key
  // Keys whose block an admission took in a transaction not yet committed, until when the
  // keeper leaves them alone (an admission that rolls back never says so).
  std::map<Key, Clock::time_point> admission_takes_;
  std::condition_variable taken_;  // a take ended (claims wait on it)
  std::map<uint64_t, std::pair<Clock::time_point, std::vector<Debit>>> tickets_;
  uint64_t next_ticket_ = 1;
  int64_t largest_claim_ = 1;  // the largest maxCount a claim asked to cover

  std::deque<std::string> releasing_;  // blocks for the release thread, by id
  bool new_demand_ = false;
  bool stopping_ = false;
  std::thread thread_;    // takes blocks ("rl-reserve")
  std::thread releaser_;  // releases them ("rl-release")
};

}  // namespace jobengine::ratelimit
