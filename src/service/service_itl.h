#pragma once

#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/digest.h"
#include "service/data_dir.h"

namespace opencapf::service {

/// How the served ITLFile.tlv is laid out.
struct ItlLayout {
  pki::Digest digest = pki::Digest::kSha1;  ///< SHA-1 (signer 1.0) or SHA-512 (1.1)
  /// CUCM's layout lists CAPF and TVS by SHA-1 hash only; false lists whole certificates.
  bool hash_only_capf_tvs = true;
  std::string filename = "ITLFile.tlv";
};

/// Builds the ITL a phone needs from the data directory's certificates: signed by the
/// ITLRecovery key (SAST record), with records for the CallManager/TFTP certificate (CCM+TFTP),
/// the TVS certificate and the current CAPF certificate.
Result<Bytes> BuildServiceItl(const DataDir& dir, const ItlLayout& layout, std::uint32_t timestamp);

}  // namespace opencapf::service
