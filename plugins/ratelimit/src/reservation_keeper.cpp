// reservation_keeper.cpp — see reservation_keeper.hpp.
#include "reservation_keeper.hpp"

#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <set>

#include "common_store.hpp"
#include "core/admission.hpp"
#include "core/reservation_size.hpp"
#include "core/token_bucket.hpp"
#include "limit_rows.hpp"

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

// How long a block serves claims before it is renewed, and how long a key keeps its block
// without a claim, is reservation_seconds (at most 10). The row expires far later
// (kBlockRowLife), and a claim uses a block only while its row has more than kBlockMargin to
// live: an admission that deletes an expired row can never meet a claim still spending it.
constexpr std::chrono::seconds kBackoff{5};
constexpr std::chrono::seconds kTicketLasts{60};
constexpr auto kTendEvery = std::chrono::milliseconds(50);
// How long a claim waits for a block this replica is taking for one of its job types, rather
// than going through admission under the quota's lock (docs/reservations.md, "The first claims
// of a burst"). A take is a short transaction (40-60 ms measured under a drain).
constexpr auto kAwaitBlock = std::chrono::milliseconds(250);
// How long the keeper leaves a key alone whose first block an admission took in a transaction
// still open (a large enqueue's; its rollback is never reported).
constexpr std::chrono::seconds kAdmissionTakeLasts{5};
const char* kBlockRowLife = "30 seconds";
const char* kBlockMargin = "15 seconds";

// kLimitedTypes (admission_store.cpp) plus coverage: $2 holds the blocks this replica offers
// ([{"tenant", "id"}]); they are share-locked (until the claim ends) if their row lives on, and
// a limited type is covered when only quotas limit it and every quota of it, in every tenant,
// is unpaused and has one of the locked blocks taken at its current version.
const std::string kLimitedAndCovered = std::string(R"SQL(
WITH locked AS (
  SELECT COALESCE(array_agg(l.tenant_id || E'\n' || l.job_type || E'\n' || l.quota_version),
                  '{}') AS keys
  FROM (SELECT r.tenant_id, r.job_type, r.quota_version
        FROM ratelimit.reservations r
        JOIN jsonb_to_recordset($2::jsonb) AS b(tenant text, id uuid)
          ON r.tenant_id = b.tenant AND r.id = b.id
        WHERE r.expires_at > now() + interval ')SQL") +
                                       kBlockMargin + R"SQL('
        FOR SHARE OF r) l
), src AS (
  SELECT EXISTS (SELECT 1 FROM ratelimit.throttles s
                 WHERE s.target_kind = 'source' AND s.expires_at > now()) AS any
)
SELECT t.name,
       EXISTS (SELECT 1 FROM ratelimit.quotas q WHERE q.job_type = t.name)
    OR EXISTS (SELECT 1 FROM ratelimit.throttles h
               WHERE h.target_kind = 'job_type' AND h.target = t.name AND h.expires_at > now())
    OR EXISTS (SELECT 1 FROM ratelimit.breakers b
               WHERE b.job_type = t.name AND b.state <> 'closed') AS by_type,
       NOT EXISTS (SELECT 1 FROM ratelimit.throttles h
                   WHERE h.target_kind = 'job_type' AND h.target = t.name AND h.expires_at > now())
   AND NOT EXISTS (SELECT 1 FROM ratelimit.breakers b
                   WHERE b.job_type = t.name AND b.state <> 'closed')
   AND NOT EXISTS (SELECT 1 FROM ratelimit.quotas q
                   WHERE q.job_type = t.name
                     AND (q.paused OR NOT (q.tenant_id || E'\n' || q.job_type || E'\n' || q.version)
                                          = ANY (locked.keys))) AS covered,
       src.any
FROM unnest($1::text[]) AS t(name), locked, src
)SQL";

