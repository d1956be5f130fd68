// DSSE envelopes: PAE, signing, JSON form and verification (dsse.hpp).
#include "core/dsse.hpp"

#include <algorithm>
#include <utility>

#include <jobengine/canonical_json.hpp>

#include "core/base64.hpp"

namespace jobengine::audit {
namespace {

std::string stringField(const nlohmann::json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    throw DsseError("DSSE envelope: " + where + " has no \"" + key + "\"");
  }
  if (!it->is_string()) {
    throw DsseError("DSSE envelope: " + where + ": \"" + key + "\" is not a string");
  }
  return it->get<std::string>();
}

std::string decoded(const std::string& text, const std::string& field) {
  auto bytes = base64Decode(text);
  if (!bytes) {
    throw DsseError("DSSE envelope: " + field + " is not base64");
  }
  return std::move(*bytes);
}

}  // namespace

std::string preAuthEncoding(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out.push_back(' ');
  out += payload_type;
  out.push_back(' ');
  out += std::to_string(payload.size());
  out.push_back(' ');
  out += payload;
  return out;
}

DsseEnvelope signEnvelope(std::string payload, std::string payload_type, const SigningKey& key) {
  DsseEnvelope envelope;
  envelope.signatures.push_back({key.keyId(), key.sign(preAuthEncoding(payload_type, payload))});
  envelope.payload = std::move(payload);
  envelope.payload_type = std::move(payload_type);
  return envelope;
}

std::string envelopeJson(const DsseEnvelope& envelope) {
  nlohmann::json signatures = nlohmann::json::array();
  for (const DsseSignature& s : envelope.signatures) {
    nlohmann::json one = {{"sig", base64Encode(s.sig)}};
    if (!s.keyid.empty()) {
      one["keyid"] = s.keyid;
    }
    signatures.push_back(std::move(one));
  }
  return sdk::canonicalJson({{"payload", base64Encode(envelope.payload)},
                             {"payloadType", envelope.payload_type},
                             {"signatures", std::move(signatures)}});
}

DsseEnvelope parseEnvelope(std::string_view json) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw DsseError(std::string("DSSE envelope: not JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) {
    throw DsseError("DSSE envelope: not a JSON object");
  }
  DsseEnvelope envelope;
  envelope.payload = decoded(stringField(doc, "payload", "the envelope"), "\"payload\"");
  envelope.payload_type = stringField(doc, "payloadType", "the envelope");
  const auto sigs = doc.find("signatures");
  if (sigs == doc.end() || !sigs->is_array() || sigs->empty()) {
    throw DsseError("DSSE envelope: \"signatures\" must be a non-empty array");
  }
  for (size_t i = 0; i < sigs->size(); ++i) {
    const nlohmann::json& s = (*sigs)[i];
    const std::string where = "signatures[" + std::to_string(i) + "]";
    if (!s.is_object()) {
      throw DsseError("DSSE envelope: " + where + " is not an object");
    }
    DsseSignature sig;
    sig.sig = decoded(stringField(s, "sig", where), where + ".sig");
    if (s.contains("keyid")) {
      sig.keyid = stringField(s, "keyid", where);
    }
    envelope.signatures.push_back(std::move(sig));
  }
  return envelope;
}

bool verifyEnvelope(const DsseEnvelope& envelope, const PublicKey& key) {
  const std::string pae = preAuthEncoding(envelope.payload_type, envelope.payload);
  return std::any_of(envelope.signatures.begin(), envelope.signatures.end(),
                     [&](const DsseSignature& s) {
                       return (s.keyid.empty() || s.keyid == key.keyId()) && key.verify(pae, s.sig);
                     });
}

}  // namespace jobengine::audit
