#include "tlv/verify.h"

#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::tlv {

namespace {
using Verdict = Verification::Verdict;

Verification Outcome(Verdict verdict, std::string reason,
                     std::optional<std::size_t> signer = std::nullopt) {
  return Verification{verdict, std::move(reason), signer};
}

// The RSA key of a record: from its certificate when present, else its PUBLIC_KEY element.
Result<pki::EvpPkeyPtr> RecordKey(const Record& r) {
  if (r.certificate) {
    auto cert = pki::Certificate::FromDer(*r.certificate);
    if (!cert.ok()) return Fail("its CERTIFICATE does not parse: " + cert.message());
    EVP_PKEY* key = cert->public_key();
    if (!key) return Fail("its CERTIFICATE carries a public key OpenSSL cannot read");
    EVP_PKEY_up_ref(key);
    return pki::EvpPkeyPtr(key);
  }
  return pki::RsaPublicKeyFromPkcs1(r.public_key);
}
}  // namespace

Verification Verify(ByteView file, const TrustList& list) {
  const Header& h = list.header;
  if (h.signature_element_size == 0) {
    return Outcome(Verdict::kSignatureInvalid, "the header has no SIGNATURE element");
  }
  auto digest = DigestFromCode(h.hash_algorithm);
  if (!digest) {
    return Outcome(Verdict::kUnsupported, "HASH_ALGORITHM " + std::to_string(h.hash_algorithm) +
                                              " is not SHA-1 (1), SHA-256 (2) or SHA-512 (3)");
  }
  if (h.signature_algorithm != 0) {
    return Outcome(
        Verdict::kUnsupported,
        "SIGNATURE_ALGORITHM " + std::to_string(h.signature_algorithm) + " is not RSA (0)");
  }
  const std::size_t expected = ModulusBytes(h.signature_modulus);
  if (expected != h.signature.size()) {
    return Outcome(Verdict::kSignatureInvalid,
                   "SIGNATURE is " + std::to_string(h.signature.size()) +
                       " bytes but SIGNATURE_MODULUS " + std::to_string(h.signature_modulus) +
                       " says " + std::to_string(expected));
  }

  const Bytes signed_part = SignedBytes(file, h.signature_element_offset, h.signature_element_size);
  std::optional<std::size_t> tried;
  std::string last_problem;
  for (std::size_t i = 0; i < list.records.size(); ++i) {
    const Record& r = list.records[i];
    if (r.role != static_cast<std::uint16_t>(Role::kSast) || r.serial_number != h.serial_number) {
      continue;
    }
    tried = i;
    auto key = RecordKey(r);
    if (!key.ok()) {
      last_problem = "the signer's record " + std::to_string(i + 1) + ": " + key.message();
      continue;
    }
    if (pki::VerifySignature(key->get(), *digest, signed_part, h.signature).ok()) {
      return Outcome(
          Verdict::kValid,
          "signature valid (" + pki::DigestName(*digest) + ", signed by " + r.subject + ")", i);
    }
    last_problem = "the " + pki::DigestName(*digest) + " signature does not match the key of " +
                   r.subject + " (record " + std::to_string(i + 1) +
                   "): the file was changed after signing or signed by another key";
  }
  if (!tried) {
    return Outcome(Verdict::kNoSigner, "no SAST record has the header's serial number " +
                                           HexUpper(h.serial_number, ":") + " (signer " +
                                           h.signer_name +
                                           "): the signer is not listed in the file");
  }
  return Outcome(Verdict::kSignatureInvalid, last_problem, tried);
}

}  // namespace opencapf::tlv
