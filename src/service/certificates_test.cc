// The certificate lifecycle on a data directory: CSR, import and its refusals (nothing changes),
// regenerate keeping the earlier CAPF with its key, and a server that never loads a half state.
#include "service/certificates.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/file.h"
#include "pki/chain.h"
#include "pki/issuer.h"
#include "service/trust_material.h"

namespace opencapf::service {
namespace {

using ::testing::HasSubstr;

class CertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("opencapf-certs-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    dir_ = DataDir(root_);
    ASSERT_TRUE(Init(dir_, {}, clock_).ok());
    pki::CertificateProfile root;
    root.subject = {{"CN", "Test Root CA"}};
    root.ca = true;
    root.key_usage = {"keyCertSign", "cRLSign"};
    root_ca_storage_ = *pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, root);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Every file under certs/ and its bytes: "nothing changed" means this is equal.
  std::map<std::string, Bytes> State() {
    std::map<std::string, Bytes> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.certs())) {
      if (e.is_regular_file()) out[e.path().string()] = *ReadFile(e.path());
    }
    return out;
  }

  // The root CA signs `key` as `name` would need it (CAPF: a subordinate CA).
  std::filesystem::path Sign(const pki::PrivateKey& key, const std::string& cn, bool ca,
                             std::vector<std::string> usage, std::time_t not_before = 0,
                             std::time_t not_after = 0) {
    pki::CertificateProfile p;
    p.subject = {{"CN", cn}};
    p.ca = ca;
    if (ca) p.path_length = 0;
    p.key_usage = std::move(usage);
    p.not_before = not_before ? not_before : clock_.Now() - 60;
    p.not_after = not_after;
    auto cert = pki::IssueCertificate(p, key.get(), root_ca().key, &root_ca().certificate);
    EXPECT_TRUE(cert.ok()) << cert.message();
    const auto path = root_ / (cn + "-" + std::to_string(++files_) + ".pem");
    const std::string pem = cert->ToPem();
    EXPECT_TRUE(WriteFileAtomic(path, Bytes(pem.begin(), pem.end())).ok());
    return path;
  }
  std::filesystem::path RootFile() {
    const auto path = root_ / "root.pem";
    const std::string pem = root_ca().certificate.ToPem();
    EXPECT_TRUE(WriteFileAtomic(path, Bytes(pem.begin(), pem.end())).ok());
    return path;
  }

  FakeClock clock_{std::time(nullptr)};
  std::filesystem::path root_;
  DataDir dir_{"/nonexistent"};
  std::optional<pki::KeyAndCertificate> root_ca_storage_;
  pki::KeyAndCertificate& root_ca() { return *root_ca_storage_; }
  int files_ = 0;
};

TEST_F(CertificatesTest, NamesAreCanonical) {
  EXPECT_EQ(*CanonicalCertificateName("TFTP"), "callmanager");
  EXPECT_EQ(*CanonicalCertificateName("Capf"), "capf");
  auto bad = CanonicalCertificateName("web");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("capf, callmanager (also tftp"));
}

