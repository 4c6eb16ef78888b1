#pragma once

#include <optional>
#include <string>

#include "base/bytes.h"
#include "tlv/trust_list.h"

namespace opencapf::tlv {

/// The outcome of checking a trust list's signature.
struct Verification {
  enum class Verdict {
    kValid,             ///< the SAST signer's key verifies the signature
    kSignatureInvalid,  ///< a signer was found but the signature does not match
    kNoSigner,          ///< no SAST record carries the header's serial number
    kUnsupported,       ///< an algorithm this file asks for is not one trust lists use
  };
  Verdict verdict = Verdict::kSignatureInvalid;
  /// One sentence for a person: what is wrong and what that means.
  std::string reason;
  /// Index into TrustList::records of the record whose key verified (or was tried).
  std::optional<std::size_t> signer_record;

  bool valid() const { return verdict == Verdict::kValid; }
};

/// Checks `file` (the exact bytes `list` was parsed from): finds the SAST record whose serial
/// equals the header's, and verifies the RSA PKCS#1 v1.5 signature with the header's hash over
/// the file without its SIGNATURE element.
Verification Verify(ByteView file, const TrustList& list);

}  // namespace opencapf::tlv
