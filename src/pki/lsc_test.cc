#include "pki/lsc.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/file.h"
#include "pki/issuer.h"

namespace opencapf::pki {
namespace {

KeyAndCertificate Capf(int days) {
  CertificateProfile p;
  p.subject = {{"CN", "CAPF-0a1b2c3d"}, {"OU", "Voice"}, {"O", "Example"}, {"C", "US"}};
  p.ca = true;
  p.path_length = 0;
  p.key_usage = {"digitalSignature", "keyCertSign"};
  p.days = days;
  auto capf = SelfSigned({KeyAlgorithm::kRsa, 2048}, p);
  if (!capf.ok()) throw std::runtime_error(capf.message());
  return *capf;
}

std::string ExtensionText(const Certificate& cert, int nid) {
  int index = X509_get_ext_by_NID(cert.get(), nid, -1);
  if (index < 0) return "";
  X509_EXTENSION* ext = X509_get_ext(cert.get(), index);
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), ext, 0, 0);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len)) +
         (X509_EXTENSION_get_critical(ext) ? " [critical]" : "");
}

TEST(Lsc, CarriesEveryExtensionAndVerifiesWithOpenssl) {
  auto capf = Capf(3650);
  for (const char* spec : {"rsa:2048", "ec:384"}) {
    auto phone = PrivateKey::Generate(*KeySpec::Parse(spec));
    ASSERT_TRUE(phone.ok());
    CertificateProfile tmp;
    tmp.subject = {{"CN", "x"}};
    auto holder = IssueCertificate(tmp, phone->get(), *phone);
    ASSERT_TRUE(holder.ok());
    LscRequest request{"SEP001122334455", holder->SubjectPublicKeyInfo(), {}, 1825, 0};
    auto lsc = IssueLsc(request, capf.certificate, capf.key);
    ASSERT_TRUE(lsc.ok()) << lsc.message();
    const Certificate& c = lsc->certificate;
    EXPECT_EQ(c.Subject(), "CN=SEP001122334455,OU=Voice,O=Example,C=US");
    EXPECT_EQ(c.Issuer(), capf.certificate.Subject());
    EXPECT_EQ(c.SerialBytes().size(), 16u);
    EXPECT_TRUE(lsc->note.empty());
    EXPECT_TRUE(phone->Matches(c));
    EXPECT_EQ(ExtensionText(c, NID_basic_constraints), "CA:FALSE [critical]");
    EXPECT_EQ(ExtensionText(c, NID_key_usage), "Digital Signature, Key Encipherment [critical]");
    EXPECT_EQ(ExtensionText(c, NID_ext_key_usage),
              "TLS Web Server Authentication, TLS Web Client Authentication, IPSec End System");
    EXPECT_FALSE(ExtensionText(c, NID_subject_key_identifier).empty());
    EXPECT_FALSE(ExtensionText(c, NID_authority_key_identifier).empty());
    EXPECT_NEAR(static_cast<double>(c.not_after() - c.not_before()), 1825.0 * 86400 + 300, 5);
    EXPECT_EQ(ExtensionText(c, NID_info_access), "");  // only when configured
    EXPECT_EQ(ExtensionText(c, NID_crl_distribution_points), "");

    auto dir =
        std::filesystem::temp_directory_path() / ("opencapf-lsc-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string ca = capf.certificate.ToPem(), leaf = c.ToPem();
    ASSERT_TRUE(WriteFileAtomic(dir / "capf.pem", Bytes(ca.begin(), ca.end())).ok());
    ASSERT_TRUE(WriteFileAtomic(dir / "lsc.pem", Bytes(leaf.begin(), leaf.end())).ok());
    std::string cmd = "openssl verify -CAfile " + (dir / "capf.pem").string() + " " +
                      (dir / "lsc.pem").string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << spec;
    std::filesystem::remove_all(dir);
  }
}

TEST(Lsc, NamesTheOcspResponderAndTheCrlWhenGiven) {
  auto capf = Capf(3650);
  auto phone = *PrivateKey::Generate({KeyAlgorithm::kEc, 256});
  CertificateProfile tmp;
  tmp.subject = {{"CN", "x"}};
  auto holder = *IssueCertificate(tmp, phone.get(), phone);
  LscRequest request{"SEP001122334455",
                     holder.SubjectPublicKeyInfo(),
                     {},
                     365,
                     0,
                     "http://capf.example.com:2560/",
                     "http://capf.example.com:6970/capf-01.crl"};
  auto lsc = IssueLsc(request, capf.certificate, capf.key);
  ASSERT_TRUE(lsc.ok()) << lsc.message();
  EXPECT_EQ(ExtensionText(lsc->certificate, NID_info_access),
            "OCSP - URI:http://capf.example.com:2560/");
  EXPECT_NE(ExtensionText(lsc->certificate, NID_crl_distribution_points)
                .find("URI:http://capf.example.com:6970/capf-01.crl"),
            std::string::npos);
}

TEST(Lsc, NeverOutlivesTheCapfCertificate) {
  auto capf = Capf(30);
  auto phone = PrivateKey::Generate({KeyAlgorithm::kEc, 256});
  CertificateProfile tmp;
  tmp.subject = {{"CN", "x"}};
  auto holder = IssueCertificate(tmp, phone->get(), *phone);
  auto lsc = IssueLsc({"SEP001122334455", holder->SubjectPublicKeyInfo(), {}, 1825, 0},
                      capf.certificate, capf.key);
  ASSERT_TRUE(lsc.ok()) << lsc.message();
  EXPECT_EQ(lsc->certificate.not_after(), capf.certificate.not_after());
  EXPECT_NE(lsc->note.find("cut to end with the CAPF certificate"), std::string::npos);

  auto late = IssueLsc({"SEP001122334455",
                        holder->SubjectPublicKeyInfo(),
                        {},
                        1825,
                        capf.certificate.not_after() + 10},
                       capf.certificate, capf.key);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.message().find("CAPF certificate expired"), std::string::npos);
}

TEST(Lsc, RefusesKeysItShouldNotCertify) {
  auto capf = Capf(365);
  Bytes junk = {0x30, 0x00};
  auto bad = IssueLsc({"SEP001122334455", junk, {}, 365, 0}, capf.certificate, capf.key);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("SubjectPublicKeyInfo"), std::string::npos);
}

}  // namespace
}  // namespace opencapf::pki
