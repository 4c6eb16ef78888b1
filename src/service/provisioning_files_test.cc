#include "service/provisioning_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pki/issuer.h"
#include "sgn/encrypted_config.h"
#include "sgn/signed_file.h"

namespace opencapf::service {
namespace {

std::shared_ptr<const Identity> NewSigner(const std::string& cn,
                                          pki::KeyAlgorithm algorithm = pki::KeyAlgorithm::kRsa) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}};
  auto made =
      pki::SelfSigned({algorithm, algorithm == pki::KeyAlgorithm::kRsa ? 2048 : 256}, profile);
  if (!made.ok()) throw std::runtime_error(made.message());
  return std::make_shared<const Identity>(Identity{made->certificate, made->key});
}

class ProvisioningFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outside_ =
        std::filesystem::temp_directory_path() / ("opencapf-prov-" + std::to_string(getpid()));
    std::filesystem::remove_all(outside_);
    root_ = outside_ / "tftp";
    std::filesystem::create_directories(root_);
    signer_ = NewSigner("tftp.example");
    files_ = std::make_shared<ProvisioningFiles>(
        std::make_shared<tftp::DirectorySource>(root_), [this] { return signer_; },
        pki::Digest::kSha1);
  }
  void TearDown() override { std::filesystem::remove_all(outside_); }

  void Write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  std::filesystem::path outside_, root_;
  std::shared_ptr<const Identity> signer_;
  std::shared_ptr<ProvisioningFiles> files_;
};

TEST_F(ProvisioningFilesTest, SignsANameOnDemandWithTheTftpCertificate) {
  Write(root_ / "SEP001122334455.cnf.xml", "<device/>");
  auto lookup = files_->Open("SEP001122334455.cnf.xml.sgn");
  ASSERT_TRUE(lookup.ok()) << lookup.message;
  auto parsed = sgn::Parse(*lookup.bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_TRUE(sgn::Verify(*lookup.bytes, *parsed, signer_->certificate).valid());
  EXPECT_EQ(parsed->header.filename, "SEP001122334455.cnf.xml.sgn");
  const auto mtime = std::filesystem::last_write_time(root_ / "SEP001122334455.cnf.xml");
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::file_clock::to_sys(mtime).time_since_epoch());
  EXPECT_EQ(parsed->header.timestamp, static_cast<std::uint32_t>(seconds.count()));
  const ByteView body = sgn::Body(*lookup.bytes, *parsed);
  EXPECT_EQ(std::string(body.begin(), body.end()), "<device/>");
  // The plain file is still served as it is.
  auto plain = files_->Open("SEP001122334455.cnf.xml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(std::string(plain.bytes->begin(), plain.bytes->end()), "<device/>");
}

TEST_F(ProvisioningFilesTest, KeepsTheSignedCopyUntilTheFileOrTheSignerChanges) {
  Write(root_ / "a.xml", "one");
  auto first = files_->Open("a.xml.sgn");
  auto again = files_->Open("a.xml.sgn");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first.bytes, again.bytes);  // the same snapshot, not signed twice
  EXPECT_EQ(files_->signatures_made(), 1u);

  Write(root_ / "a.xml", "two");
  auto changed = files_->Open("a.xml.sgn");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(files_->signatures_made(), 2u);
  auto parsed = sgn::Parse(*changed.bytes);
  ASSERT_TRUE(parsed.ok());
  const ByteView body = sgn::Body(*changed.bytes, *parsed);
  EXPECT_EQ(std::string(body.begin(), body.end()), "two");

  const auto old_signer = signer_;
  signer_ = NewSigner("tftp-new.example");
  auto resigned = files_->Open("a.xml.sgn");
  ASSERT_TRUE(resigned.ok());
  EXPECT_EQ(files_->signatures_made(), 3u);
  parsed = sgn::Parse(*resigned.bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(sgn::Verify(*resigned.bytes, *parsed, signer_->certificate).valid());
  EXPECT_FALSE(sgn::Verify(*resigned.bytes, *parsed, old_signer->certificate).valid());
}

TEST_F(ProvisioningFilesTest, AnAdministratorsSignedFileIsServedAsItIs) {
  Write(root_ / "b.xml", "mine");
  Write(root_ / "b.xml.sgn", "signed by hand");
  auto lookup = files_->Open("b.xml.sgn");
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(std::string(lookup.bytes->begin(), lookup.bytes->end()), "signed by hand");
  EXPECT_EQ(files_->signatures_made(), 0u);
}

TEST_F(ProvisioningFilesTest, RefusalsStayRefusals) {
  Write(outside_ / "secret.xml", "outside the root");
  std::filesystem::create_symlink(outside_ / "secret.xml", root_ / "escape.xml");
  auto escape = files_->Open("escape.xml.sgn");
  EXPECT_EQ(escape.error, tftp::FileError::kAccessViolation) << escape.message;
  auto dotdot = files_->Open("../secret.xml.sgn");
  EXPECT_EQ(dotdot.error, tftp::FileError::kAccessViolation) << dotdot.message;
  auto missing = files_->Open("nothing.xml.sgn");
  EXPECT_EQ(missing.error, tftp::FileError::kNotFound);
  EXPECT_NE(missing.message.find("nothing.xml.sgn"), std::string::npos) << missing.message;
  auto bare = files_->Open(".sgn");
  EXPECT_FALSE(bare.ok());
  EXPECT_EQ(files_->signatures_made(), 0u);
}

TEST_F(ProvisioningFilesTest, OneCopyPerFileWhateverTheNameLooksLike) {
  Write(root_ / "a.xml", "one");
  for (const char* name : {"a.xml.sgn", "./a.xml.sgn", ".//a.xml.sgn", "././a.xml.sgn"}) {
    auto lookup = files_->Open(name);
    ASSERT_TRUE(lookup.ok()) << name << ": " << lookup.message;
    auto parsed = sgn::Parse(*lookup.bytes);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->header.filename, "a.xml.sgn") << name;
  }
  EXPECT_EQ(files_->signatures_made(), 1u);
  EXPECT_FALSE(files_->Open("a.xml/.sgn").ok());
}

