#include "sgn/encrypted_config.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <optional>
#include <pugixml.hpp>
#include <sstream>

#include "pki/digest.h"
#include "pki/openssl_ptr.h"

namespace opencapf::sgn {

namespace {

constexpr std::size_t kAesBlock = 16;
constexpr std::size_t kAesKeyBytes = 16;

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, pki::OpenSslDeleter<EVP_CIPHER_CTX_free>>;

// AES-128-CBC without padding: the format pads with '\r' itself, to whole blocks.
Result<Bytes> AesCbc(bool encrypt, ByteView key, ByteView iv, ByteView in) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(),
                                encrypt ? 1 : 0) != 1) {
    return Fail("AES-128-CBC: " + pki::OpenSslErrors());
  }
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(in.size() + kAesBlock);
  int written = 0, last = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) !=
          1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + written, &last) != 1) {
    return Fail("AES-128-CBC: " + pki::OpenSslErrors());
  }
  out.resize(static_cast<std::size_t>(written + last));
  return out;
}

Result<Bytes> RsaPkcs1(bool encrypt, EVP_PKEY* key, ByteView in) {
  pki::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx ||
      (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return Fail("RSA PKCS#1 v1.5: " + pki::OpenSslErrors());
  }
  // OpenSSL 3.2 and later answer a wrong key with a random "key" instead of an error (implicit
  // rejection); a phone's check wants the error. Older versions do not know the setting.
  if (!encrypt) (void)EVP_PKEY_CTX_ctrl_str(ctx.get(), "rsa_pkcs1_implicit_rejection", "0");
  ERR_clear_error();
  std::size_t size = 0;
  auto run = [&](unsigned char* out, std::size_t* out_size) {
    return encrypt ? EVP_PKEY_encrypt(ctx.get(), out, out_size, in.data(), in.size())
                   : EVP_PKEY_decrypt(ctx.get(), out, out_size, in.data(), in.size());
  };
  if (run(nullptr, &size) != 1) return Fail("RSA PKCS#1 v1.5: " + pki::OpenSslErrors());
  Bytes out(size);
  if (run(out.data(), &size) != 1) return Fail("RSA PKCS#1 v1.5: " + pki::OpenSslErrors());
  out.resize(size);
  return out;
}

// HMAC-SHA256 in counter mode: as many bytes as asked, from a secret and a seed.
class DerivedBytes {
 public:
  DerivedBytes(const Bytes& secret, Bytes seed) : secret_(secret), seed_(std::move(seed)) {}
  Bytes Take(std::size_t n) {
    Bytes out;
    while (out.size() < n) {
      if (at_ == block_.size()) Refill();
      const std::size_t take = std::min(n - out.size(), block_.size() - at_);
      out.insert(out.end(), block_.begin() + static_cast<std::ptrdiff_t>(at_),
                 block_.begin() + static_cast<std::ptrdiff_t>(at_ + take));
      at_ += take;
    }
    return out;
  }
  /// n bytes none of which is zero (PKCS#1 v1.5 type 2 padding).
  Bytes NonZero(std::size_t n) {
    Bytes out;
    while (out.size() < n) {
      const Bytes b = Take(1);
      if (b[0] != 0) out.push_back(b[0]);
    }
    return out;
  }

 private:
  void Refill() {
    Bytes input = seed_;
    for (int shift = 24; shift >= 0; shift -= 8) {
      input.push_back(static_cast<std::uint8_t>(counter_ >> shift));
    }
    ++counter_;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), input.data(), input.size(),
         mac, &length);
    block_.assign(mac, mac + length);
    at_ = 0;
  }
  const Bytes& secret_;
  Bytes seed_;
  std::uint32_t counter_ = 0;
  Bytes block_;
  std::size_t at_ = 0;
};

