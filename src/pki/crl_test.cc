// CRLs and CSRs, checked by OpenSSL's own parsers and verifier.
#include "pki/crl.h"

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include "pki/csr.h"
#include "pki/ocsp_test_client.h"
#include "pki/issuer.h"
#include "pki/lsc.h"

namespace opencapf::pki {
namespace {

using testing::Ca;
using testing::Leaf;

// Verifies `leaf` against `ca` with CRL checking on, as a RADIUS server would.
int VerifyWithCrl(const Certificate& leaf, const Certificate& ca, const Crl& crl) {
  const unsigned char* p = crl.der.data();
  X509_CRL* parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.der.size()));
  EXPECT_NE(parsed, nullptr);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_add_crl(store, parsed);
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  const int ok = X509_verify_cert(ctx);
  const int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_CRL_free(parsed);
  return err;
}

TEST(CrlTest, RevokedCertificatesFailAndOthersPass) {
  auto ca = Ca("CAPF-crl");
  auto revoked = Leaf(ca, "SEP000000000001");
  auto kept = Leaf(ca, "SEP000000000002");
  const std::time_t now = std::time(nullptr);
  auto crl = BuildCrl(ca.certificate, ca.key, {{revoked.SerialBytes(), now - 10, 1}},
                      {now - 60, now + 86400, 7});
  ASSERT_TRUE(crl.ok()) << crl.message();
  EXPECT_EQ(VerifyWithCrl(revoked, ca.certificate, *crl), X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(VerifyWithCrl(kept, ca.certificate, *crl), X509_V_OK);
  EXPECT_NE(crl->ToPem().find("-----BEGIN X509 CRL-----"), std::string::npos);
}

TEST(CrlTest, AnExpiredCrlIsRefusedByVerifiersSoNextUpdateMatters) {
  auto ca = Ca("CAPF-old-crl");
  auto leaf = Leaf(ca, "SEP000000000003");
  const std::time_t now = std::time(nullptr);
  auto crl = BuildCrl(ca.certificate, ca.key, {}, {now - 7200, now - 3600, 1});
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(VerifyWithCrl(leaf, ca.certificate, *crl), X509_V_ERR_CRL_HAS_EXPIRED);
}

TEST(CrlTest, RefusesAForeignKeyAndTellsSigners) {
  auto a = Ca("CAPF-a");
  auto b = Ca("CAPF-a");  // same name, other key: a regenerated CAPF certificate
  auto crl = BuildCrl(a.certificate, b.key, {}, {1, 2, 1});
  ASSERT_FALSE(crl.ok());
  EXPECT_NE(crl.message().find("does not belong"), std::string::npos);
  auto leaf = Leaf(a, "SEP000000000004");
  EXPECT_TRUE(SignedBy(leaf, a.certificate));
  EXPECT_FALSE(SignedBy(leaf, b.certificate));
}

TEST(CsrTest, CarriesSubjectKeyAndRequestedCaExtensions) {
  auto key = *PrivateKey::Generate({KeyAlgorithm::kRsa, 2048});
  CertificateProfile p;
  p.subject = {{"CN", "CAPF-1234abcd"}, {"O", "Example"}};
  p.ca = true;
  p.path_length = 0;
  p.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
  auto pem = MakeCsr(key, p);
  ASSERT_TRUE(pem.ok()) << pem.message();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509_REQ* req = PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(X509_REQ_verify(req, key.get()), 1);
  EXPECT_EQ(NameText(X509_REQ_get_subject_name(req)), "CN=CAPF-1234abcd,O=Example");
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  ASSERT_NE(exts, nullptr);
  EXPECT_EQ(sk_X509_EXTENSION_num(exts), 2);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_free(req);
  EXPECT_FALSE(MakeCsr(key, CertificateProfile{}).ok());
}

}  // namespace
}  // namespace opencapf::pki
