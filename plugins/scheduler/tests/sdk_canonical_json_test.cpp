// sdk_canonical_json_test.cpp — RFC 8785 vectors for canonicalJson / formatEcmaNumber and the
// sha256 digest helpers of sdk/include/jobengine/canonical_json.hpp.
#include <jobengine/canonical_json.hpp>

#include <gtest/gtest.h>

#include <limits>

using jobengine::sdk::canonicalDigest;
using jobengine::sdk::canonicalJson;
using jobengine::sdk::formatEcmaNumber;
using jobengine::sdk::sha256Digest;
using jobengine::sdk::sha256Hex;
using nlohmann::json;

TEST(CanonicalJson, Rfc8785Section322Example) {
  const auto input = json::parse(R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })");
  EXPECT_EQ(canonicalJson(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalJson, SortsKeysByUtf16CodeUnits) {
  const auto input = json::parse(R"({
    "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"})");
  std::vector<std::string> values;
  const auto reparsed = json::parse(canonicalJson(input));
  const std::string text = canonicalJson(input);
  // Order of appearance of the values in the canonical text.
  const std::vector<std::string> expected = {"Carriage Return",
                                             "One",
                                             "Control",
                                             "Latin Small Letter O With Diaeresis",
                                             "Euro Sign",
                                             "Emoji: Grinning Face",
                                             "Hebrew Letter Dalet With Dagesh"};
  size_t pos = 0;
  for (const auto& v : expected) {
    const size_t found = text.find(v, pos);
    ASSERT_NE(found, std::string::npos) << v;
    pos = found;
  }
  EXPECT_EQ(reparsed, input);
}

TEST(CanonicalJson, NoWhitespaceAndNestedSorting) {
  const auto input = json::parse(R"({"b": [1, {"z": 1, "a": "x"}], "a": {}, "c": []})");
  EXPECT_EQ(canonicalJson(input), R"({"a":{},"b":[1,{"a":"x","z":1}],"c":[]})");
}

TEST(CanonicalJson, IntegersAsIs) {
  EXPECT_EQ(canonicalJson(json(-42)), "-42");
  EXPECT_EQ(canonicalJson(json(uint64_t{18446744073709551615ULL})), "18446744073709551615");
  EXPECT_EQ(canonicalJson(json(int64_t{-9223372036854775807LL})), "-9223372036854775807");
}

TEST(CanonicalJson, EcmaNumberFormatting) {
  EXPECT_EQ(formatEcmaNumber(0.0), "0");
  EXPECT_EQ(formatEcmaNumber(-0.0), "0");
  EXPECT_EQ(formatEcmaNumber(1.0), "1");
  EXPECT_EQ(formatEcmaNumber(-1.5), "-1.5");
  EXPECT_EQ(formatEcmaNumber(1e20), "100000000000000000000");
  EXPECT_EQ(formatEcmaNumber(1e21), "1e+21");
  EXPECT_EQ(formatEcmaNumber(0.000001), "0.000001");
  EXPECT_EQ(formatEcmaNumber(1e-7), "1e-7");
  EXPECT_EQ(formatEcmaNumber(123.456), "123.456");
  EXPECT_EQ(formatEcmaNumber(5e-324), "5e-324");
  EXPECT_EQ(formatEcmaNumber(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(formatEcmaNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(formatEcmaNumber(-1.25e-10), "-1.25e-10");
  EXPECT_THROW(formatEcmaNumber(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  EXPECT_THROW(formatEcmaNumber(std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(CanonicalJson, ControlCharactersEscapedOthersLiteral) {
  EXPECT_EQ(canonicalJson(json(std::string("a\x01\x1f\t\"\\/\x7f"))),
            "\"a\\u0001\\u001f\\t\\\"\\\\/\x7f\"");
  EXPECT_EQ(canonicalJson(json("\xE2\x80\xA8")), "\"\xE2\x80\xA8\"");  // U+2028 stays literal
}

TEST(CanonicalJson, InvalidUtf8Throws) {
  EXPECT_THROW(canonicalJson(json(std::string("\xC3"))), std::invalid_argument);
  EXPECT_THROW(canonicalJson(json(std::string("\xC0\xAF"))), std::invalid_argument);
  json obj = json::object();
  obj[std::string("\xFF")] = 1;
  EXPECT_THROW(canonicalJson(obj), std::invalid_argument);
}

TEST(CanonicalJson, Sha256Digests) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(canonicalDigest(json::parse(R"({"b":1,"a":2.0})")), sha256Digest(R"({"a":2,"b":1})"));
}
