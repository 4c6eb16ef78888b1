#include "pki/ocsp_test_client.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <gtest/gtest.h>

namespace opencapf::pki::testing {

namespace {

std::time_t ToTime(const ASN1_GENERALIZEDTIME* t) {
  if (!t) return 0;
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

KeyAndCertificate Ca(const std::string& cn) {
  CertificateProfile p;
  p.subject = {{"CN", cn}, {"O", "Test"}};
  p.ca = true;
  p.path_length = 0;
  p.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  return *SelfSigned({KeyAlgorithm::kRsa, 2048}, p);
}

Certificate Leaf(const KeyAndCertificate& ca, const std::string& cn) {
  auto key = *PrivateKey::Generate({KeyAlgorithm::kEc, 256});
  CertificateProfile p;
  p.subject = {{"CN", cn}};
  return *IssueCertificate(p, key.get(), ca.key, &ca.certificate);
}

Bytes ClientRequest(const std::vector<const Certificate*>& leaves, const Certificate& issuer,
                    const EVP_MD* md, bool nonce, OCSP_REQUEST** keep) {
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  for (const Certificate* leaf : leaves) {
    OCSP_CERTID* id = OCSP_cert_to_id(md, leaf->get(), issuer.get());
    EXPECT_NE(OCSP_request_add0_id(req, id), nullptr);
  }
  if (nonce) {
    EXPECT_EQ(OCSP_request_add1_nonce(req, nullptr, 16), 1);
  }
  unsigned char* out = nullptr;
  const int len = i2d_OCSP_REQUEST(req, &out);
  Bytes der(out, out + len);
  OPENSSL_free(out);
  if (keep) {
    *keep = req;
  } else {
    OCSP_REQUEST_free(req);
  }
  return der;
}

ClientView ReadResponse(const Bytes& der, const Certificate& trusted, OCSP_REQUEST* request) {
  ClientView v;
  const unsigned char* p = der.data();
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
  EXPECT_NE(resp, nullptr);
  if (!resp) return v;
  v.response_status = OCSP_response_status(resp);
  if (OCSP_BASICRESP* basic = OCSP_response_get1_basic(resp)) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, trusted.get());
    // As FreeRADIUS verifies: the signer only from the response, its chain from the store.
    v.verified = OCSP_basic_verify(basic, nullptr, store, 0) == 1;
    ERR_clear_error();
    X509_STORE_free(store);
    if (request) v.nonce_check = OCSP_check_nonce(request, basic);
    v.times_valid = OCSP_resp_count(basic) > 0;
    for (int i = 0; i < OCSP_resp_count(basic); ++i) {
      int reason = -2;
      ASN1_GENERALIZEDTIME* rev = nullptr;
      ASN1_GENERALIZEDTIME* thisupd = nullptr;
      ASN1_GENERALIZEDTIME* nextupd = nullptr;
      v.statuses.push_back(
          OCSP_single_get0_status(OCSP_resp_get0(basic, i), &reason, &rev, &thisupd, &nextupd));
      v.reasons.push_back(reason);
      v.revoked_times.push_back(ToTime(rev));
      if (OCSP_check_validity(thisupd, nextupd, 300, -1) != 1) v.times_valid = false;
      if (i == 0) {
        v.status = v.statuses[0];
        v.reason = reason;
        v.revoked_at = ToTime(rev);
        v.this_update = ToTime(thisupd);
        v.next_update = ToTime(nextupd);
      }
    }
    OCSP_BASICRESP_free(basic);
  }
  OCSP_RESPONSE_free(resp);
  return v;
}

}  // namespace opencapf::pki::testing