const char* kLimitedOnly = R"SQL(
SELECT t.name FROM unnest($1::text[]) AS t(name)
WHERE EXISTS (SELECT 1 FROM ratelimit.throttles s
              WHERE s.target_kind = 'source' AND s.expires_at > now())
   OR EXISTS (SELECT 1 FROM ratelimit.quotas q WHERE q.job_type = t.name)
   OR EXISTS (SELECT 1 FROM ratelimit.throttles h
              WHERE h.target_kind = 'job_type' AND h.target = t.name AND h.expires_at > now())
   OR EXISTS (SELECT 1 FROM ratelimit.breakers b WHERE b.job_type = t.name AND b.state <> 'closed')
)SQL";

const char* kLoadState = "SELECT ratelimit.admission_state_v2($1::jsonb)";

const std::string kInsertBlock = std::string(R"SQL(
WITH spent AS (
  UPDATE ratelimit.quotas q
  SET tokens = CASE WHEN $5 THEN $4::float8 ELSE q.tokens END,
      tokens_at = CASE WHEN $5 THEN timestamptz 'epoch' + $6::bigint * interval '1 microsecond'
                       ELSE q.tokens_at END
  WHERE q.tenant_id = $1 AND q.id = $2::uuid
  RETURNING q.tenant_id, q.id, q.job_type, q.version
)
INSERT INTO ratelimit.reservations (tenant_id, id, quota_id, job_type, quota_version, replica,
                                    slots, tokens, expires_at)
SELECT s.tenant_id, gen_random_uuid(), s.id, s.job_type, s.version, $7, $3::int,
       CASE WHEN $5 THEN $3::float8 ELSE 0 END, now() + interval ')SQL") +
                                 kBlockRowLife + R"SQL('
FROM spent s
RETURNING id::text
)SQL";

const char* kDeleteBlock = R"SQL(
DELETE FROM ratelimit.reservations r WHERE r.tenant_id = $1 AND r.id = $2::uuid
RETURNING r.quota_id::text, r.tokens > 0
)SQL";

const char* kQuotaBucket = R"SQL(
SELECT jsonb_build_object(
  'id', q.id, 'paused', q.paused, 'maxActive', q.max_active, 'maxPerHour', q.max_per_hour,
  'burst', q.burst, 'tokens', q.tokens,
  'tokensAt', (extract(epoch FROM q.tokens_at) * 1000000)::bigint),
  (extract(epoch FROM now()) * 1000000)::bigint
FROM ratelimit.quotas q WHERE q.tenant_id = $1 AND q.id = $2::uuid
FOR UPDATE
)SQL";

const char* kSaveTokens = R"SQL(
UPDATE ratelimit.quotas q
SET tokens = $3::float8, tokens_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond'
WHERE q.tenant_id = $1 AND q.id = $2::uuid
)SQL";

std::string randomReplicaId() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

}  // namespace

ReservationKeeper::ReservationKeeper(const sdk::Host& host, const RatelimitSettings& settings,
                                     const JobCounts& counts)
    : host_(host), settings_(settings), counts_(counts), replica_(randomReplicaId()) {}

void ReservationKeeper::start() {
  if (!enabled()) {
    return;
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rl-reserve");
    loop();
  });
  releaser_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rl-release");
    releaseLoop();
  });
}

void ReservationKeeper::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  taken_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (releaser_.joinable()) {
    releaser_.join();  // it releases what is queued before it ends
  }
  std::vector<Block> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, b] : blocks_) {
      left.push_back(b);
    }
  }
  for (const auto& b : left) {
    release(b);
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  blocks_.clear();
}

// The releases run here, apart from the takes: a release waits for the claims still spending
// its block, and the next block must not wait for that.
void ReservationKeeper::releaseLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait_for(lock, kTendEvery, [this] { return stopping_ || !releasing_.empty(); });
    if (releasing_.empty()) {
      if (stopping_) {
        return;
      }
      continue;
    }
    const std::string id = releasing_.front();
    releasing_.pop_front();
    auto b = blocks_.find(id);
    if (b == blocks_.end()) {
      continue;
    }
    const Block block = b->second;
    lock.unlock();
    release(block);
    lock.lock();
    blocks_.erase(id);
  }
}

void ReservationKeeper::noteDemand(const std::string& tenant, const std::string& job_type) {
  if (!enabled()) {
    return;
  }
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = demand_.insert_or_assign(Key{tenant, job_type}, Clock::now());
    (void)it;
    wake = inserted;
    new_demand_ = new_demand_ || inserted;
  }
  if (wake) {
    wake_.notify_all();
  }
}

