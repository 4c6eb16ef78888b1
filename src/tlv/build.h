#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "tlv/trust_list.h"

namespace opencapf::tlv {

/// One certificate to list, and what it is trusted for.
struct RecordSpec {
  Role role = Role::kSast;
  pki::Certificate certificate;
  /// CUCM style: CERTIFICATE_HASH (SHA-1) instead of the whole certificate.
  bool hash_only = false;
  std::optional<std::string> dns_name;
};

struct BuildOptions {
  /// SHA-1 writes signer version 1.0; SHA-512 writes 1.1 (what newer phones expect).
  pki::Digest digest = pki::Digest::kSha1;
  std::string filename = "ITLFile.tlv";
  /// Unix time written in TIMESTAMP; nullopt: now.
  std::optional<std::uint32_t> timestamp;
};

/// A record describing `spec.certificate` in the independent tools' layout.
Record MakeRecord(const RecordSpec& spec);

/// Builds and signs a trust-list file. The signer must be an RSA key (phones check RSA PKCS#1
/// v1.5 only). When no SAST record lists the signer's certificate, one is put first, because a
/// verifier finds the signer as the SAST record whose serial matches the header.
Result<Bytes> Build(const pki::Certificate& signer, const pki::PrivateKey& signer_key,
                    const std::vector<RecordSpec>& records, const BuildOptions& options);

}  // namespace opencapf::tlv
