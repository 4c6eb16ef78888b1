#include "tlv/build.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/file.h"
#include "pki/issuer.h"
#include "tlv/test_util.h"
#include "tlv/verify.h"

namespace opencapf::tlv {
namespace {

using testing::Vector;
using testing::VectorCert;

pki::KeyAndCertificate NewSigner(int bits = 2048, const std::string& cn = "ITLRECOVERY_test") {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}, {"OU", "Lab"}, {"O", "opencapf"}};
  auto signer = pki::SelfSigned({pki::KeyAlgorithm::kRsa, bits}, profile);
  if (!signer.ok()) throw std::runtime_error(signer.message());
  return *signer;
}

std::vector<RecordSpec> VectorRecords() {
  return {{Role::kCcmTftp, VectorCert("itl/ccm.crt"), false, std::nullopt},
          {Role::kCapf, VectorCert("itl/capf.crt"), false, std::nullopt},
          {Role::kTvs, VectorCert("itl/tvs.crt"), false, std::nullopt},
          {Role::kTftp, VectorCert("itl/tftpec.crt"), false, std::nullopt}};
}

// The independent tool's layout, byte for byte: the model built from the same certificates
// and header values, with that tool's signature bytes, serialises to the vector itself.
TEST(Build, SameLayoutAsTheIndependentTool) {
  for (const char* name : {"ITLFile-sha1", "ITLFile-sha512"}) {
    Bytes vector = Vector(std::string("itl/") + name + ".tlv");
    auto parsed = Parse(vector);
    ASSERT_TRUE(parsed.ok());
    pki::Certificate sast = VectorCert("itl/sast.crt");

    TrustList ours;
    ours.header = parsed->header;  // start from theirs, then overwrite every derived field
    ours.header.signer_name = sast.Subject();
    ours.header.issuer_name = sast.Issuer();
    ours.header.serial_number = sast.SerialBytes();
    ours.records.push_back(MakeRecord({Role::kSast, sast, false, std::nullopt}));
    for (const auto& spec : VectorRecords()) ours.records.push_back(MakeRecord(spec));

    auto bytes = Serialize(ours);
    ASSERT_TRUE(bytes.ok()) << bytes.message();
    EXPECT_EQ(bytes->bytes, vector) << name;
  }
}

TEST(Build, BuildParseGivesTheSameModelAndVerifies) {
  auto signer = NewSigner();
  for (auto digest : {pki::Digest::kSha1, pki::Digest::kSha512}) {
    BuildOptions options;
    options.digest = digest;
    options.timestamp = 1795775757;
    auto file = Build(signer.certificate, signer.key, VectorRecords(), options);
    ASSERT_TRUE(file.ok()) << file.message();
    auto list = Parse(*file);
    ASSERT_TRUE(list.ok()) << list.message();
    EXPECT_TRUE(list->warnings.empty());
    auto v = Verify(*file, *list);
    EXPECT_TRUE(v.valid()) << v.reason;
    EXPECT_EQ(v.signer_record, 0u);

    const Header& h = list->header;
    EXPECT_EQ(h.signer_name, "CN=ITLRECOVERY_test,OU=Lab,O=opencapf");
    EXPECT_EQ(h.serial_number, signer.certificate.SerialBytes());
    EXPECT_EQ(h.hash_algorithm, DigestCode(digest));
    EXPECT_EQ((*h.signer_version)[1], digest == pki::Digest::kSha512 ? 1 : 0);
    EXPECT_EQ(h.filename, "ITLFile.tlv");
    EXPECT_EQ(*h.timestamp, 1795775757u);
    EXPECT_EQ(h.header_length % 4, 0);

    ASSERT_EQ(list->records.size(), 5u);
    EXPECT_EQ(*list->records[0].role, 0);
    EXPECT_EQ(*list->records[0].certificate, signer.certificate.der());
    auto specs = VectorRecords();
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Record& r = list->records[i + 1];
      EXPECT_EQ(*r.role, static_cast<std::uint16_t>(specs[i].role));
      EXPECT_EQ(*r.certificate, specs[i].certificate.der());
      EXPECT_EQ(r.subject, specs[i].certificate.Subject());
      EXPECT_EQ(r.public_key, specs[i].certificate.PublicKeyBytes());
    }
    // And the model serialises back to exactly the file.
    EXPECT_EQ(Serialize(*list)->bytes, *file);
  }
}

