// ids.hpp — UUIDv7 identifiers (RFC 9562 §5.7): 48-bit Unix milliseconds, version 7, 12 bits
// `rand_a`, variant 0b10, 62 bits `rand_b`, rendered as lower-case 8-4-4-4-12 hex.
//
// Monotonicity (RFC 9562 §6.2, method 2 "monotonic random"): within one generator, ids are
// strictly increasing even when many are made in the same millisecond or the clock steps back.
// The 74 random bits form a counter: a new millisecond reseeds it (top bit of rand_a cleared,
// leaving headroom); the same millisecond adds a random increment in [1, 2^24]; an overflow
// borrows the next millisecond. Thread-safe: one mutex per generator. Ids are not secrets
// (never use them as bearer tokens): the random source is a seeded mt19937_64.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace jobengine::sdk {

class UuidV7Generator {
 public:
  using ClockMs = std::function<int64_t()>;  // Unix epoch milliseconds

  UuidV7Generator() : UuidV7Generator(systemMillis, std::random_device{}()) {}
  // For tests: an injected clock and seed make the sequence deterministic.
  UuidV7Generator(ClockMs clock, uint64_t seed) : clock_(std::move(clock)), rng_(seed) {}

  std::string next() {
    uint64_t ms = 0;
    uint64_t a = 0;
    uint64_t b = 0;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      const auto now = static_cast<uint64_t>(clock_());
      if (now > last_ms_) {
        last_ms_ = now;
        rand_a_ = rng_() & 0x7FFU;  // 11 random bits: half the counter space stays free
        rand_b_ = rng_() & kRandBMask;
      } else {
        rand_b_ += 1U + (rng_() & 0xFFFFFFU);
        if (rand_b_ > kRandBMask) {
          rand_b_ &= kRandBMask;
          if (++rand_a_ > 0xFFFU) {
            ++last_ms_;  // counter exhausted: borrow the next millisecond
            rand_a_ = rng_() & 0x7FFU;
            rand_b_ = rng_() & kRandBMask;
          }
        }
      }
      ms = last_ms_;
      a = rand_a_;
      b = rand_b_;
    }
    const uint64_t hi = (ms << 16U) | 0x7000U | a;  // unix_ts_ms(48) ver(4) rand_a(12)
    const uint64_t lo = 0x8000000000000000ULL | b;  // var(2) rand_b(62)
    return format(hi, lo);
  }

  static int64_t systemMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

 private:
  static constexpr uint64_t kRandBMask = (1ULL << 62U) - 1U;

  static std::string format(uint64_t hi, uint64_t lo) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 15; i >= 0; --i) {
      out.push_back(kHex[(hi >> (static_cast<unsigned>(i) * 4U)) & 0xFU]);
      if (i == 8 || i == 4) {
        out.push_back('-');
      }
    }
    out.push_back('-');
    for (int i = 15; i >= 0; --i) {
      out.push_back(kHex[(lo >> (static_cast<unsigned>(i) * 4U)) & 0xFU]);
      if (i == 12) {
        out.push_back('-');
      }
    }
    return out;
  }

  ClockMs clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  uint64_t last_ms_ = 0;
  uint64_t rand_a_ = 0;
  uint64_t rand_b_ = 0;
};

// A new UUIDv7 from the process-wide generator (created on first use, thread-safe).
inline std::string newUuidV7() {
  static UuidV7Generator generator;
  return generator.next();
}

// True for a canonical lower- or upper-case 8-4-4-4-12 hex UUID string.
inline bool isUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// The Unix-millisecond timestamp of a UUIDv7, or nullopt when s is not a version-7 UUID.
inline std::optional<int64_t> uuidV7Millis(std::string_view s) {
  if (!isUuid(s) || s[14] != '7') {
    return std::nullopt;
  }
  int64_t ms = 0;
  for (size_t i = 0; i < 13; ++i) {
    if (i == 8) {
      continue;
    }
    const char c = s[i];
    const int v = (c >= '0' && c <= '9') ? c - '0' : ((c | 0x20) - 'a' + 10);
    ms = (ms << 4) | v;
  }
  return ms;
}

}  // namespace jobengine::sdk