TEST_F(CertificatesTest, CsrFromAPendingKeyThenImportUsesItAndKeepsTheOldCapf) {
  auto csr = MakeCertificateRequest(dir_, "capf", std::nullopt, true, std::nullopt);
  ASSERT_TRUE(csr.ok()) << csr.message();
  ASSERT_TRUE(csr->pending_key);
  struct stat st {};
  ASSERT_EQ(::stat(csr->pending_key->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pending = *pki::PrivateKey::Load(*csr->pending_key);
  auto old = *LoadIdentity(dir_, kCapf);

  const auto signed_file =
      Sign(pending, "CAPF-third", true, {"digitalSignature", "keyCertSign", "cRLSign"});
  auto imported = ImportCertificate(dir_, "capf", signed_file, RootFile(), clock_);
  ASSERT_TRUE(imported.ok()) << imported.message();
  EXPECT_TRUE(imported->used_pending_key);
  ASSERT_EQ(imported->chain.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(*csr->pending_key));
  auto now = LoadIdentity(dir_, kCapf);
  ASSERT_TRUE(now.ok()) << now.message();
  EXPECT_EQ(now->certificate.CommonName(), "CAPF-third");
  auto chain = LoadChain(dir_, kCapf, now->certificate);
  ASSERT_TRUE(chain.ok()) << chain.message();
  EXPECT_EQ(chain->front(), root_ca().certificate);
  auto previous = PreviousCapfs(dir_);
  ASSERT_TRUE(previous.ok());
  ASSERT_EQ(previous->size(), 1u);
  EXPECT_EQ((*previous)[0].certificate, old.certificate);
  ASSERT_TRUE((*previous)[0].key);
  EXPECT_TRUE((*previous)[0].key->Matches(old.certificate));

  // The server's material takes it whole: authority, chain, issuers.
  TrustMaterial material(dir_, Config{}, clock_);
  ASSERT_TRUE(material.Load().ok());
  const auto& authority = material.capf()->authority;
  EXPECT_EQ(authority.certificate, now->certificate);
  ASSERT_EQ(authority.chain.size(), 1u);
  EXPECT_EQ(authority.lsc_issuers.size(), 2u);
}

TEST_F(CertificatesTest, EveryRefusalSaysWhyAndChangesNothing) {
  auto capf = *LoadIdentity(dir_, kCapf);
  auto other = *pki::PrivateKey::Generate({pki::KeyAlgorithm::kRsa, 2048});
  const auto ca_usage = std::vector<std::string>{"digitalSignature", "keyCertSign", "cRLSign"};
  const auto root = RootFile();
  const auto before = State();
  struct Case {
    std::string what;
    std::filesystem::path file;
    std::optional<std::filesystem::path> chain;
    std::string says;
  };
  const std::time_t now = clock_.Now();
  const std::vector<Case> cases = {
      {"wrong key", Sign(other, "CAPF-x", true, ca_usage), root, "is for another key"},
      {"not a CA", Sign(capf.key, "CAPF-x", false, {"digitalSignature"}), root,
       "is not a CA certificate"},
      {"no keyCertSign", Sign(capf.key, "CAPF-x", true, {"digitalSignature"}), root,
       "lacks keyUsage keyCertSign"},
      {"expired", Sign(capf.key, "CAPF-x", true, ca_usage, now - 86400 * 10, now - 86400), root,
       "expired on"},
      {"not yet valid", Sign(capf.key, "CAPF-x", true, ca_usage, now + 86400, now + 86400 * 9),
       root, "is not valid before"},
      {"no chain", Sign(capf.key, "CAPF-x", true, ca_usage), std::nullopt, "no chain was given"},
      {"chain mismatch", Sign(capf.key, "CAPF-x", true, ca_usage), dir_.certificate(kTvs),
       "does not chain to the chain given"},
  };
  for (const auto& c : cases) {
    auto r = ImportCertificate(dir_, "capf", c.file, c.chain, clock_);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_THAT(r.message(), HasSubstr("nothing changed: ")) << c.what;
    EXPECT_THAT(r.message(), HasSubstr(c.says)) << c.what;
    EXPECT_EQ(State(), before) << c.what;
  }
  // ITLRecovery must stay RSA.
  EXPECT_FALSE(MakeCertificateRequest(dir_, "itlrecovery", std::nullopt, true,
                                      pki::KeySpec{pki::KeyAlgorithm::kEc, 256})
                   .ok());
  EXPECT_EQ(State(), before);
}

TEST_F(CertificatesTest, RegenerateKeepsTheOldCapfKeyPrivate) {
  auto old = *LoadIdentity(dir_, kCapf);
  auto fresh = RegenerateCertificate(dir_, "capf", std::nullopt, 365, clock_);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  const auto key = PreviousDir(dir_) / ("capf-" + HexLower(old.certificate.SerialBytes()) + ".key");
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(PreviousDir(dir_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(std::filesystem::exists(UpdateMarkerPath(dir_)));
  EXPECT_FALSE(RegenerateCertificate(dir_, "capf", std::nullopt, 0, clock_).ok());
}

TEST_F(CertificatesTest, TheServerNeverTakesAHalfWrittenImport) {
  TrustMaterial material(dir_, Config{}, clock_);
  ASSERT_TRUE(material.Load().ok());
  auto before = material.capf();
  auto capf = *LoadIdentity(dir_, kCapf);

  // A chain file beside a self-signed certificate (an import half done): refused, old kept.
  const std::string root_pem = root_ca().certificate.ToPem();
  ASSERT_TRUE(
      WriteFileAtomic(ChainPath(dir_, kCapf), Bytes(root_pem.begin(), root_pem.end())).ok());
  auto reloaded = material.ReloadIfChanged();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_THAT(reloaded.message(), HasSubstr("self-signed"));
  EXPECT_EQ(material.capf(), before);

  // A new certificate whose key has not been written yet: refused, old kept.
  auto other = *pki::PrivateKey::Generate({pki::KeyAlgorithm::kRsa, 2048});
  const auto signed_file = Sign(other, "CAPF-new", true, {"keyCertSign", "cRLSign"});
  std::filesystem::copy_file(signed_file, dir_.certificate(kCapf),
                             std::filesystem::copy_options::overwrite_existing);
  reloaded = material.ReloadIfChanged();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_THAT(reloaded.message(), HasSubstr("does not belong to"));
  EXPECT_EQ(material.capf(), before);

  // While a command marks an update in progress, nothing is reloaded at all.
  const std::string other_pem = other.ToPem();
  ASSERT_TRUE(
      WriteFileAtomic(dir_.key(kCapf), Bytes(other_pem.begin(), other_pem.end()), 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(UpdateMarkerPath(dir_), Bytes{'1'}).ok());
  reloaded = material.ReloadIfChanged();
  ASSERT_TRUE(reloaded.ok());
  EXPECT_FALSE(*reloaded);
  EXPECT_EQ(material.capf(), before);

  // Once the files agree and the marker is gone, the whole new state is taken.
  std::filesystem::remove(UpdateMarkerPath(dir_));
  reloaded = material.ReloadIfChanged();
  ASSERT_TRUE(reloaded.ok()) << reloaded.message();
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(material.capf()->authority.certificate.CommonName(), "CAPF-new");
  EXPECT_EQ(material.capf()->authority.chain.size(), 1u);
  (void)capf;
}

}  // namespace
}  // namespace opencapf::service