bool ReservationKeeper::claimFirstTake(const std::string& tenant, const std::string& job_type) {
  if (!enabled()) {
    return false;
  }
  const Key key{tenant, job_type};
  const auto now = Clock::now();
  const std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || taking_.count(key) > 0) {
    return false;
  }
  if (auto a = admission_takes_.find(key); a != admission_takes_.end() && now < a->second) {
    return false;
  }
  if (auto off = backoff_.find(key); off != backoff_.end() && now < off->second) {
    return false;
  }
  for (const auto& [id, b] : blocks_) {
    if (b.key == key && !b.releasing) {
      return false;
    }
  }
  admission_takes_[key] = now + kAdmissionTakeLasts;
  return true;
}

void ReservationKeeper::takeInAdmission(sdk::Txn& txn, const std::string& tenant,
                                        const std::string& job_type, const std::string& quota_id,
                                        int64_t size,
                                        std::optional<std::pair<double, int64_t>> tokens_left) {
  // No row (the quota is gone): nothing taken; the keeper may try after kAdmissionTakeLasts.
  if (auto block = insertBlock(txn, Key{tenant, job_type}, quota_id, size, tokens_left)) {
    txn.onCommit([this, block = std::move(*block)] {
      adopt(block);
      noteDemand(block.key.first, block.key.second);
    });
  }
}

std::optional<ReservationKeeper::Block> ReservationKeeper::insertBlock(
    sdk::Txn& txn, const Key& key, const std::string& quota_id, int64_t size,
    const std::optional<std::pair<double, int64_t>>& tokens_left) {
  std::string id;
  txn.exec(kInsertBlock,
           {key.first, quota_id, std::to_string(size),
            std::to_string(tokens_left ? tokens_left->first : 0.0), tokens_left ? "true" : "false",
            std::to_string(tokens_left ? tokens_left->second : 0), replica_},
           [&](const sdk::Row& r) { id = r.str(0); });
  if (id.empty()) {
    return std::nullopt;
  }
  return Block{id, key, size, size, tokens_left.has_value(), Clock::now(), false};
}

// A block whose row committed joins this replica's blocks. During stop() it may come after the
// last release: its row then expires (kBlockRowLife), fewer jobs admitted, never more.
void ReservationKeeper::adopt(Block block, int64_t growth) {
  countTake("taken");
  host_.counterAdd("ratelimit_reservation_slots_taken_total",
                   "Jobs (and tokens) of the reservation blocks this replica took", json::object(),
                   static_cast<double>(block.size));
  const std::lock_guard<std::mutex> lock(mutex_);
  admission_takes_.erase(block.key);
  block.taken = Clock::now();
  growth_[block.key] = Growth{growth, block.taken};
  blocks_[block.id] = std::move(block);
}

