// Unit tests of sha256.hpp and http_date.hpp.
#include <gtest/gtest.h>

#include "jobengine/adapter/http_date.hpp"
#include "jobengine/adapter/sha256.hpp"

namespace jobengine::adapter {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abc").size(), 64U);
}

TEST(HttpDate, FormatsAndParsesImfFixdate) {
  const auto tp = std::chrono::system_clock::from_time_t(784111777);  // RFC 9110's example
  EXPECT_EQ(formatHttpDate(tp), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), tp);
  EXPECT_FALSE(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT"));
}

TEST(HttpDate, RetryAfterIsSecondsOrADate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(parseRetryAfter("120", now), 120);
  EXPECT_EQ(parseRetryAfter(" 0 ", now), 0);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", now), 60);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:40:37 GMT", now), 0);  // past: now
  EXPECT_FALSE(parseRetryAfter("soon", now));
  EXPECT_FALSE(parseRetryAfter("-5", now));
  EXPECT_FALSE(parseRetryAfter("", now));
}

}  // namespace
}  // namespace jobengine::adapter
