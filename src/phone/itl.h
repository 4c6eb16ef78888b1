#pragma once

// The phone's rules for its trust list: a file is taken only if it parses and its signature
// verifies; a phone that already holds an ITL takes a new one only if the new file's signer is
// one of the SAST records of the ITL it holds; a service is trusted when its certificate
// matches a record with the service's role (whole certificate, or SHA-1 hash).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "tlv/trust_list.h"

namespace opencapf::phone {

/// A trust list that parsed and whose signature verified.
struct VerifiedItl {
  Bytes bytes;
  tlv::TrustList list;
  std::size_t signer = 0;  ///< index of the SAST record whose key verified the signature

  const tlv::Record& signer_record() const { return list.records[signer]; }
};

/// Why a file is not a usable trust list.
enum class ItlProblem {
  kNone,
  kMalformed,  ///< it does not parse (truncated, a length past the end, not a trust list)
  kSignature,  ///< it parses, but the signature does not verify (or no signer is listed)
};

struct ItlReading {
  ItlProblem problem = ItlProblem::kNone;
  std::string reason;  ///< for a person, when there is a problem
  std::optional<VerifiedItl> itl;
};

/// Parses and verifies `bytes` as a phone does before it installs a trust list.
ItlReading ReadItl(ByteView bytes);

/// Whether a phone holding `installed` accepts `candidate`: its signer must be listed as a SAST
/// record in `installed` (same certificate, or same public key). The error names the signer and
/// the tokens the installed ITL trusts.
Status SignerTrusted(const VerifiedItl& candidate, const VerifiedItl& installed);

/// The records with `role`, in file order.
std::vector<const tlv::Record*> RecordsWithRole(const tlv::TrustList& list, tlv::Role role);

/// The certificates of the TFTP and CCM+TFTP records that carry one, in file order: what a
/// phone checks signed files (NAME.sgn) with. Empty: the phone reads its files unsigned.
std::vector<pki::Certificate> TftpCertificates(const tlv::TrustList& list);

/// Whether `certificate` is the one `record` describes: the whole certificate when the record
/// carries it, else the SHA-1 hash (CUCM's hash-only CAPF and TVS records).
bool RecordMatches(const tlv::Record& record, const pki::Certificate& certificate);

/// "SHA-1 28 45 D4 …" of the certificate a record describes.
std::string RecordHashText(const tlv::Record& record);

}  // namespace opencapf::phone