TEST_F(ProvisioningFilesTest, LargeFilesAreNotSignedOnDemand) {
  Write(root_ / "image.zz", std::string(ProvisioningFiles::kMaxSignedSize + 1, 'z'));
  auto lookup = files_->Open("image.zz.sgn");
  EXPECT_EQ(lookup.error, tftp::FileError::kUnavailable);
  EXPECT_NE(lookup.message.find("too large to be signed on demand"), std::string::npos);
  EXPECT_TRUE(files_->Open("image.zz").ok());
}

TEST_F(ProvisioningFilesTest, ANewSignerMakesANewLastModified) {
  Write(root_ / "a.xml", "one");
  std::filesystem::last_write_time(
      root_ / "a.xml", std::filesystem::file_time_type::clock::now() - std::chrono::hours(48));
  auto first = files_->Open("a.xml.sgn");
  ASSERT_TRUE(first.ok());
  EXPECT_GE(first.modified, std::time(nullptr) - 60) << "a new copy is not older than now";
}

TEST_F(ProvisioningFilesTest, WithoutASignerTheFileIsUnavailable) {
  Write(root_ / "c.xml", "x");
  signer_ = nullptr;
  auto lookup = files_->Open("c.xml.sgn");
  EXPECT_EQ(lookup.error, tftp::FileError::kUnavailable);
}

class EncryptedConfigTest : public ProvisioningFilesTest {
 protected:
  static constexpr const char* kFull =
      "<device><capfAuthMode>3</capfAuthMode><sipLines><line><authPassword>s3cret</authPassword>"
      "</line></sipLines></device>";

  void SetUp() override {
    ProvisioningFilesTest::SetUp();
    phone_ = NewSigner("SEP001122334455");
    Write(root_ / "SEP001122334455.cnf.xml", kFull);
    // What the administrator might have left in the root: a plain signed full configuration.
    Write(root_ / "SEP001122334455.cnf.xml.sgn", kFull);
    Encrypt(phone_);
  }
  void Encrypt(const std::shared_ptr<const Identity>& to) {
    auto set = std::make_shared<EncryptedDevices>();
    (*set)["SEP001122334455"] = EncryptedDevice{to ? std::optional(to->certificate) : std::nullopt,
                                                to ? "" : "no LSC or MIC yet"};
    files_->SetEncryptedDevices(set);
  }
  Bytes Decrypted(const tftp::FileLookup& lookup, const pki::PrivateKey& key) {
    auto parsed = sgn::Parse(*lookup.bytes);
    if (!parsed.ok()) return {};
    auto plain = sgn::DecryptConfig(*lookup.bytes, *parsed, key);
    return plain.ok() ? *plain : Bytes{};
  }
  static bool Holds(const tftp::FileLookup& lookup, const std::string& text) {
    return lookup.ok() &&
           std::string(lookup.bytes->begin(), lookup.bytes->end()).find(text) != std::string::npos;
  }

  std::shared_ptr<const Identity> phone_;
};