json ReservationKeeper::limitedTypes(sdk::Txn& txn, const json& job_types, int64_t max_count) {
  const std::string types = textArray(job_types);
  // Debit first, under the mutex, so concurrent claims of this replica never spend the same
  // credits; what the statement does not cover is given back below.
  uint64_t ticket = 0;
  std::vector<Debit> debits;
  json offered = json::array();
  if (enabled() && max_count > 0) {
    std::set<std::string> wanted;
    for (const auto& t : job_types) {
      wanted.insert(t.get<std::string>());
    }
    // Caller holds mutex_.
    const auto debit = [&] {
      std::set<Key> seen;
      for (auto& [id, b] : blocks_) {
        if (b.releasing || b.credits < max_count || wanted.count(b.key.second) == 0 ||
            !seen.insert(b.key).second) {
          continue;
        }
        b.credits -= max_count;
        debits.push_back({id, b.key, max_count});
        offered.push_back({{"tenant", b.key.first}, {"id", id}});
      }
    };
    const auto taking_wanted = [&] {
      return std::any_of(taking_.begin(), taking_.end(),
                         [&](const Key& k) { return wanted.count(k.second) > 0; });
    };
    std::optional<Clock::time_point> waited_since;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      largest_claim_ = std::max(largest_claim_, max_count);
      debit();
      if (offered.empty() && taking_wanted()) {
        // The first claims of a burst: a block is on its way. Admission would lock the quota
        // until this claim commits, and the claims behind it (and the take) would queue on it.
        waited_since = Clock::now();
        taken_.wait_for(lock, kAwaitBlock, [&] { return stopping_ || !taking_wanted(); });
        debit();
      }
    }
    if (waited_since) {
      countWait(Clock::now() - *waited_since);
    }
  }
  json limited = json::array();
  json covered = json::array();
  if (offered.empty()) {
    txn.exec(kLimitedOnly, {types}, [&](const sdk::Row& r) { limited.push_back(r.str(0)); });
    if (!limited.empty()) {
      countClaim(false);
    }
    return {{"limited", limited}, {"covered", covered}};
  }
  std::set<std::string> covered_types;
  try {
    txn.exec(kLimitedAndCovered, {types, offered.dump()}, [&](const sdk::Row& r) {
      const bool source_throttled = r.boolean(3);
      if (!source_throttled && r.boolean(1) && r.boolean(2)) {
        covered_types.insert(r.str(0));
        covered.push_back(r.str(0));
      } else if (source_throttled || r.boolean(1)) {
        limited.push_back(r.str(0));
      }
    });
  } catch (...) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& d : debits) {
      if (auto b = blocks_.find(d.block_id); b != blocks_.end()) {
        b->second.credits += d.amount;
      }
    }
    throw;
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Debit> kept;
  for (const auto& d : debits) {
    if (covered_types.count(d.key.second) > 0) {
      kept.push_back(d);
    } else if (auto b = blocks_.find(d.block_id); b != blocks_.end()) {
      b->second.credits += d.amount;
    }
  }
  json answer = {{"limited", limited}, {"covered", covered}};
  countClaim(!kept.empty());
  if (!kept.empty()) {
    ticket = next_ticket_++;
    tickets_[ticket] = {Clock::now(), std::move(kept)};
    answer["claim"] = ticket;
  }
  return answer;
}

void ReservationKeeper::countClaim(bool covered) const {
  host_.counterAdd("ratelimit_claims_total",
                   "Claims that met a limit, by whether this replica's reservations covered them "
                   "(covered: leased without locking the quota)",
                   {{"covered", covered ? "true" : "false"}}, 1.0);
}

void ReservationKeeper::countWait(Clock::duration waited) const {
  host_.counterAdd("ratelimit_claim_waits_total",
                   "Claims that found no block with room and waited for the one being taken",
                   json::object(), 1.0);
  host_.counterAdd("ratelimit_claim_wait_seconds_total",
                   "Time claims spent waiting for a block being taken", json::object(),
                   std::chrono::duration<double>(waited).count());
}

void ReservationKeeper::countTake(const char* result) const {
  host_.counterAdd("ratelimit_reservation_takes_total",
                   "Attempts to take a reservation block: taken, declined (the quota is near its "
                   "limits, paused, throttled or its breaker is not closed) or failed",
                   {{"result", result}}, 1.0);
}

void ReservationKeeper::settle(const json& request) {
  const uint64_t ticket = request.value("claim", uint64_t{0});
  if (ticket == 0) {
    return;
  }
  std::map<Key, int64_t> leased;
  for (const auto& l : request.value("leased", json::array())) {
    leased[{l.at("tenant").get<std::string>(), l.at("jobType").get<std::string>()}] +=
        l.at("count").get<int64_t>();
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  auto t = tickets_.find(ticket);
  if (t == tickets_.end()) {
    return;
  }
  for (const auto& d : t->second.second) {
    const int64_t used = std::min(d.amount, std::max<int64_t>(0, leased[d.key]));
    if (used > 0) {
      demand_[d.key] = Clock::now();
    }
    if (auto b = blocks_.find(d.block_id); b != blocks_.end() && !b->second.releasing) {
      b->second.credits += d.amount - used;
    }
  }
  tickets_.erase(t);
}

void ReservationKeeper::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kTendEvery, [this] { return stopping_ || new_demand_; });
    if (stopping_) {
      break;
    }
    new_demand_ = false;
    lock.unlock();
    try {
      tend();
    } catch (const std::exception& e) {
      host_.warn(std::string("ratelimit reservations: ") + e.what());
    }
    lock.lock();
  }
}

