#include "pki/private_key.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <charconv>

#include "base/file.h"

namespace opencapf::pki {

namespace {

const char* CurveName(int bits) {
  switch (bits) {
    case 256:
      return "prime256v1";
    case 384:
      return "secp384r1";
    case 521:
      return "secp521r1";
  }
  return nullptr;
}
}  // namespace

Result<KeySpec> KeySpec::Parse(std::string_view text) {
  auto colon = text.find(':');
  std::string_view kind = text.substr(0, colon);
  int bits = 0;
  if (colon != std::string_view::npos) {
    std::string_view number = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), bits);
    if (ec != std::errc() || ptr != number.data() + number.size()) bits = -1;
  }
  const std::string accepted =
      " (accepted: rsa:1024, rsa:2048, rsa:3072, rsa:4096, ec:256, "
      "ec:384, ec:521)";
  if (kind == "rsa") {
    if (bits == 0) bits = 2048;
    if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096) {
      return Fail("key '" + std::string(text) + "': unsupported RSA size" + accepted);
    }
    return KeySpec{KeyAlgorithm::kRsa, bits};
  }
  if (kind == "ec") {
    if (bits == 0) bits = 256;
    if (!CurveName(bits))
      return Fail("key '" + std::string(text) + "': unsupported curve" + accepted);
    return KeySpec{KeyAlgorithm::kEc, bits};
  }
  return Fail("key '" + std::string(text) + "': unknown key type" + accepted);
}

std::string KeySpec::ToString() const {
  return (algorithm == KeyAlgorithm::kEc ? "ec:" : "rsa:") + std::to_string(bits);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // PEM_read_bio_PrivateKey skips PEM blocks that are not keys (certificates, say).
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (!key) {
    ERR_clear_error();
    return Fail("no private key (-----BEGIN PRIVATE KEY----- or RSA/EC PRIVATE KEY) found");
  }
  return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::Load(const std::filesystem::path& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return data.error();
  auto key = FromPem(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
  if (!key.ok()) return Context(path.string(), key.error());
  return key;
}

Result<PrivateKey> PrivateKey::Generate(const KeySpec& spec) {
  EVP_PKEY* raw = nullptr;
  if (spec.algorithm == KeyAlgorithm::kRsa) {
    raw = EVP_RSA_gen(static_cast<unsigned>(spec.bits));
  } else if (spec.algorithm == KeyAlgorithm::kEc && CurveName(spec.bits)) {
    raw = EVP_EC_gen(CurveName(spec.bits));
  }
  if (!raw) return Fail("cannot generate " + spec.ToString() + " key: " + OpenSslErrors());
  return PrivateKey(EvpPkeyPtr(raw));
}

PrivateKey::PrivateKey(const PrivateKey& other) {
  EVP_PKEY_up_ref(other.key_.get());
  key_.reset(other.key_.get());
}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
  if (this != &other) {
    EVP_PKEY_up_ref(other.key_.get());
    key_.reset(other.key_.get());
  }
  return *this;
}

std::string PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

KeyAlgorithm PrivateKey::algorithm() const {
  switch (EVP_PKEY_get_base_id(key_.get())) {
    case EVP_PKEY_RSA:
      return KeyAlgorithm::kRsa;
    case EVP_PKEY_EC:
      return KeyAlgorithm::kEc;
    default:
      return KeyAlgorithm::kOther;
  }
}

int PrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

int PrivateKey::SignatureSize() const {
  return algorithm() == KeyAlgorithm::kRsa ? EVP_PKEY_get_size(key_.get()) : 0;
}

Result<Bytes> PrivateKey::Sign(Digest digest, ByteView data) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, DigestMd(digest), nullptr, key_.get()) != 1) {
    return Fail("cannot start signature: " + OpenSslErrors());
  }
  if (algorithm() == KeyAlgorithm::kRsa) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return Fail("cannot size signature: " + OpenSslErrors());
  }
  Bytes out(len);
  if (EVP_DigestSign(ctx.get(), out.data(), &len, data.data(), data.size()) != 1) {
    return Fail("cannot sign: " + OpenSslErrors());
  }
  out.resize(len);
  return out;
}

bool PrivateKey::Matches(const Certificate& certificate) const {
  EVP_PKEY* pub = certificate.public_key();
  return pub && EVP_PKEY_eq(key_.get(), pub) == 1;
}

Status VerifySignature(EVP_PKEY* key, Digest digest, ByteView data, ByteView signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, DigestMd(digest), nullptr, key) != 1) {
    return Fail("cannot start verification: " + OpenSslErrors());
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
  }
  int rc =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
  ERR_clear_error();
  if (rc != 1) return Fail("signature does not match the data and key");
  return Status::Ok();
}

Result<EvpPkeyPtr> RsaPublicKeyFromPkcs1(ByteView der) {
  const unsigned char* p = der.data();
  EvpPkeyPtr key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    ERR_clear_error();
    return Fail("PUBLIC_KEY is not a PKCS#1 RSA public key");
  }
  return key;
}

}  // namespace opencapf::pki
