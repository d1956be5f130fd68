// sdk_ids_test.cpp — UUIDv7 layout, monotonicity (same millisecond, clock going back, counter
// overflow) and thread safety of sdk/include/jobengine/ids.hpp.
#include <jobengine/ids.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

using jobengine::sdk::isUuid;
using jobengine::sdk::newUuidV7;
using jobengine::sdk::UuidV7Generator;
using jobengine::sdk::uuidV7Millis;

TEST(UuidV7, LayoutVersionVariantAndTimestamp) {
  UuidV7Generator gen([] { return int64_t{0x0123456789AB}; }, 7);
  const std::string id = gen.next();
  ASSERT_TRUE(isUuid(id)) << id;
  EXPECT_EQ(id.substr(0, 13), "01234567-89ab");
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_EQ(uuidV7Millis(id), int64_t{0x0123456789AB});
  EXPECT_EQ(id, [&] {
    std::string lower = id;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    return lower;
  }());
}

TEST(UuidV7, MonotonicWithinOneMillisecondAndWhenClockGoesBack) {
  int64_t now = 1700000000000;
  UuidV7Generator gen([&] { return now; }, 42);
  std::string prev = gen.next();
  for (int i = 0; i < 200000; ++i) {
    if (i == 1000) {
      now -= 5;  // clock steps back: still increasing
    }
    const std::string id = gen.next();
    ASSERT_LT(prev, id) << "at " << i;
    prev = id;
  }
}

TEST(UuidV7, NewMillisecondStartsFresh) {
  int64_t now = 1700000000000;
  UuidV7Generator gen([&] { return now; }, 1);
  const std::string a = gen.next();
  now += 1;
  const std::string b = gen.next();
  EXPECT_LT(a, b);
  EXPECT_EQ(uuidV7Millis(b), now);
}

TEST(UuidV7, ThreadSafeUnique) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 20000; ++i) {
        out.push_back(newUuidV7());
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::set<std::string> all;
  for (const auto& out : per_thread) {
    EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 80000U);
}

TEST(UuidV7, Validation) {
  EXPECT_FALSE(isUuid("not-a-uuid"));
  EXPECT_FALSE(isUuid("0123456789ab-7000-8000-000000000000"));
  EXPECT_TRUE(isUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
  EXPECT_EQ(uuidV7Millis("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), std::nullopt);  // v1
}