TEST_F(EncryptedConfigTest, ThePlainConfigurationIsNeverServed) {
  for (const char* name :
       {"SEP001122334455.cnf.xml", "sep001122334455.cnf.xml", "./SEP001122334455.cnf.xml",
        "SEP001122334455.cnf.xml/.", ".//SEP001122334455.CNF.XML"}) {
    auto lookup = files_->Open(name);
    EXPECT_EQ(lookup.error, tftp::FileError::kAccessViolation) << name;
    EXPECT_FALSE(Holds(lookup, "s3cret")) << name;
  }
  // Another name that leads to it: refused too.
  std::filesystem::create_symlink("SEP001122334455.cnf.xml", root_ / "alias.xml");
  EXPECT_EQ(files_->Open("alias.xml").error, tftp::FileError::kAccessViolation);
  EXPECT_EQ(files_->Open("alias.xml.sgn").error, tftp::FileError::kAccessViolation);
  // Other phones' files are served as before.
  Write(root_ / "SEP00AABBCCDDEE.cnf.xml", "<device/>");
  EXPECT_TRUE(files_->Open("SEP00AABBCCDDEE.cnf.xml").ok());
  EXPECT_TRUE(files_->Open("SEP00AABBCCDDEE.cnf.xml.sgn").ok());
}

TEST_F(EncryptedConfigTest, EveryOtherFileOfThePhoneAndEveryNameForItIsRefused) {
  Write(root_ / "SEP001122334455.cnf.xml.bak", kFull);
  Write(root_ / "sep001122334455.old", kFull);
  for (const char* name :
       {"SEP001122334455.cnf.xml.bak", "sep001122334455.old", "SEP001122334455.cnf.xml.bak.sgn",
        "SEP001122334455.CNF.XML.SGN.", "SEP001122334455.cnf.xml/.sgn"}) {
    auto lookup = files_->Open(name);
    EXPECT_FALSE(lookup.ok()) << name;
    EXPECT_FALSE(Holds(lookup, "s3cret")) << name;
  }
  // The names a phone asks, in other spellings: made, never the plain file.
  for (const char* name : {"SEP001122334455.CNF.XML.SGN", "./SEP001122334455.cnf.xml.enc.sgn/.",
                           "sep001122334455.cnf.xml.enc.sgn"}) {
    auto lookup = files_->Open(name);
    ASSERT_TRUE(lookup.ok()) << name << ": " << lookup.message;
    EXPECT_FALSE(Holds(lookup, "s3cret")) << name;
  }
}

// Found by request_sequence_fuzz: "SEP….d//x.xml.SGN" signed and served a copy of the plain
// configuration kept in a directory named for the phone.
TEST_F(EncryptedConfigTest, FilesInADirectoryOfThePhoneAreRefusedByEveryName) {
  std::filesystem::create_directories(root_ / "SEP001122334455.d" / "old");
  Write(root_ / "SEP001122334455.d" / "x.xml", kFull);
  Write(root_ / "SEP001122334455.d" / "old" / "y.xml", kFull);
  std::filesystem::create_symlink("SEP001122334455.d", root_ / "backups");
  std::filesystem::create_symlink("SEP001122334455.d/x.xml", root_ / "x.xml");
  for (const char* name : {"SEP001122334455.d/x.xml", "SEP001122334455.d//x.xml.SGN",
                           "./SEP001122334455.d/./x.xml", "SEP001122334455.d/old/y.xml.sgn",
                           "backups/x.xml", "backups/old/y.xml.sgn", "x.xml", "x.xml.sgn"}) {
    auto lookup = files_->Open(name);
    EXPECT_EQ(lookup.error, tftp::FileError::kAccessViolation) << name << ": " << lookup.message;
    EXPECT_FALSE(Holds(lookup, "s3cret")) << name;
  }
  // Another phone's directory is served as before.
  std::filesystem::create_directories(root_ / "SEP00AABBCCDDEE.d");
  Write(root_ / "SEP00AABBCCDDEE.d" / "x.xml", "<device/>");
  EXPECT_TRUE(files_->Open("SEP00AABBCCDDEE.d/x.xml").ok());
  EXPECT_TRUE(files_->Open("SEP00AABBCCDDEE.d/x.xml.sgn").ok());
}

TEST_F(EncryptedConfigTest, AConfigurationWithAnotherNameIsNotServedAtAll) {
  // A symbolic link: the target could be asked for by its own name, so the phone gets nothing.
  std::filesystem::create_directories(root_ / "real");
  Write(root_ / "real" / "p1.xml", kFull);
  std::filesystem::remove(root_ / "SEP001122334455.cnf.xml");
  std::filesystem::create_symlink("real/p1.xml", root_ / "SEP001122334455.cnf.xml");
  EXPECT_EQ(files_->Open("SEP001122334455.cnf.xml.enc.sgn").error,
            tftp::FileError::kAccessViolation);
  EXPECT_EQ(files_->Open("SEP001122334455.cnf.xml.sgn").error, tftp::FileError::kAccessViolation);
  // A hard link: the same.
  std::filesystem::remove(root_ / "SEP001122334455.cnf.xml");
  Write(root_ / "SEP001122334455.cnf.xml", kFull);
  std::filesystem::create_hard_link(root_ / "SEP001122334455.cnf.xml", root_ / "other.xml");
  EXPECT_EQ(files_->Open("SEP001122334455.cnf.xml.enc.sgn").error,
            tftp::FileError::kAccessViolation);
  std::filesystem::remove(root_ / "other.xml");
  EXPECT_TRUE(files_->Open("SEP001122334455.cnf.xml.enc.sgn").ok());
}

