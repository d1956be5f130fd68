// The audit ledger's hash chain: entries, their hash, and the check of a sequence
// (ledger_chain.hpp says what each field is).
#include "core/ledger_chain.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include <jobengine/canonical_json.hpp>

namespace jobengine::audit {

const std::string kGenesisHash = "sha256:" + std::string(64, '0');

namespace {

constexpr std::string_view kHashPrefix = "sha256:";

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// The 32 raw bytes of "sha256:<64 lower-case hex>"; throws std::invalid_argument otherwise.
std::string rawHash(const std::string& hash) {
  if (hash.size() != kHashPrefix.size() + 64 ||
      hash.compare(0, kHashPrefix.size(), kHashPrefix) != 0) {
    throw std::invalid_argument("not a sha256:<64 hex digits> hash: '" + hash + "'");
  }
  std::string raw(32, '\0');
  for (size_t i = 0; i < 32; ++i) {
    const int hi = hexValue(hash[kHashPrefix.size() + 2 * i]);
    const int lo = hexValue(hash[kHashPrefix.size() + 2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw std::invalid_argument("not a sha256:<64 hex digits> hash: '" + hash + "'");
    }
    raw[i] = static_cast<char>(hi * 16 + lo);
  }
  return raw;
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string describe(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

using Member = std::pair<std::u16string, nlohmann::json::const_iterator>;

// An object's members but "hash", in canonical order (UTF-16 order of their names).
std::vector<Member> membersWithoutHash(const nlohmann::json& object) {
  std::vector<Member> members;
  members.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() != "hash") {
      members.emplace_back(sdk::canonical_detail::toUtf16(it.key()), it);
    }
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.first < b.first; });
  return members;
}

// Appends `"name":value` (canonical), after a comma unless `out` is empty.
void appendMember(std::string& out, const Member& member) {
  if (!out.empty()) {
    out.push_back(',');
  }
  sdk::canonical_detail::writeString(out, member.second.key());
  out.push_back(':');
  sdk::canonicalizeInto(out, member.second.value(), 1);
}

// The members of JCS(entry minus "hash") that sort before "hash" and those after it.
struct SplitText {
  std::string before;
  std::string after;
};
SplitText canonicalAroundHash(const nlohmann::json& entry) {
  static const std::u16string kHashKey = u"hash";
  SplitText out;
  for (const Member& m : membersWithoutHash(entry)) {
    appendMember(m.first < kHashKey ? out.before : out.after, m);
  }
  return out;
}

// Appends JCS(entry minus its "hash" member) without copying the entry.
void appendCanonicalWithoutHash(std::string& out, const nlohmann::json& entry) {
  const SplitText text = canonicalAroundHash(entry);
  out.push_back('{');
  out += text.before;
  if (!text.before.empty() && !text.after.empty()) {
    out.push_back(',');
  }
  out += text.after;
  out.push_back('}');
}

}  // namespace

nlohmann::json subjectOf(const nlohmann::json& event) {
  const nlohmann::json* type = member(event, "eventType");
  if (type == nullptr || !type->is_string()) {
    return nullptr;
  }
  const std::string event_type = type->get<std::string>();
  const std::string kind = event_type.substr(0, event_type.find('.'));
  if (const nlohmann::json* job = member(event, "job"); kind == "job" && job != nullptr) {
    if (const nlohmann::json* id = member(*job, "id")) {
      return {{"kind", "job"}, {"id", describe(*id)}};
    }
  }
  const nlohmann::json* data = member(event, "data");
  if (data == nullptr) {
    return nullptr;
  }
  // data.id first (quota, throttle, schedule, backfill events), then the kind's own id field
  // (runId for run.*, sourceId for source.*), then a breaker's key.
  std::string camel;
  bool upper = false;
  for (const char c : kind) {
    if (c == '_') {
      upper = true;
    } else {
      camel.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
  }
  for (const std::string& key : {std::string("id"), camel + "Id", std::string("key")}) {
    if (const nlohmann::json* id = member(*data, key.c_str()); id != nullptr && !id->is_object()) {
      return {{"kind", kind}, {"id", describe(*id)}};
    }
  }
  return nullptr;
}

MadeEntry makeEntryAndText(const nlohmann::json& event, int64_t position,
                           const std::string& prev_hash) {
  nlohmann::json entry = nlohmann::json::object();
  for (const char* required : {"tenantId", "seq", "eventId", "eventType", "occurredAt"}) {
    if (member(event, required) == nullptr) {
      throw std::invalid_argument(std::string("event envelope without ") + required);
    }
  }
  entry["tenantId"] = event["tenantId"];
  entry["position"] = position;
  entry["eventSeq"] = event["seq"];
  entry["eventId"] = event["eventId"];
  entry["eventType"] = event["eventType"];
  entry["occurredAt"] = event["occurredAt"];
  const nlohmann::json* actor = member(event, "actor");
  entry["actor"] = actor != nullptr ? *actor : nlohmann::json::object();
  for (const char* optional : {"operator", "requestId", "traceId"}) {
    if (const nlohmann::json* value = member(event, optional)) {
      entry[optional] = *value;
    }
  }
  if (nlohmann::json subject = subjectOf(event); !subject.is_null()) {
    entry["subject"] = std::move(subject);
  }
  entry["event"] = event;
  entry["prevHash"] = prev_hash;
  const SplitText text = canonicalAroundHash(entry);
  std::string hashed = rawHash(prev_hash);
  hashed.push_back('{');
  hashed += text.before;
  if (!text.before.empty() && !text.after.empty()) {
    hashed.push_back(',');
  }
  hashed += text.after;
  hashed.push_back('}');
  std::string hash = sdk::sha256Digest(hashed);
  MadeEntry out;
  out.text.reserve(hashed.size() + 96);
  out.text.push_back('{');
  out.text += text.before;
  if (!text.before.empty()) {
    out.text.push_back(',');
  }
  out.text += "\"hash\":";
  sdk::canonical_detail::writeString(out.text, hash);
  if (!text.after.empty()) {
    out.text.push_back(',');
  }
  out.text += text.after;
  out.text.push_back('}');
  entry["hash"] = std::move(hash);
  out.entry = std::move(entry);
  return out;
}

nlohmann::json makeEntry(const nlohmann::json& event, int64_t position,
                         const std::string& prev_hash) {
  return makeEntryAndText(event, position, prev_hash).entry;
}

std::string entryHash(const nlohmann::json& entry, const std::string& prev_hash) {
  std::string input = rawHash(prev_hash);
  if (entry.is_object() && entry.contains("hash")) {
    appendCanonicalWithoutHash(input, entry);
  } else {
    sdk::canonicalizeInto(input, entry);
  }
  return sdk::sha256Digest(input);
}

nlohmann::json ChainBreak::toJson() const {
  nlohmann::json out = {
      {"line", line}, {"position", position}, {"kind", kind}, {"message", message}};
  if (!expected.empty()) {
    out["expected"] = expected;
  }
  if (!found.empty()) {
    out["found"] = found;
  }
  return out;
}

ChainVerifier::ChainVerifier(int64_t start_position, std::string start_hash)
    : next_position_(start_position), head_(std::move(start_hash)) {}

void ChainVerifier::breakAt(const nlohmann::json& entry, std::string kind, std::string message,
                            std::string expected, std::string found) {
  ChainBreak b;
  b.line = lines_;
  const nlohmann::json* position = member(entry, "position");
  b.position = position != nullptr && position->is_number_integer() ? position->get<int64_t>() : 0;
  b.kind = std::move(kind);
  b.message = "entry " + std::to_string(lines_) + ": " + message;
  b.expected = std::move(expected);
  b.found = std::move(found);
  broken_ = std::move(b);
}

bool ChainVerifier::addLine(const std::string& line) {
  if (broken_ && broken_->kind != "missing") {
    ++lines_;
    return false;
  }
  nlohmann::json entry;
  try {
    entry = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    ++lines_;
    if (!broken_) {
      breakAt(nullptr, "unreadable", std::string("not JSON (") + e.what() + ")", "", "");
    }
    return false;
  }
  return add(entry);
}

bool ChainVerifier::add(const nlohmann::json& entry) {
  if (broken_) {
    if (broken_->kind != "missing") {
      ++lines_;
      return false;
    }
    // After a gap, the missing positions turning up later make it a reordering.
    ++lines_;
    const nlohmann::json* position = member(entry, "position");
    if (position != nullptr && position->is_number_integer() &&
        position->get<int64_t>() >= gap_from_ && position->get<int64_t>() < gap_to_) {
      broken_->kind = "reordered";
      broken_->message = "entry " + std::to_string(broken_->line) + ": position " +
                         std::to_string(gap_to_) + " comes before position " +
                         std::to_string(position->get<int64_t>()) + " (entries reordered; " +
                         "the latter is entry " + std::to_string(lines_) + ")";
    }
    return false;
  }
  ++lines_;
  const nlohmann::json* position = member(entry, "position");
  const nlohmann::json* prev = member(entry, "prevHash");
  const nlohmann::json* hash = member(entry, "hash");
  if (position == nullptr || !position->is_number_integer() || prev == nullptr ||
      !prev->is_string() || hash == nullptr || !hash->is_string()) {
    breakAt(entry, "unreadable", "an entry needs an integer position, a prevHash and a hash", "",
            "");
    return false;
  }
  const int64_t at = position->get<int64_t>();
  if (at != next_position_) {
    const bool earlier = at < next_position_;
    gap_from_ = earlier ? 0 : next_position_;
    gap_to_ = earlier ? 0 : at;
    breakAt(entry, earlier ? "reordered" : "missing",
            earlier ? "position " + std::to_string(at) + " comes after position " +
                          std::to_string(next_position_ - 1) + " (entries reordered)"
                    : "position " + std::to_string(at) + " follows position " +
                          std::to_string(next_position_ - 1) + ": " +
                          std::to_string(at - next_position_) + " entries missing",
            std::to_string(next_position_), std::to_string(at));
    return false;
  }
  if (prev->get<std::string>() != head_) {
    breakAt(entry, "broken_link",
            "prevHash does not match the hash of the entry before it (broken link)", head_,
            prev->get<std::string>());
    return false;
  }
  std::string recomputed;
  try {
    recomputed = entryHash(entry, head_);
  } catch (const std::exception& e) {
    breakAt(entry, "unreadable", e.what(), "", "");
    return false;
  }
  if (recomputed != hash->get<std::string>()) {
    breakAt(entry, "changed", "the entry's content does not match its hash (entry changed)",
            recomputed, hash->get<std::string>());
    return false;
  }
  head_ = recomputed;
  ++next_position_;
  ++length_;
  return true;
}

}  // namespace jobengine::audit
