// DSSE: the pre-authentication encoding against the DSSE spec's own example (protocol.md, "Test
// Vectors"), standard and URL-safe base64, signing and verifying an envelope, and the tampering
// a verifier must refuse (payload, payload type, signature bytes, another key).
#include "core/dsse.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"

namespace jobengine::audit {
namespace {

TEST(Dsse, PaeMatchesTheSpecExample) {
  // github.com/secure-systems-lab/dsse protocol.md: SERIALIZED_BODY "hello world",
  // PAYLOAD_TYPE "http://example.com/HelloWorld".
  EXPECT_EQ(preAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(Dsse, PaeCountsBytesNotCharactersAndKeepsTheSpaceBeforeAnEmptyBody) {
  EXPECT_EQ(preAuthEncoding("application/vnd.in-toto+json", ""),
            "DSSEv1 28 application/vnd.in-toto+json 0 ");
  // "ä" is two bytes in UTF-8: LEN is 29 for 28 characters.
  EXPECT_EQ(preAuthEncoding("application/vnd.ex\xc3\xa4mple+json", "{}"),
            "DSSEv1 29 application/vnd.ex\xc3\xa4mple+json 2 {}");
  const std::string binary("a\0b\nc", 5);
  EXPECT_EQ(preAuthEncoding("t", binary), std::string("DSSEv1 1 t 5 a\0b\nc", 18));
}

TEST(Dsse, Base64IsStandardAndPaddedAndDecodesBothAlphabets) {
  EXPECT_EQ(base64Encode("hello world"), "aGVsbG8gd29ybGQ=");  // the spec example's payload
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(base64Decode("+/+/"), std::string("\xfb\xff\xbf"));
  EXPECT_EQ(base64Decode("-_-_"), std::string("\xfb\xff\xbf"));
  EXPECT_EQ(base64Decode("Zg"), std::string("f"));
  EXPECT_EQ(base64Decode("aGVsbG8gd29ybGQ="), std::string("hello world"));
  EXPECT_FALSE(base64Decode("+_"));     // both alphabets in one text
  EXPECT_FALSE(base64Decode("Zg="));    // padding that does not complete the group
  EXPECT_FALSE(base64Decode("Z"));      // impossible length
  EXPECT_FALSE(base64Decode("Zm9v!"));  // not base64
  EXPECT_FALSE(base64Decode("Zg===="));
}

TEST(Dsse, SignedEnvelopeVerifiesAndIsDeterministic) {
  const SigningKey key = SigningKey::generate();
  const DsseEnvelope envelope = signEnvelope("{\"a\":1}", std::string(kManifestPayloadType), key);
  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_EQ(envelope.signatures[0].keyid, key.keyId());
  EXPECT_TRUE(verifyEnvelope(envelope, key.publicKey()));
  const std::string json = envelopeJson(envelope);
  EXPECT_EQ(json, envelopeJson(signEnvelope("{\"a\":1}", std::string(kManifestPayloadType), key)));
  EXPECT_EQ(json.rfind("{\"payload\":\"eyJhIjoxfQ==\",\"payloadType\":\"application/"
                       "vnd.jobengine"
                       ".audit-manifest+json\",\"signatures\":[{\"keyid\":\"" +
                           key.keyId() + "\",\"sig\":\"",
                       0),
            0u)
      << json;

  const DsseEnvelope parsed = parseEnvelope(json);
  EXPECT_EQ(parsed.payload, "{\"a\":1}");
  EXPECT_EQ(parsed.payload_type, kManifestPayloadType);
  EXPECT_EQ(parsed.signatures[0].sig, envelope.signatures[0].sig);
  EXPECT_TRUE(verifyEnvelope(parsed, key.publicKey()));
}

TEST(Dsse, TamperedEnvelopesDoNotVerify) {
  const SigningKey key = SigningKey::generate();
  const DsseEnvelope good = signEnvelope("{\"a\":1}", std::string(kManifestPayloadType), key);

  DsseEnvelope payload = good;
  payload.payload = "{\"a\":2}";
  EXPECT_FALSE(verifyEnvelope(payload, key.publicKey()));

  DsseEnvelope type = good;  // the type is inside the signed bytes (PAE)
  type.payload_type = "application/json";
  EXPECT_FALSE(verifyEnvelope(type, key.publicKey()));

  DsseEnvelope sig = good;
  sig.signatures[0].sig[10] = static_cast<char>(sig.signatures[0].sig[10] ^ 0x01);
  EXPECT_FALSE(verifyEnvelope(sig, key.publicKey()));

  DsseEnvelope truncated = good;
  truncated.signatures[0].sig.pop_back();
  EXPECT_FALSE(verifyEnvelope(truncated, key.publicKey()));

  const SigningKey other = SigningKey::generate();
  EXPECT_FALSE(verifyEnvelope(good, other.publicKey()));
  DsseEnvelope relabeled = good;  // the keyid is a hint: claiming another key changes nothing
  relabeled.signatures[0].keyid = other.keyId();
  EXPECT_FALSE(verifyEnvelope(relabeled, other.publicKey()));
}

TEST(Dsse, ParseNamesTheBadField) {
  auto error = [](const std::string& json) {
    try {
      parseEnvelope(json);
    } catch (const DsseError& e) {
      return std::string(e.what());
    }
    return std::string("parsed");
  };
  EXPECT_EQ(error("[]"), "DSSE envelope: not a JSON object");
  EXPECT_EQ(error(R"({"payloadType":"t","signatures":[{"sig":""}]})"),
            "DSSE envelope: the envelope has no \"payload\"");
  EXPECT_EQ(error(R"({"payload":"!!","payloadType":"t","signatures":[{"sig":""}]})"),
            "DSSE envelope: \"payload\" is not base64");
  EXPECT_EQ(error(R"({"payload":"","payloadType":1,"signatures":[{"sig":""}]})"),
            "DSSE envelope: the envelope: \"payloadType\" is not a string");
  EXPECT_EQ(error(R"({"payload":"","payloadType":"t","signatures":[]})"),
            "DSSE envelope: \"signatures\" must be a non-empty array");
  EXPECT_EQ(error(R"({"payload":"","payloadType":"t","signatures":[{"keyid":"k"}]})"),
            "DSSE envelope: signatures[0] has no \"sig\"");
  EXPECT_EQ(error(R"({"payload":"","payloadType":"t","signatures":[{"sig":"Zg","keyid":2}]})"),
            "DSSE envelope: signatures[0]: \"keyid\" is not a string");
  EXPECT_EQ(error("{").rfind("DSSE envelope: not JSON (", 0), 0u);
}

// The DSSE repository's Ed25519 vector: key A is RFC 8032's first test key; an implementation
// that signs PAE(type, payload) with it gets exactly this signature.
TEST(Dsse, SignatureMatchesTheDsseEd25519Vector) {
  std::string seed;
  const std::string hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  for (size_t i = 0; i < hex.size(); i += 2) {
    seed.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  const SigningKey key = SigningKey::fromSeed(seed);
  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1"})";
  const DsseEnvelope envelope = signEnvelope(payload, "application/vnd.in-toto+json", key);
  EXPECT_EQ(
      base64Encode(envelope.signatures[0].sig),
      "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==");
}

}  // namespace
}  // namespace jobengine::audit
