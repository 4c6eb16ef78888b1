#pragma once

// The OCSP responder's answers (RFC 6960): for every LSC of every CAPF certificate that can sign
// for its LSCs, "good", "revoked" (when and why) or "unknown", signed by that CAPF certificate's
// own key. No sockets: server.h puts it on HTTP.

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/digest.h"
#include "pki/ocsp.h"
#include "pki/private_key.h"

namespace opencapf::ocsp {

/// A CAPF certificate the responder answers for, with the LSCs it signed that were revoked.
struct Issuer {
  pki::Certificate certificate;
  pki::PrivateKey key;
  /// Serial, revocation time (good until then: a replaced LSC kept for a while) and reason,
  /// as the CAPF certificate's CRL lists them.
  std::vector<pki::CrlEntry> revoked;
};

/// What one request got, for the access log and the metrics.
struct Answered {
  Bytes response;  ///< a DER OCSPResponse, whatever happened
  /// "good", "revoked", "unknown" per certificate asked about, or the failure status
  /// ("malformedRequest", "internalError").
  std::vector<std::string> statuses;
  std::string reason;   ///< why a request was refused, in words
  bool cached = false;  ///< answered from the cache
};

class Responder {
 public:
  /// `validity`: how long an answer is good for (its nextUpdate); cached answers are given out
  /// for a tenth of that at most, so a client always gets one with most of its life left.
  Responder(const Clock& clock, std::time_t validity_seconds, std::size_t max_ids = 32);

  /// Replaces what the responder answers from, at once: every answer given afterwards says so,
  /// and the cache is emptied. The first issuer answers (unknown) for issuers it does not know.
  void Update(std::vector<Issuer> issuers);

  /// Answers a DER OCSPRequest: a signed response, or malformedRequest for one that cannot be
  /// read (the reason says why), internalError when signing fails. Safe from any thread.
  Answered Respond(ByteView request) const;

  /// How many issuers it answers for (0 before the first Update).
  std::size_t issuers() const;

 private:
  struct Known;  // an issuer with its CertID hashes and revoked serials, made by Update
  struct State;
  struct CacheEntry {
    Bytes response;
    std::vector<std::string> statuses;
    std::time_t made = 0;
  };

  const Clock& clock_;
  const std::time_t validity_;
  const std::size_t max_ids_;
  mutable std::mutex mu_;
  std::shared_ptr<const State> state_;
  mutable std::map<Bytes, CacheEntry> cache_;
};

}  // namespace opencapf::ocsp
