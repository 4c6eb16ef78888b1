#pragma once

#include <ctime>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "pki/public_key.h"

namespace opencapf::pki {

/// Subject fields an LSC carries besides CN = device name. Empty fields are taken from the
/// issuing CAPF certificate's subject.
struct LscSubject {
  std::string organization;
  std::string organizational_unit;
  std::string locality;
  std::string state;
  std::string country;
};

struct LscRequest {
  std::string device_name;  ///< becomes the CN
  Bytes public_key;         ///< the phone's SubjectPublicKeyInfo DER
  LscSubject subject;
  int validity_days = 365 * 5;
  std::time_t now = 0;  ///< issue time (from the caller's clock)
  /// authorityInfoAccess OCSP URI and cRLDistributionPoints URI; empty: not written.
  std::string ocsp_url{};
  std::string crl_url{};
};

struct IssuedLsc {
  Certificate certificate;
  /// Set when the validity was cut to end with the CAPF certificate; says so in words.
  std::string note;
};

/// Issues a Locally Significant Certificate: CN = device name, issuer = the CAPF subject, 16
/// random positive serial bytes, SKI/AKI, basicConstraints CA:FALSE critical, keyUsage
/// digitalSignature+keyEncipherment critical, EKU serverAuth, clientAuth, ipsecEndSystem, the
/// OCSP and CRL URLs when given; never valid past the CAPF certificate's own end.
Result<IssuedLsc> IssueLsc(const LscRequest& request, const Certificate& capf,
                           const PrivateKey& capf_key);
/// The same for a key ParsePhoneKey already checked (`request.public_key` is not read).
Result<IssuedLsc> IssueLsc(const LscRequest& request, const PublicKey& key, const Certificate& capf,
                           const PrivateKey& capf_key);

/// A public key from SubjectPublicKeyInfo DER, with the checks a CA owes a request: parses, RSA
/// of at least 1024 bits or EC on P-256/P-384/P-521.
Result<PublicKey> ParsePhoneKey(ByteView spki);

}  // namespace opencapf::pki
