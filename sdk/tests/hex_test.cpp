// hex.hpp: lower-case encoding of every byte value, decoding of either case, and refusal of
// odd lengths and foreign characters.
#include <jobengine/hex.hpp>

#include <gtest/gtest.h>

#include <string>

namespace jobengine::sdk {
namespace {

TEST(HexTest, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(hexEncode(""), "");
  EXPECT_EQ(hexEncode(std::string("\x00\x01\x7f\x80\xfe\xff", 6)), "00017f80feff");
  EXPECT_EQ(hexEncode("jobengine"), "6a6f62656e67696e65");
}

TEST(HexTest, DecodingRestoresEveryByteValue) {
  std::string all;
  for (int b = 0; b < 256; ++b) {
    all.push_back(static_cast<char>(b));
  }
  EXPECT_EQ(hexDecode(hexEncode(all)), all);
  EXPECT_EQ(hexDecode("00017F80FEff"), std::string("\x00\x01\x7f\x80\xfe\xff", 6));
}

TEST(HexTest, RefusesOddLengthsAndForeignCharacters) {
  EXPECT_FALSE(hexDecode("abc").has_value());
  EXPECT_FALSE(hexDecode("0g").has_value());
  EXPECT_FALSE(hexDecode("0x00").has_value());
  EXPECT_FALSE(hexDecode("a ").has_value());
  EXPECT_EQ(hexDecode(""), std::string());
}

}  // namespace
}  // namespace jobengine::sdk
