// common_store.cpp — the database clock and timestamp renderings (see common_store.hpp).
#include "common_store.hpp"

#include <jobengine/time_format.hpp>

#include <chrono>

namespace jobengine::ratelimit {

TimePoint dbNow(sdk::Txn& txn) {
  static const std::string sql = "SELECT " + epochMicrosSql("now()");
  int64_t micros = 0;
  txn.exec(sql, {}, [&](const sdk::Row& r) { micros = r.i64(0); });
  return fromEpochMicros(micros);
}

TimePoint fromEpochMicros(int64_t micros) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

int64_t toEpochMicros(TimePoint tp) {
  if (tp == kNever) {
    return INT64_MAX;
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
}

TimePoint epochMicrosOr(const nlohmann::json& value, TimePoint otherwise) {
  return value.is_number() ? fromEpochMicros(value.get<int64_t>()) : otherwise;
}

UpstreamBucket upstreamBucketFrom(const sdk::Row& r, uint32_t first) {
  UpstreamBucket b;
  b.rpm = static_cast<int>(r.i64(first));
  b.burst = static_cast<int>(r.i64(first + 1));
  b.cooldown_seconds = static_cast<int>(r.i64(first + 2));
  b.current_per_s = r.f64(first + 3);
  b.level = r.f64(first + 4);
  b.updated_at = fromEpochMicros(r.i64(first + 5));
  if (!r.isNull(first + 6)) {
    b.cooldown_until = fromEpochMicros(r.i64(first + 6));
  }
  return b;
}

std::string textArray(const nlohmann::json& names, bool keys) {
  std::string out = "{";
  auto add = [&out](const std::string& name) {
    out += out.size() == 1 ? "\"" : ",\"";
    for (char c : name) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  };
  if (keys) {
    for (const auto& item : names.items()) {
      add(item.key());
    }
  } else {
    for (const auto& name : names) {
      add(name.get<std::string>());
    }
  }
  return out + "}";
}

std::string rfc3339(TimePoint tp) { return sdk::formatRfc3339(tp, sdk::TimePrecision::kMicros); }

std::string rfc3339Sql(const std::string& column) {
  return "to_char(" + column + R"( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))";
}

std::string epochMicrosSql(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

}  // namespace jobengine::ratelimit
