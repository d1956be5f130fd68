// The audit ledger's hash chain (SPEC §7): what an entry is, how it is hashed, and how a
// sequence of entries is checked. Plain C++ (no ABI types, no database): the leader's appender,
// GET /audit/verify, the export and `jobengine audit verify` all use these functions, so the
// chain is defined once.
//
// An entry is one committed event of one tenant, at `position` 1, 2, 3, ... of that tenant's
// chain. Its JSON form (an audit.jsonl line, GET /audit item) is the canonical JSON (RFC 8785)
// of:
//   {"tenantId", "position", "eventSeq", "eventId", "eventType", "occurredAt",
//    "actor": {...}, "operator": {reason, ticket} (when given), "requestId", "traceId" (when
//    given), "subject": {"kind", "id"} (when the event names one), "event": <the envelope>,
//    "prevHash": "sha256:<hex>", "hash": "sha256:<hex>"}
// hash = sha256(prevHash as 32 raw bytes || JCS(the entry without "hash")). The first entry of
// a chain has prevHash kGenesisHash (32 zero bytes). Retention (docs/ledger.md) prunes a
// chain's oldest entries and keeps an anchor, the last pruned entry's position and hash (the
// pruned head, also named by the audit.pruned entry that records the pruning): the retained
// chain is checked from it, since the first retained entry's prevHash is that hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobengine::audit {

// "sha256:" followed by 64 zeros: the prevHash of a chain's first entry.
extern const std::string kGenesisHash;

// The audit entry for event envelope `event` (orch.event.v1, as je.events delivers it) at
// `position` of its tenant's chain after `prev_hash`: the fields above, "hash" included.
// Throws std::invalid_argument when the envelope lacks tenantId, seq, eventId, eventType or
// occurredAt.
nlohmann::json makeEntry(const nlohmann::json& event, int64_t position,
                         const std::string& prev_hash);

// makeEntry's entry with its canonical JSON ("hash" included; an audit.jsonl line), the entry
// serialized once: the canonical forms without "hash" (hashed) and with it (stored) share every
// other member, so the stored text is the hashed one with the hash spliced in.
struct MadeEntry {
  nlohmann::json entry;
  std::string text;
};
MadeEntry makeEntryAndText(const nlohmann::json& event, int64_t position,
                           const std::string& prev_hash);

// sha256(prev_hash raw || JCS(entry minus "hash")) as "sha256:<hex>". Throws
// std::invalid_argument when prev_hash is not "sha256:" + 64 lower-case hex digits.
std::string entryHash(const nlohmann::json& entry, const std::string& prev_hash);

// The subject an event is about ({"kind": "job", "id": ...}), or null when it names none: the
// job, run, source, schedule, backfill, quota, throttle or breaker of the envelope.
nlohmann::json subjectOf(const nlohmann::json& event);

// Why a chain does not verify, at the first entry that breaks it.
struct ChainBreak {
  int64_t line = 0;      // 1-based index of the entry in the sequence checked
  int64_t position = 0;  // the entry's position field (0 when unreadable)
  std::string kind;      // "unreadable", "reordered", "missing", "broken_link", "changed"
  std::string message;   // one line naming the entry and what is wrong
  std::string expected;  // what the chain needed there (position or hash), when known
  std::string found;     // what the entry has
  nlohmann::json toJson() const;
};

// Checks entries one at a time, in order, for one tenant's chain: positions that follow each
// other, each prevHash the previous hash, each hash recomputed. Starts from `start_position`
// after `start_hash` (a chain checked from its beginning: 1 and kGenesisHash; a retained chain:
// its anchor's). Once broken, stays broken at the first break.
class ChainVerifier {
 public:
  explicit ChainVerifier(int64_t start_position = 1, std::string start_hash = kGenesisHash);
  // False once the chain is broken (the first break is kept). Entries added after a gap are
  // still looked at: when a missing position turns up, the break becomes "reordered".
  bool add(const nlohmann::json& entry);
  // The same for a JSON line; an unparsable line breaks the chain as "unreadable".
  bool addLine(const std::string& line);
  bool valid() const { return !broken_; }
  int64_t length() const { return length_; }         // entries accepted
  const std::string& head() const { return head_; }  // hash of the last accepted entry
  const std::optional<ChainBreak>& firstBreak() const { return broken_; }

 private:
  void breakAt(const nlohmann::json& entry, std::string kind, std::string message,
               std::string expected, std::string found);
  int64_t next_position_;
  std::string head_;
  int64_t length_ = 0;
  int64_t lines_ = 0;
  std::optional<ChainBreak> broken_;
  int64_t gap_from_ = 0;  // a "missing" break's absent positions [gap_from_, gap_to_): if one
  int64_t gap_to_ = 0;    // turns up later, the break is a reordering instead
};

}  // namespace jobengine::audit