TEST_F(EncryptedConfigTest, TheSgnIsThePointerAndTheEncSgnOpensWithThePhonesKeyOnly) {
  auto pointer = files_->Open("SEP001122334455.cnf.xml.sgn");
  ASSERT_TRUE(pointer.ok()) << pointer.message;
  EXPECT_FALSE(Holds(pointer, "s3cret"));  // not the administrator's plain .sgn
  EXPECT_TRUE(Holds(pointer, "<certHash>" + sgn::CertHash(phone_->certificate) + "</certHash>"));
  EXPECT_TRUE(Holds(pointer, "<encrConfig>true</encrConfig>"));
  auto parsed = sgn::Parse(*pointer.bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(sgn::Verify(*pointer.bytes, *parsed, signer_->certificate).valid());

  auto encrypted = files_->Open("SEP001122334455.cnf.xml.enc.sgn");
  ASSERT_TRUE(encrypted.ok()) << encrypted.message;
  EXPECT_FALSE(Holds(encrypted, "s3cret"));
  const Bytes plain = Decrypted(encrypted, phone_->key);
  EXPECT_EQ(std::string(plain.begin(), plain.end()), kFull);
  EXPECT_TRUE(Decrypted(encrypted, NewSigner("SEP00AABBCCDDEE")->key).empty());
  // Asked again (a TFTP retransmission, HTTP after TFTP): the same bytes.
  EXPECT_EQ(files_->Open("SEP001122334455.cnf.xml.enc.sgn").bytes, encrypted.bytes);
}

TEST_F(EncryptedConfigTest, ANewLscOrANewConfigurationMakesNewFiles) {
  auto before = files_->Open("SEP001122334455.cnf.xml.enc.sgn");
  ASSERT_TRUE(before.ok());
  auto upgraded = NewSigner("SEP001122334455");
  Encrypt(upgraded);
  auto after = files_->Open("SEP001122334455.cnf.xml.enc.sgn");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(Decrypted(after, phone_->key).empty()) << "the replaced key still opens it";
  EXPECT_EQ(Decrypted(after, upgraded->key), BytesOf(kFull));
  EXPECT_TRUE(Holds(files_->Open("SEP001122334455.cnf.xml.sgn"),
                    "<certHash>" + sgn::CertHash(upgraded->certificate)));

  Write(root_ / "SEP001122334455.cnf.xml", "<device><changed/></device>");
  EXPECT_EQ(Decrypted(files_->Open("SEP001122334455.cnf.xml.enc.sgn"), upgraded->key),
            BytesOf("<device><changed/></device>"));
}

TEST_F(EncryptedConfigTest, WithoutACertificateNothingOfTheConfigurationIsServed) {
  Encrypt(nullptr);
  for (const char* name : {"SEP001122334455.cnf.xml", "SEP001122334455.cnf.xml.sgn",
                           "SEP001122334455.cnf.xml.enc.sgn"}) {
    auto lookup = files_->Open(name);
    EXPECT_EQ(lookup.error, tftp::FileError::kAccessViolation) << name;
    EXPECT_NE(lookup.message.find("cannot be encrypted: no LSC or MIC yet"), std::string::npos)
        << lookup.message;
  }
}

TEST_F(EncryptedConfigTest, AnEcCertificateIsNotEncryptedToAndNothingLeaks) {
  Encrypt(NewSigner("SEP001122334455", pki::KeyAlgorithm::kEc));
  auto lookup = files_->Open("SEP001122334455.cnf.xml.enc.sgn");
  EXPECT_EQ(lookup.error, tftp::FileError::kUnavailable);
  EXPECT_FALSE(Holds(files_->Open("SEP001122334455.cnf.xml"), "s3cret"));
}

TEST_F(EncryptedConfigTest, OffAgainTheRootsFilesAreServedAsBefore) {
  files_->SetEncryptedDevices(nullptr);
  EXPECT_TRUE(Holds(files_->Open("SEP001122334455.cnf.xml"), "s3cret"));
}

}  // namespace
}  // namespace opencapf::service
