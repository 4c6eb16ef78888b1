#include "sgn/encrypted_config.h"

#include <gtest/gtest.h>

#include "pki/issuer.h"
#include "sgn/show.h"

namespace opencapf::sgn {
namespace {

pki::KeyAndCertificate NewKeyPair(pki::KeyAlgorithm algorithm, int bits, const std::string& cn) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}};
  auto made = pki::SelfSigned({algorithm, bits}, profile);
  if (!made.ok()) throw std::runtime_error(made.message());
  return *made;
}

const pki::KeyAndCertificate& Signer() {
  static const auto identity = NewKeyPair(pki::KeyAlgorithm::kRsa, 2048, "tftp");
  return identity;
}
const pki::KeyAndCertificate& Phone() {
  static const auto identity = NewKeyPair(pki::KeyAlgorithm::kRsa, 2048, "SEP001122334455");
  return identity;
}

const std::string kConfig =
    "<device><fullConfig>true</fullConfig><ipAddressMode>0</ipAddressMode>"
    "<loadInformation>sip78xx.14-2-1</loadInformation><capfAuthMode>3</capfAuthMode>"
    "<capfList><capf><phonePort>3804</phonePort><processNodeName>capf.example</processNodeName>"
    "</capf></capfList><sipLines><line><authName>1001</authName><authPassword>s3cret"
    "</authPassword></line></sipLines></device>";

Bytes Encrypted(const std::string& config = kConfig, pki::Digest digest = pki::Digest::kSha1) {
  auto file =
      EncryptConfig(Signer().certificate, Signer().key, BytesOf(config), Phone().certificate,
                    {digest, "SEP001122334455.cnf.xml.enc.sgn", 1700000000});
  if (!file.ok()) throw std::runtime_error(file.message());
  return *file;
}

TEST(EncryptedConfig, ThePhoneDecryptsWhatWasEncryptedToIt) {
  for (auto digest : {pki::Digest::kSha1, pki::Digest::kSha512}) {
    // Every padding length: 0 to 15 '\r' bytes.
    for (std::size_t extra = 0; extra < 16; ++extra) {
      const std::string config = kConfig + std::string(extra, ' ');
      const Bytes file = Encrypted(config, digest);
      auto parsed = Parse(file);
      ASSERT_TRUE(parsed.ok()) << parsed.message();
      ASSERT_TRUE(parsed->encrypted());
      EXPECT_EQ(parsed->header.version_major, 2);
      EXPECT_EQ(parsed->header.version_minor, 0);
      EXPECT_TRUE(parsed->warnings.empty()) << parsed->warnings.front();
      EXPECT_EQ(parsed->encryption->padding, (16 - config.size() % 16) % 16);
      EXPECT_EQ(parsed->encryption->encrypted_key.size(), 256u);
      EXPECT_TRUE(Verify(file, *parsed, Signer().certificate).valid());
      auto plain = DecryptConfig(file, *parsed, Phone().key);
      ASSERT_TRUE(plain.ok()) << plain.message();
      EXPECT_EQ(std::string(plain->begin(), plain->end()), config);
    }
  }
}

TEST(EncryptedConfig, WithASharedSecretEveryNodeMakesTheSameBytes) {
  const Bytes secret(32, 0x5a), other(32, 0xa5);
  auto make = [&](const Bytes* with) {
    auto file =
        EncryptConfig(Signer().certificate, Signer().key, BytesOf(kConfig), Phone().certificate,
                      {pki::Digest::kSha1, "SEP001122334455.cnf.xml.enc.sgn", 1700000000}, with);
    if (!file.ok()) throw std::runtime_error(file.message());
    return *file;
  };
  const Bytes a = make(&secret), b = make(&secret);
  EXPECT_EQ(a, b);
  EXPECT_NE(make(&other), a);
  EXPECT_NE(make(nullptr), make(nullptr)) << "without one, a fresh key and IV every time";
  // Any PKCS#1 v1.5 decryption opens it: the padding is the standard's, only not random.
  auto parsed = Parse(a);
  ASSERT_TRUE(parsed.ok());
  auto plain = DecryptConfig(a, *parsed, Phone().key);
  ASSERT_TRUE(plain.ok()) << plain.message();
  EXPECT_EQ(std::string(plain->begin(), plain->end()), kConfig);
  // Another configuration: another key and IV.
  auto changed =
      EncryptConfig(Signer().certificate, Signer().key, BytesOf(kConfig + " "), Phone().certificate,
                    {pki::Digest::kSha1, "SEP001122334455.cnf.xml.enc.sgn", 1700000000}, &secret);
  ASSERT_TRUE(changed.ok());
  auto changed_parsed = Parse(*changed);
  ASSERT_TRUE(changed_parsed.ok());
  EXPECT_NE(changed_parsed->encryption->iv, parsed->encryption->iv);
}