// One pass: renew or take blocks for keys in demand, release old, low or idle ones.
void ReservationKeeper::tend() {
  const auto now = Clock::now();
  std::vector<std::pair<Key, int64_t>> to_take;  // with the growth factor of its block
  std::vector<Block> to_release;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (auto t = tickets_.begin(); t != tickets_.end();) {
      t = now - t->second.first > kTicketLasts ? tickets_.erase(t) : std::next(t);
    }
    // A block serves claims until it is nearly empty (a quarter of the minimum block) or old; a
    // key gets its next block once its blocks hold less than half a block or two of the largest
    // claims (at most a whole block), or its newest block is two thirds through its time, so a
    // claim always finds one.
    const auto serves = std::chrono::seconds(settings_.reservation_seconds);
    const int64_t claim = largest_claim_;
    const int64_t scrap = std::max<int64_t>(1, settings_.reservation_min_block / 4);
    std::map<Key, bool> fresh;  // a key with blocks enough for the next claims
    std::map<Key, int64_t> held;
    std::map<Key, int64_t> needs;  // what held must reach for the key not to run low
    for (auto& [id, b] : blocks_) {
      const bool spent = b.credits < scrap;
      const bool old = now - b.taken > serves;
      auto d = demand_.find(b.key);
      const bool idle = d == demand_.end() || now - d->second > serves;
      if (!b.releasing && (spent || old || idle)) {
        b.releasing = true;
        to_release.push_back(b);
      } else if (!b.releasing) {
        held[b.key] += b.credits;
        const int64_t enough = std::max(std::min(2 * claim, b.size), b.size / 2);
        needs[b.key] = std::max(needs[b.key], enough);
        fresh[b.key] = fresh[b.key] || (held[b.key] >= enough && now - b.taken < serves * 2 / 3);
      }
    }
    for (auto a = admission_takes_.begin(); a != admission_takes_.end();) {
      a = now >= a->second ? admission_takes_.erase(a) : std::next(a);
    }
    for (auto d = demand_.begin(); d != demand_.end();) {
      if (now - d->second > serves) {
        growth_.erase(d->first);  // an idle key starts again with a normal block
        d = demand_.erase(d);
        continue;
      }
      auto off = backoff_.find(d->first);
      const auto f = fresh.find(d->first);
      if ((f == fresh.end() || !f->second) && (off == backoff_.end() || now >= off->second) &&
          admission_takes_.count(d->first) == 0) {
        // Ran low: no block left (spent and released) or less held than needed; not merely old.
        const auto h = held.find(d->first);
        const bool ran_low = h == held.end() || h->second < needs[d->first];
        const Growth last = growth_[d->first];
        const double since = std::chrono::duration<double>(now - last.taken).count();
        to_take.emplace_back(d->first, nextBlockGrowth(last.factor, ran_low, since));
        taking_.insert(d->first);
      }
      ++d;
    }
  }
  if (!to_release.empty()) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& b : to_release) {
      releasing_.push_back(b.id);
    }
  }
  wake_.notify_all();
  for (const auto& [key, growth] : to_take) {
    try {
      take(key, growth);
    } catch (const std::exception& e) {
      countTake("failed");
      host_.warn(std::string("ratelimit: taking a reservation failed: ") + e.what());
    }
  }
}

