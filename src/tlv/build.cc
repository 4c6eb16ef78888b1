#include "tlv/build.h"

#include <algorithm>

namespace opencapf::tlv {

namespace {
std::optional<std::uint8_t> ModulusIndex(std::size_t signature_bytes) {
  for (std::uint8_t i = 0; i <= 3; ++i) {
    if (ModulusBytes(i) == signature_bytes) return i;
  }
  return std::nullopt;
}
}  // namespace

Record MakeRecord(const RecordSpec& spec) {
  const pki::Certificate& c = spec.certificate;
  Record r;
  r.dns_name = spec.dns_name;
  r.subject = c.Subject();
  r.role = static_cast<std::uint16_t>(spec.role);
  r.issuer = c.Issuer();
  r.serial_number = c.SerialBytes();
  r.public_key = c.PublicKeyBytes();
  r.signature = c.SignatureBytes();
  if (spec.hash_only) {
    r.certificate_hash = c.Fingerprint(pki::Digest::kSha1);
    // CUCM writes a HASH_ALGORITHM element after the hash; its `show itl` prints "null" for it.
    r.hash_algorithm = 0;
  } else {
    r.certificate = c.der();
  }
  return r;
}

Result<Bytes> Build(const pki::Certificate& signer, const pki::PrivateKey& signer_key,
                    const std::vector<RecordSpec>& records, const BuildOptions& options) {
  if (signer_key.algorithm() != pki::KeyAlgorithm::kRsa) {
    return Fail("the signer's key is " + pki::KeyAlgorithmName(signer_key.algorithm()) +
                ": trust lists are signed with RSA (phones verify RSA PKCS#1 v1.5 only); "
                "use an RSA signer such as the ITLRecovery certificate");
  }
  if (!signer_key.Matches(signer)) {
    return Fail("the signer's private key does not belong to its certificate (" + signer.Subject() +
                ")");
  }
  auto modulus = ModulusIndex(static_cast<std::size_t>(signer_key.SignatureSize()));
  if (!modulus) {
    return Fail("the signer's RSA key is " + std::to_string(signer_key.bits()) +
                " bits: trust lists allow 512, 1024, 2048 or 4096-bit signers");
  }
  if (options.digest == pki::Digest::kSha256) {
    return Fail("trust lists are signed with SHA-1 (signer version 1.0) or SHA-512 (1.1)");
  }

  TrustList list;
  Header& h = list.header;
  h.version_major = 1;
  h.version_minor = 2;
  h.signer_version = options.digest == pki::Digest::kSha512 ? std::array<std::uint8_t, 2>{1, 1}
                                                            : std::array<std::uint8_t, 2>{1, 0};
  h.signer_name = signer.Subject();
  h.issuer_name = signer.Issuer();
  h.serial_number = signer.SerialBytes();
  h.hash_algorithm = DigestCode(options.digest);
  h.signature_algorithm = 0;
  h.signature_modulus = *modulus;
  h.signature.assign(static_cast<std::size_t>(signer_key.SignatureSize()), 0);
  h.filename = options.filename;
  h.timestamp =
      options.timestamp ? *options.timestamp : static_cast<std::uint32_t>(std::time(nullptr));

  bool signer_listed = std::any_of(records.begin(), records.end(), [&](const RecordSpec& r) {
    return r.role == Role::kSast && r.certificate == signer;
  });
  if (!signer_listed) list.records.push_back(MakeRecord({Role::kSast, signer, false, {}}));
  for (const auto& spec : records) list.records.push_back(MakeRecord(spec));

  auto serialized = Serialize(list);
  if (!serialized.ok()) return serialized.error();
  Bytes& bytes = serialized->bytes;
  Bytes signed_part =
      SignedBytes(bytes, serialized->signature_element_offset, serialized->signature_element_size);
  auto signature = signer_key.Sign(options.digest, signed_part);
  if (!signature.ok()) return signature.error();
  if (signature->size() != h.signature.size()) {
    return Fail("signature is " + std::to_string(signature->size()) + " bytes, expected " +
                std::to_string(h.signature.size()));
  }
  std::copy(signature->begin(), signature->end(),
            bytes.begin() + static_cast<std::ptrdiff_t>(serialized->signature_element_offset + 3));
  return std::move(bytes);
}

}  // namespace opencapf::tlv
