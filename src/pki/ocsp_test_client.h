#pragma once

// An OCSP client made of OpenSSL's own client code (what `openssl ocsp`, FreeRADIUS and ocserv
// run), and test CAs, for the responder's tests.

#include <openssl/ocsp.h>

#include <ctime>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "pki/certificate.h"
#include "pki/issuer.h"

namespace opencapf::pki::testing {

/// A self-signed RSA-2048 CA named CN=`cn`, O=Test.
KeyAndCertificate Ca(const std::string& cn);
/// An EC P-256 certificate CN=`cn` issued by `ca`.
Certificate Leaf(const KeyAndCertificate& ca, const std::string& cn);

/// A DER OCSPRequest for `leaves` (issuer `issuer`), CertIDs hashed with `md`, with a random
/// 16-byte nonce when asked; `keep` receives the request (the caller frees it) to check the
/// answer's nonce against.
Bytes ClientRequest(const std::vector<const Certificate*>& leaves, const Certificate& issuer,
                    const EVP_MD* md = EVP_sha1(), bool nonce = false,
                    OCSP_REQUEST** keep = nullptr);
inline Bytes ClientRequest(const Certificate& leaf, const Certificate& issuer, bool nonce = false,
                           OCSP_REQUEST** keep = nullptr) {
  return ClientRequest({&leaf}, issuer, EVP_sha1(), nonce, keep);
}

/// What a client reads from a response.
struct ClientView {
  int response_status = -1;   ///< OCSP_RESPONSE_STATUS_*
  /// OCSP_basic_verify as FreeRADIUS calls it: the signer from the response, `trusted` the only
  /// anchor.
  bool verified = false;
  int nonce_check = -100;     ///< OCSP_check_nonce against the request given: 1 = echoed
  bool times_valid = false;   ///< every answer's thisUpdate/nextUpdate (OCSP_check_validity)
  std::vector<int> statuses;  ///< V_OCSP_CERTSTATUS_* per answer
  std::vector<int> reasons;   ///< -1 when none
  std::vector<std::time_t> revoked_times;
  // The first answer's, for one-certificate requests.
  int status = -1;
  int reason = -2;
  std::time_t revoked_at = 0;
  std::time_t this_update = 0;
  std::time_t next_update = 0;
};
ClientView ReadResponse(const Bytes& der, const Certificate& trusted,
                        OCSP_REQUEST* request = nullptr);
inline ClientView ReadResponse(const Bytes& der, const KeyAndCertificate& trusted,
                               OCSP_REQUEST* request = nullptr) {
  return ReadResponse(der, trusted.certificate, request);
}

}  // namespace opencapf::pki::testing