void ReservationKeeper::take(const Key& key, int64_t growth) {
  // However the take ends, claims waiting for it go on (with the block, or without).
  struct Done {
    ReservationKeeper& keeper;
    const Key& key;
    ~Done() {
      {
        const std::lock_guard<std::mutex> lock(keeper.mutex_);
        keeper.taking_.erase(key);
      }
      keeper.taken_.notify_all();
    }
  } done{*this, key};
  if (!counts_.available()) {
    return;
  }
  auto txn = host_.begin(key.first);
  json state;
  txn.exec(kLoadState,
           {json::array({{{"tenant", key.first}, {"jobType", key.second}, {"sourceId", nullptr}}})
                .dump()},
           [&](const sdk::Row& r) { state = r.json(0); });
  const TimePoint now = fromEpochMicros(state.at("now").get<int64_t>());
  // Rolled back by txn's destructor: nothing written.
  const auto give_up = [&] {
    countTake("declined");
    const std::lock_guard<std::mutex> lock(mutex_);
    backoff_[key] = Clock::now() + kBackoff;
  };
  // Only a quota, unpaused, with no throttle or open breaker in the way: anything else is
  // decided claim by claim under the lock.
  bool breaker_in_way = false;
  for (const auto& b : state.at("breakers")) {
    breaker_in_way = breaker_in_way || b.value("state", "closed") != "closed";
  }
  if (state.at("quotas").size() != 1 || !state.at("throttles").empty() || breaker_in_way) {
    give_up();
    return;
  }
  AdmissionQuota quota = quotaFromState(state.at("quotas")[0]);
  if (quota.quota.paused) {
    give_up();
    return;
  }
  int64_t reserved = 0;
  for (const auto& r : state.at("reserved")) {
    reserved += r.at("slots").get<int64_t>();
  }
  std::optional<int64_t> free_slots;
  if (quota.quota.max_active) {
    const int64_t cap = static_cast<int64_t>(*quota.quota.max_active) + 1;
    const int64_t active = counts_.count(&txn, key.first, JE_JOBS_COUNT_ACTIVE, key.second, cap);
    free_slots = static_cast<int64_t>(*quota.quota.max_active) - active - reserved;
  }
  std::optional<double> tokens;
  if (quota.quota.bucket) {
    refill(*quota.quota.bucket, now);
    tokens = quota.quota.bucket->level;
  }
  const int64_t size =
      reservationBlockSize(free_slots, tokens, settings_.reservation_min_block, growth);
  if (size == 0) {
    give_up();
    return;
  }
  std::optional<std::pair<double, int64_t>> tokens_left;
  if (quota.quota.bucket) {
    tokens_left = std::make_pair(quota.quota.bucket->level - static_cast<double>(size),
                                 toEpochMicros(quota.quota.bucket->updated_at));
  }
  auto block = insertBlock(txn, key, quota.id, size, tokens_left);
  txn.commit();
  if (block) {
    adopt(std::move(*block), growth);
  }
}

void ReservationKeeper::release(const Block& block) {
  int64_t unused = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto b = blocks_.find(block.id); b != blocks_.end()) {
      unused = b->second.credits;
    }
  }
  try {
    auto txn = host_.begin(block.key.first);
    // The DELETE waits for every claim still spending the block: once it returns, the jobs
    // they leased are committed (or rolled back) and counted by the scheduler.
    std::string quota_id;
    bool had_tokens = false;
    txn.exec(kDeleteBlock, {block.key.first, block.id}, [&](const sdk::Row& r) {
      quota_id = r.str(0);
      had_tokens = r.boolean(1);
    });
    if (!quota_id.empty() && had_tokens && unused > 0) {
      json row;
      int64_t now_us = 0;
      txn.exec(kQuotaBucket, {block.key.first, quota_id}, [&](const sdk::Row& r) {
        row = r.json(0);
        now_us = r.i64(1);
      });
      if (!row.is_null()) {
        AdmissionQuota quota = quotaFromState(row);
        if (quota.quota.bucket) {
          TokenBucket& bucket = *quota.quota.bucket;
          refill(bucket, fromEpochMicros(now_us));
          bucket.level = std::min(bucket.capacity, bucket.level + static_cast<double>(unused));
          txn.exec(kSaveTokens, {block.key.first, quota_id, std::to_string(bucket.level),
                                 std::to_string(toEpochMicros(bucket.updated_at))});
        }
      }
    }
    txn.commit();
  } catch (const std::exception& e) {
    // The row expires by itself (kBlockRowLife); its tokens are lost: fewer admitted, not more.
    host_.warn(std::string("ratelimit: releasing a reservation failed (it expires): ") + e.what());
  }
}

}  // namespace jobengine::ratelimit