TEST(Build, HashOnlyRecordsInCucmStyle) {
  auto signer = NewSigner();
  auto specs = VectorRecords();
  specs[1].hash_only = true;  // CAPF
  specs[2].hash_only = true;  // TVS
  auto file = Build(signer.certificate, signer.key, specs, {});
  ASSERT_TRUE(file.ok()) << file.message();
  auto list = Parse(*file);
  ASSERT_TRUE(list.ok()) << list.message();
  const Record& capf = list->records[2];
  EXPECT_FALSE(capf.certificate.has_value());
  EXPECT_EQ(*capf.certificate_hash, specs[1].certificate.Fingerprint(pki::Digest::kSha1));
  EXPECT_EQ(*capf.hash_algorithm, 0);
  EXPECT_TRUE(list->records[1].certificate.has_value());
  EXPECT_TRUE(Verify(*file, *list).valid());
}

TEST(Build, SignerListedAsSastIsNotAddedTwice) {
  auto signer = NewSigner();
  std::vector<RecordSpec> specs = {{Role::kSast, signer.certificate, false, std::nullopt},
                                   {Role::kCapf, VectorCert("itl/capf.crt"), false, std::nullopt}};
  auto list = Parse(*Build(signer.certificate, signer.key, specs, {}));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->records.size(), 2u);
}

TEST(Build, RefusesSignersPhonesCannotUse) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "ec"}};
  auto ec = pki::SelfSigned({pki::KeyAlgorithm::kEc, 256}, profile);
  ASSERT_TRUE(ec.ok());
  auto built = Build(ec->certificate, ec->key, {}, {});
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.message().find("signed with RSA"), std::string::npos);

  auto a = NewSigner(1024, "a");
  auto b = NewSigner(1024, "b");
  auto mismatch = Build(a.certificate, b.key, {}, {});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.message().find("does not belong"), std::string::npos);

  auto odd = NewSigner(3072, "odd");
  auto odd_built = Build(odd.certificate, odd.key, {}, {});
  ASSERT_FALSE(odd_built.ok());
  EXPECT_NE(odd_built.message().find("3072 bits"), std::string::npos);
}

TEST(Build, SignerOf4096BitsUsesModulusIndex3) {
  auto signer = NewSigner(4096, "big");
  auto file = Build(signer.certificate, signer.key, {}, {});
  ASSERT_TRUE(file.ok()) << file.message();
  auto list = Parse(*file);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->header.signature_modulus, 3);
  EXPECT_EQ(list->header.signature.size(), 512u);
  EXPECT_TRUE(Verify(*file, *list).valid());
}

// A second, independent path: the openssl command line checks our signature over the file
// with the SIGNATURE element cut out by head/tail.
TEST(Build, OpensslCommandLineVerifiesOurSignature) {
  auto signer = NewSigner();
  auto dir =
      std::filesystem::temp_directory_path() / ("opencapf-build-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (auto [digest, flag] :
       {std::pair{pki::Digest::kSha1, "-sha1"}, std::pair{pki::Digest::kSha512, "-sha512"}}) {
    BuildOptions options;
    options.digest = digest;
    auto file = Build(signer.certificate, signer.key, VectorRecords(), options);
    ASSERT_TRUE(file.ok());
    auto list = Parse(*file);
    ASSERT_TRUE(list.ok());
    ASSERT_TRUE(WriteFileAtomic(dir / "ITLFile.tlv", *file).ok());
    std::string pem = signer.certificate.ToPem();
    ASSERT_TRUE(WriteFileAtomic(dir / "signer.pem", Bytes(pem.begin(), pem.end())).ok());
    const std::size_t at = list->header.signature_element_offset;
    const std::size_t size = list->header.signature_element_size;
    std::string d = dir.string();
    std::string script = "cd " + d +
                         " && openssl x509 -in signer.pem -pubkey -noout > pub.pem && " +
                         "head -c " + std::to_string(at) + " ITLFile.tlv > body && " + "tail -c +" +
                         std::to_string(at + size + 1) + " ITLFile.tlv >> body && " +
                         "dd if=ITLFile.tlv of=sig bs=1 skip=" + std::to_string(at + 3) +
                         " count=" + std::to_string(size - 3) + " status=none && " +
                         "openssl dgst " + flag + " -verify pub.pem -signature sig body > out 2>&1";
    EXPECT_EQ(std::system(script.c_str()), 0) << script;
    // And a flipped byte in the cut-out body must fail the same check. (Flipped, not set: a
    // set byte may already have that value.)
    auto body = ReadFile(dir / "body");
    ASSERT_TRUE(body.ok());
    (*body)[600] ^= 0xff;
    ASSERT_TRUE(WriteFileAtomic(dir / "body", *body).ok());
    std::string tamper = "cd " + d + " && ! openssl dgst " + std::string(flag) +
                         " -verify pub.pem -signature sig body > out 2>&1";
    EXPECT_EQ(std::system(tamper.c_str()), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace opencapf::tlv
