// DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse) for the export
// bundle's signed manifest (manifest.dsse.json, SPEC §7). A signature covers the
// pre-authentication encoding PAE(payloadType, payload), so the payload type is signed too.
// Plain C++ (no ABI types); keys come from signing_key.hpp.
//
// Envelope JSON (written as canonical JSON, so the same manifest and key give the same bytes):
//   {"payload": base64(payload), "payloadType": "...",
//    "signatures": [{"keyid": "<hex sha256 of the raw public key>", "sig": base64(signature)}]}
// Standard base64 with padding; the parser also accepts the URL-safe alphabet, as DSSE asks.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/signing_key.hpp"

namespace jobengine::audit {

// The payload type of a bundle manifest.
inline constexpr std::string_view kManifestPayloadType =
    "application/vnd.jobengine"
    ".audit-manifest+json";  // split: see kBundleSchemaVersion

// An envelope that cannot be parsed; what() says which field is wrong.
class DsseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DsseSignature {
  std::string keyid;  // may be empty (DSSE makes it optional)
  std::string sig;    // raw signature bytes
};

struct DsseEnvelope {
  std::string payload;  // raw payload bytes
  std::string payload_type;
  std::vector<DsseSignature> signatures;
};

// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN the ASCII decimal
// byte length without leading zeros.
std::string preAuthEncoding(std::string_view payload_type, std::string_view payload);

// An envelope of payload signed by key (one signature, keyid = key.keyId()).
DsseEnvelope signEnvelope(std::string payload, std::string payload_type, const SigningKey& key);

// The envelope's JSON bytes (canonical JSON, no trailing newline).
std::string envelopeJson(const DsseEnvelope& envelope);

// Parses envelope JSON; throws DsseError naming the field that is missing or malformed
// (signatures must hold at least one entry).
DsseEnvelope parseEnvelope(std::string_view json);

// True when some signature with key.keyId() (or without a keyid) verifies over the PAE.
bool verifyEnvelope(const DsseEnvelope& envelope, const PublicKey& key);

}  // namespace jobengine::audit