TEST(EncryptedConfig, TheSecretsAreNotInTheFile) {
  const Bytes file = Encrypted();
  const std::string text(file.begin(), file.end());
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(text.find("authName"), std::string::npos);
}

TEST(EncryptedConfig, AnotherPhonesKeyDoesNotOpenIt) {
  const Bytes file = Encrypted();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  auto other = NewKeyPair(pki::KeyAlgorithm::kRsa, 2048, "SEP00AABBCCDDEE");
  auto plain = DecryptConfig(file, *parsed, other.key);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.message().find("another certificate"), std::string::npos) << plain.message();
}

TEST(EncryptedConfig, ATamperedBodyIsCaughtByTheSignatureAndTheDigest) {
  Bytes file = Encrypted();
  file[file.size() - 20] ^= 0x40;
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(Verify(file, *parsed, Signer().certificate).valid());
  auto plain = DecryptConfig(file, *parsed, Phone().key);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.message().find("ENCRYPTION_HASH"), std::string::npos) << plain.message();
}

TEST(EncryptedConfig, EcCertificatesCannotBeEncryptedTo) {
  auto ec = NewKeyPair(pki::KeyAlgorithm::kEc, 256, "SEP001122334455");
  EXPECT_NE(EncryptionProblem(ec.certificate).find("RSA"), std::string::npos);
  EXPECT_EQ(EncryptionProblem(Phone().certificate), "");
  auto file = EncryptConfig(Signer().certificate, Signer().key, BytesOf(kConfig), ec.certificate,
                            {pki::Digest::kSha1, "x.enc.sgn", {}});
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.message().find("needs an RSA key"), std::string::npos) << file.message();
}

TEST(EncryptedConfig, IncompleteEncryptionElementsAreMalformed) {
  const Bytes file = Encrypted();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  // A body cut by one block is no longer a whole number of blocks plus the header: refused.
  Bytes cut(file.begin(), file.end() - 3);
  EXPECT_FALSE(Parse(cut).ok());
  // Every cut inside the header fails cleanly.
  for (std::size_t n = 0; n < parsed->header.header_length; ++n) {
    EXPECT_FALSE(Parse(ByteView(file.data(), n)).ok()) << n;
  }
}

