#include "pki/crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace opencapf::pki {

namespace {
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, OpenSslDeleter<X509_REVOKED_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;
using Asn1EnumPtr = std::unique_ptr<ASN1_ENUMERATED, OpenSslDeleter<ASN1_ENUMERATED_free>>;
}  // namespace

std::string Crl::ToPem() const {
  const unsigned char* p = der.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), crl.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Crl> BuildCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                     const std::vector<CrlEntry>& entries, const CrlProfile& profile) {
  if (!issuer_key.Matches(issuer)) {
    return Fail("the key given does not belong to " + issuer.Subject() + "; cannot sign its CRL");
  }
  if (profile.next_update <= profile.this_update) {
    return Fail("a CRL's next update must come after its this update");
  }
  X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get()));
  Asn1TimePtr last(ASN1_TIME_set(nullptr, profile.this_update));
  Asn1TimePtr next(ASN1_TIME_set(nullptr, profile.next_update));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());

  for (const CrlEntry& e : entries) {
    RevokedPtr revoked(X509_REVOKED_new());
    BignumPtr bn(BN_bin2bn(e.serial.data(), static_cast<int>(e.serial.size()), nullptr));
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    X509_REVOKED_set_serialNumber(revoked.get(), serial.get());
    Asn1TimePtr when(ASN1_TIME_set(nullptr, e.revoked_at));
    X509_REVOKED_set_revocationDate(revoked.get(), when.get());
    if (e.reason != 0) {
      Asn1EnumPtr reason(ASN1_ENUMERATED_new());
      ASN1_ENUMERATED_set(reason.get(), e.reason);
      X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, reason.get(), 0, 0);
    }
    X509_CRL_add0_revoked(crl.get(), revoked.release());
  }
  X509_CRL_sort(crl.get());

  Asn1IntegerPtr number(ASN1_INTEGER_new());
  ASN1_INTEGER_set_uint64(number.get(), profile.number);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* akid =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  if (!akid) {
    ERR_clear_error();  // an issuer without a subjectKeyIdentifier: the CRL goes without AKI
  } else {
    X509_CRL_add_ext(crl.get(), akid, -1);
    X509_EXTENSION_free(akid);
  }

  if (X509_CRL_sign(crl.get(), issuer_key.get(), EVP_sha256()) <= 0) {
    return Fail("cannot sign the CRL of " + issuer.Subject() + ": " + OpenSslErrors());
  }
  int len = i2d_X509_CRL(crl.get(), nullptr);
  if (len <= 0) return Fail("cannot encode the CRL: " + OpenSslErrors());
  Crl out;
  out.der.resize(static_cast<std::size_t>(len));
  unsigned char* p = out.der.data();
  i2d_X509_CRL(crl.get(), &p);
  return out;
}

bool SignedBy(const Certificate& certificate, const Certificate& issuer) {
  EVP_PKEY* key = issuer.public_key();
  if (!key) return false;
  const bool ok = X509_verify(certificate.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace opencapf::pki
