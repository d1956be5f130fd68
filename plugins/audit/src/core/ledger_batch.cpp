// See ledger_batch.hpp.
#include "core/ledger_batch.hpp"

#include <stdexcept>
#include <utility>

namespace jobengine::audit {
namespace {

std::optional<std::string> stringAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::vector<LedgerRow> chainEvents(const std::vector<nlohmann::json>& events,
                                   std::map<std::string, ChainHead>& heads) {
  std::vector<LedgerRow> rows;
  rows.reserve(events.size());
  for (const nlohmann::json& event : events) {
    const std::optional<std::string> tenant = stringAt(event, "tenantId");
    const std::string seq = event.is_object() && event.contains("seq") ? event["seq"].dump() : "?";
    if (!tenant || tenant->empty()) {
      throw std::invalid_argument("event seq " + seq + ": envelope without tenantId");
    }
    ChainHead& head = heads[*tenant];
    MadeEntry made;
    try {
      made = makeEntryAndText(event, head.position + 1, head.hash);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("event seq " + seq + ": " + e.what());
    }
    const nlohmann::json& entry = made.entry;
    if (!entry.at("eventSeq").is_number_integer()) {
      throw std::invalid_argument("event seq " + seq + ": seq is not an integer");
    }
    LedgerRow row;
    row.tenant_id = *tenant;
    row.position = head.position + 1;
    row.event_seq = entry.at("eventSeq").get<int64_t>();
    row.event_id = stringAt(entry, "eventId").value_or("");
    row.event_type = stringAt(entry, "eventType").value_or("");
    row.occurred_at = stringAt(entry, "occurredAt").value_or("");
    row.actor_subject = stringAt(entry.at("actor"), "subject");
    if (entry.contains("subject")) {
      row.subject_kind = stringAt(entry.at("subject"), "kind");
      row.subject_id = stringAt(entry.at("subject"), "id");
    }
    row.prev_hash = head.hash;
    row.hash = entry.at("hash").get<std::string>();
    row.entry = std::move(made.text);  // serialized once, with the hash
    head.position = row.position;
    head.hash = row.hash;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace jobengine::audit