// RSA PKCS#1 v1.5 type 2 (RFC 8017 §7.2.1) with padding bytes given rather than random:
// EM = 00 02 PS 00 M, then the raw RSA operation. Any PKCS#1 v1.5 decryption opens it.
Result<Bytes> RsaPkcs1WithPadding(EVP_PKEY* key, ByteView message, DerivedBytes& derived) {
  const int bits = EVP_PKEY_get_bits(key);
  const std::size_t k = static_cast<std::size_t>((bits + 7) / 8);
  if (message.size() + 11 > k) return Fail("the AES key does not fit the phone's RSA key");
  Bytes em = {0x00, 0x02};
  const Bytes ps = derived.NonZero(k - 3 - message.size());
  em.insert(em.end(), ps.begin(), ps.end());
  em.push_back(0x00);
  em.insert(em.end(), message.begin(), message.end());
  pki::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &size, em.data(), em.size()) != 1) {
    return Fail("RSA: " + pki::OpenSslErrors());
  }
  Bytes out(size);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &size, em.data(), em.size()) != 1) {
    return Fail("RSA: " + pki::OpenSslErrors());
  }
  out.resize(size);
  return out;
}

Bytes Element(std::uint8_t tag, ByteView value) {
  ByteWriter w;
  w.U8(tag);
  w.U16(static_cast<std::uint16_t>(value.size()));
  w.Append(value);
  return std::move(w).Take();
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes U16Bytes(std::uint16_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

}  // namespace

std::string EncryptionProblem(const pki::Certificate& device_certificate) {
  if (device_certificate.key_algorithm() == pki::KeyAlgorithm::kRsa) return "";
  return "its certificate (" + device_certificate.Subject() + ") has an " +
         pki::KeyAlgorithmName(device_certificate.key_algorithm()) +
         " key: an encrypted configuration needs an RSA key (schedule an LSC upgrade with key "
         "order RSA Only)";
}

Result<Bytes> EncryptConfig(const pki::Certificate& signer, const pki::PrivateKey& signer_key,
                            ByteView config, const pki::Certificate& device_certificate,
                            const SignOptions& options, const Bytes* same_bytes_secret) {
  if (auto problem = EncryptionProblem(device_certificate); !problem.empty()) {
    return Fail("cannot encrypt to " + device_certificate.Subject() + ": " + problem);
  }
  auto header = SignedHeader(signer, signer_key, options);
  if (!header.ok()) return header.error();

  Bytes aes_key(kAesKeyBytes), iv(kAesBlock);
  std::optional<DerivedBytes> derived;
  if (same_bytes_secret) {
    Bytes seed = BytesOf("opencapf enc.sgn v1");
    for (const Bytes& part :
         {pki::Sha256(config), pki::Sha256(device_certificate.der()), pki::Sha256(signer.der())}) {
      seed.insert(seed.end(), part.begin(), part.end());
    }
    derived.emplace(*same_bytes_secret, std::move(seed));
    aes_key = derived->Take(kAesKeyBytes);
    iv = derived->Take(kAesBlock);
  } else if (RAND_bytes(aes_key.data(), static_cast<int>(aes_key.size())) != 1 ||
             RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) {
    return Fail("no random bytes for the AES key: " + pki::OpenSslErrors());
  }
  const std::size_t padding = (kAesBlock - config.size() % kAesBlock) % kAesBlock;
  Bytes plain(config.begin(), config.end());
  plain.insert(plain.end(), padding, '\r');
  auto ciphertext = AesCbc(true, aes_key, iv, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  auto wrapped = derived ? RsaPkcs1WithPadding(device_certificate.public_key(), aes_key, *derived)
                         : RsaPkcs1(true, device_certificate.public_key(), aes_key);
  OPENSSL_cleanse(aes_key.data(), aes_key.size());
  if (!ciphertext.ok()) return ciphertext.error();
  if (!wrapped.ok()) return Fail("encrypting the AES key: " + wrapped.message());

  const Bytes iv_info =
      Concat({Element(kIvReserved, Bytes{0}), Element(kIv, iv),
              Element(kBodyPadding, U16Bytes(static_cast<std::uint16_t>(padding)))});
  const Bytes key_info =
      Concat({Element(kKeyReserved, Bytes{0}), Element(kKeySize, U16Bytes(kAesKeyBytes * 8)),
              Element(kKeyAlgorithm, Bytes{1}), Element(kEncryptedKey, *wrapped)});
  tlv::Header& h = *header;
  h.version_major = 2;
  h.version_minor = 0;
  h.unknown.push_back(
      {kEncryptionInfo, 0, Concat({Element(kIvInfo, iv_info), Element(kKeyInfo, key_info)})});
  h.unknown.push_back({kEncryptionHashAlgorithm, 0, Bytes{tlv::DigestCode(options.digest)}});
  h.unknown.push_back({kEncryptionHash, 0, pki::Hash(options.digest, config)});
  return SignWithHeader(std::move(h), signer_key, options.digest, *ciphertext);
}

Result<Bytes> DecryptConfig(ByteView file, const SignedFile& parsed,
                            const pki::PrivateKey& device_key) {
  if (!parsed.encryption) return Fail("the file is signed but not encrypted (no ENCRYPTION_INFO)");
  const EncryptionInfo& e = *parsed.encryption;
  if (e.key_algorithm != 1 || e.key_bits != kAesKeyBytes * 8) {
    return Fail("the file is encrypted with key algorithm " + std::to_string(e.key_algorithm) +
                " of " + std::to_string(e.key_bits) + " bits; phones know AES-128 (1, 128) only");
  }
  auto digest = tlv::DigestFromCode(e.hash_algorithm);
  if (!digest) {
    return Fail("ENCRYPTION_HASH_ALGORITHM " + std::to_string(e.hash_algorithm) + " is unknown");
  }
  if (device_key.algorithm() != pki::KeyAlgorithm::kRsa) {
    return Fail("this phone's key is " + pki::KeyAlgorithmName(device_key.algorithm()) +
                ": only an RSA key opens an encrypted configuration");
  }
  auto aes_key = RsaPkcs1(false, device_key.get(), e.encrypted_key);
  if (!aes_key.ok() || aes_key->size() != kAesKeyBytes) {
    return Fail(
        "this phone's key does not open the file's AES key: it was encrypted to another "
        "certificate (compare <certHash> in the .sgn pointer file with this phone's)");
  }
  auto plain = AesCbc(false, *aes_key, e.iv, Body(file, parsed));
  OPENSSL_cleanse(aes_key->data(), aes_key->size());
  if (!plain.ok()) return plain.error();
  if (e.padding > plain->size()) {
    return Fail("the header's padding is longer than the decrypted body");
  }
  plain->resize(plain->size() - e.padding);
  if (pki::Hash(*digest, *plain) != e.hash) {
    OPENSSL_cleanse(plain->data(), plain->size());
    return Fail("the decrypted configuration's " + pki::DigestName(*digest) +
                " does not match ENCRYPTION_HASH: the body was changed or damaged");
  }
  return std::move(*plain);
}

std::string CertHash(const pki::Certificate& certificate) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const Bytes& der = certificate.der();
  // MD5 is what the format names; a FIPS-only OpenSSL has none, and then no certHash can match.
  if (EVP_Digest(der.data(), der.size(), md, &size, EVP_md5(), nullptr) != 1) return "";
  return HexLower(ByteView(md, size));
}

Result<std::string> PointerConfig(ByteView full_config,
                                  const pki::Certificate& device_certificate) {
  pugi::xml_document full;
  pugi::xml_parse_result parsed = full.load_buffer(full_config.data(), full_config.size());
  if (!parsed) {
    return Fail("the configuration is not well-formed XML at offset " +
                std::to_string(parsed.offset) + " (" + parsed.description() + ")");
  }
  pugi::xml_document pointer;
  pugi::xml_node decl = pointer.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node device = pointer.append_child("device");
  device.append_child("fullConfig").text() = "false";
  for (const char* name : {"ipAddressMode", "loadInformation", "capfAuthMode", "capfList"}) {
    pugi::xpath_node found = full.select_node((std::string("//") + name).c_str());
    if (found) device.append_copy(found.node());
  }
  device.append_child("certHash").text() = CertHash(device_certificate).c_str();
  device.append_child("encrConfig").text() = "true";
  std::ostringstream out;
  pointer.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace opencapf::sgn