TEST(EncryptedConfig, EachMissingOrWrongSizedElementIsMalformed) {
  const Bytes file = Encrypted();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  const ByteView body = Body(file, *parsed);
  // The header again, without one encryption element or with one of the wrong size.
  auto rebuilt = [&](std::uint8_t drop, std::uint8_t resize_tag) {
    tlv::Header h = parsed->header;
    h.unknown.clear();
    const EncryptionInfo& e = *parsed->encryption;
    auto element = [](std::uint8_t tag, const Bytes& value) {
      Bytes out = {tag, static_cast<std::uint8_t>(value.size() >> 8),
                   static_cast<std::uint8_t>(value.size())};
      out.insert(out.end(), value.begin(), value.end());
      return out;
    };
    auto sized = [&](std::uint8_t tag, Bytes value) {
      if (tag == resize_tag) value.push_back(0);
      return tag == drop ? Bytes{} : element(tag, value);
    };
    Bytes iv_info, key_info;
    for (const Bytes& part : {sized(kIvReserved, {0}), sized(kIv, e.iv),
                              sized(kBodyPadding, {0, static_cast<std::uint8_t>(e.padding)})}) {
      iv_info.insert(iv_info.end(), part.begin(), part.end());
    }
    for (const Bytes& part : {sized(kKeyReserved, {0}), sized(kKeySize, {0, 128}),
                              sized(kKeyAlgorithm, {1}), sized(kEncryptedKey, e.encrypted_key)}) {
      key_info.insert(key_info.end(), part.begin(), part.end());
    }
    Bytes info = element(kIvInfo, iv_info);
    const Bytes keys = element(kKeyInfo, key_info);
    info.insert(info.end(), keys.begin(), keys.end());
    h.unknown.push_back({kEncryptionInfo, 0, info});
    if (drop != kEncryptionHashAlgorithm) {
      h.unknown.push_back({kEncryptionHashAlgorithm, 0,
                           resize_tag == kEncryptionHashAlgorithm ? Bytes{1, 0} : Bytes{1}});
    }
    if (drop != kEncryptionHash) h.unknown.push_back({kEncryptionHash, 0, e.hash});
    auto bytes = SignWithHeader(h, Signer().key, pki::Digest::kSha1, body);
    if (!bytes.ok()) throw std::runtime_error(bytes.message());
    return *bytes;
  };
  EXPECT_TRUE(Parse(rebuilt(0, 0)).ok()) << "the rebuilt file itself must parse";
  for (std::uint8_t missing : {kIv, kEncryptedKey, kEncryptionHashAlgorithm, kEncryptionHash}) {
    auto p = Parse(rebuilt(missing, 0));
    EXPECT_FALSE(p.ok()) << "without tag " << int(missing);
    if (!p.ok()) {
      EXPECT_NE(p.message().find("lacks"), std::string::npos) << p.message();
    }
  }
  for (std::uint8_t wrong :
       {kIv, kBodyPadding, kKeySize, kKeyAlgorithm, kEncryptionHashAlgorithm}) {
    auto p = Parse(rebuilt(0, wrong));
    EXPECT_FALSE(p.ok()) << "tag " << int(wrong) << " one byte long";
    if (!p.ok()) {
      EXPECT_NE(p.message().find("has length"), std::string::npos) << p.message();
    }
  }
}

TEST(EncryptedConfig, ShowListsTheEncryption) {
  const Bytes file = Encrypted();
  auto parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  const std::string text = RenderShow(file, *parsed, std::nullopt);
  EXPECT_NE(text.find("Version: 2.0"), std::string::npos) << text;
  EXPECT_NE(text.find("AES-128-CBC"), std::string::npos) << text;
  EXPECT_NE(text.find("not checked"), std::string::npos) << text;
  EXPECT_EQ(text.find("UNKNOWN"), std::string::npos) << text;
  EXPECT_EQ(ToJson(file, *parsed, std::nullopt)["encryption"]["padding"],
            parsed->encryption->padding);
}

TEST(EncryptedConfig, PointerConfigCarriesOnlyWhatThePhoneNeedsFirst) {
  auto pointer = PointerConfig(BytesOf(kConfig), Phone().certificate);
  ASSERT_TRUE(pointer.ok()) << pointer.message();
  EXPECT_NE(pointer->find("<fullConfig>false</fullConfig>"), std::string::npos) << *pointer;
  EXPECT_NE(pointer->find("<encrConfig>true</encrConfig>"), std::string::npos) << *pointer;
  EXPECT_NE(pointer->find("<certHash>" + CertHash(Phone().certificate) + "</certHash>"),
            std::string::npos)
      << *pointer;
  EXPECT_NE(pointer->find("<processNodeName>capf.example</processNodeName>"), std::string::npos);
  EXPECT_NE(pointer->find("<loadInformation>sip78xx.14-2-1</loadInformation>"), std::string::npos);
  EXPECT_EQ(pointer->find("s3cret"), std::string::npos);
  EXPECT_EQ(pointer->find("sipLines"), std::string::npos);
  EXPECT_EQ(CertHash(Phone().certificate).size(), 32u);
  EXPECT_FALSE(PointerConfig(BytesOf("<device>"), Phone().certificate).ok());
}

}  // namespace
}  // namespace opencapf::sgn
