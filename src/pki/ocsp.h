#pragma once

// OCSP (RFC 6960) messages as a responder sees them: the request read and checked, the response
// built and signed. Pure functions over bytes and certificates: no sockets, no store.

#include <cstddef>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace opencapf::pki {

/// One certificate a request asks about (RFC 6960 §4.1.1 CertID): which issuer, by hashes of
/// its name and key made with `hash`, and the serial.
struct OcspCertId {
  Digest hash = Digest::kSha1;
  Bytes issuer_name_hash;
  Bytes issuer_key_hash;
  Bytes serial;  ///< unsigned big-endian, as Certificate::SerialBytes()
};

/// What the responder says about one certificate.
enum class OcspStatus { kGood, kRevoked, kUnknown };
struct OcspAnswer {
  OcspStatus status = OcspStatus::kUnknown;
  std::time_t revoked_at = 0;  ///< with kRevoked
  int reason = 0;              ///< RFC 5280 CRLReason; 0 (unspecified) is written without one
};

class OcspRequest;
/// Reads a DER OCSPRequest. Refused, saying why: not DER, trailing bytes, no request or more
/// than `max_ids` certificates, a CertID hash other than SHA-1/SHA-256/SHA-512, hashes
/// of the wrong length, a nonce of 0 or more than 32 octets, or an unknown critical extension.
Result<OcspRequest> ParseOcspRequest(ByteView der, std::size_t max_ids = 32);

/// A successful OCSPResponse: one answer per request CertID, in the request's order,
/// thisUpdate/nextUpdate as given, the request's nonce echoed, responder ID by key hash,
/// signed (SHA-256) by `signer` — the issuing CAPF certificate itself, so head-ends that trust
/// it need no delegated responder certificate — and carrying that certificate. `answers` must
/// match the request's ids.
Result<Bytes> BuildOcspResponse(const OcspRequest& request, std::span<const OcspAnswer> answers,
                                const Certificate& signer, const PrivateKey& signer_key,
                                std::time_t this_update, std::time_t next_update);

/// A parsed OCSPRequest. Holds the request as OpenSSL read it, so the response can repeat each
/// CertID exactly as sent.
class OcspRequest {
 public:
  const std::vector<OcspCertId>& ids() const { return ids_; }
  /// The nonce extension's value (RFC 8954: 1 to 32 octets), when one was sent.
  const std::optional<Bytes>& nonce() const { return nonce_; }
  /// The request's DER as received: equal requests without a nonce get the same answer.
  const Bytes& der() const { return der_; }

  struct Parsed;  ///< OpenSSL's objects; defined in ocsp.cc

 private:
  friend Result<OcspRequest> ParseOcspRequest(ByteView, std::size_t);
  friend Result<Bytes> BuildOcspResponse(const OcspRequest&, std::span<const OcspAnswer>,
                                         const Certificate&, const PrivateKey&, std::time_t,
                                         std::time_t);
  std::vector<OcspCertId> ids_;
  std::optional<Bytes> nonce_;
  Bytes der_;
  std::shared_ptr<Parsed> parsed_;
};

/// The unsuccessful OCSPResponse statuses (RFC 6960 §4.2.1); they carry no body or signature.
enum class OcspFailure {
  kMalformedRequest = 1,
  kInternalError = 2,
  kTryLater = 3,
  kUnauthorized = 6,
};
Bytes OcspFailureResponse(OcspFailure failure);

/// The CertID hashes of `issuer` with `hash` (RFC 6960 §4.1.1): of its subject name's DER and of
/// its subjectPublicKey BIT STRING's value.
Bytes OcspIssuerNameHash(const Certificate& issuer, Digest hash);
Bytes OcspIssuerKeyHash(const Certificate& issuer, Digest hash);

}  // namespace opencapf::pki
