#include "pki/cluster_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>

#include "base/file.h"
#include "pki/openssl_ptr.h"
#include "pki/secret.h"

namespace opencapf::pki {

namespace {

constexpr char kMagic[4] = {'O', 'C', 'K', '1'};
constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;
constexpr const char* kKeyFileHeader = "opencapf cluster key v1\n";
constexpr const char* kCheckText = "opencapf cluster key check v1";

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<EVP_CIPHER_CTX_free>>;

}  // namespace

ClusterKey ClusterKey::Generate() {
  ClusterKey out;
  Bytes random = RandomBytes(out.key_.size());
  std::memcpy(out.key_.data(), random.data(), out.key_.size());
  return out;
}

Result<ClusterKey> ClusterKey::Load(const std::filesystem::path& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  std::string text(bytes->begin(), bytes->end());
  const std::string header = kKeyFileHeader;
  auto bad = [&](const std::string& why) {
    return Fail(path.string() + ": not an opencapf cluster key (" + why +
                "); copy cluster.key from a node of the cluster");
  };
  if (!text.starts_with(header)) return bad("no 'opencapf cluster key v1' line");
  std::string hex = text.substr(header.size());
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  auto key = ParseHex(hex);
  if (!key.ok() || key->size() != 32) return bad("the key is not 64 hex digits");
  ClusterKey out;
  std::memcpy(out.key_.data(), key->data(), out.key_.size());
  return out;
}

Status ClusterKey::Save(const std::filesystem::path& path) const {
  const std::string text = std::string(kKeyFileHeader) + HexLower(key_) + "\n";
  return WriteFileAtomic(path, Bytes(text.begin(), text.end()), 0600);
}

Result<Bytes> ClusterKey::Seal(std::string_view name, ByteView plaintext) const {
  Bytes nonce = RandomBytes(kNonce);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce.data()) != 1) {
    return Fail("cannot seal " + std::string(name) + ": " + OpenSslErrors());
  }
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(name.data()),
                        static_cast<int>(name.size())) != 1) {
    return Fail("cannot seal " + std::string(name) + ": " + OpenSslErrors());
  }
  Bytes out(kMagic, kMagic + sizeof kMagic);
  out.insert(out.end(), nonce.begin(), nonce.end());
  const std::size_t at = out.size();
  out.resize(at + plaintext.size() + kTag);
  if (EVP_EncryptUpdate(ctx.get(), out.data() + at, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    return Fail("cannot seal " + std::string(name) + ": " + OpenSslErrors());
  }
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + at + len, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                          out.data() + at + plaintext.size()) != 1) {
    return Fail("cannot seal " + std::string(name) + ": " + OpenSslErrors());
  }
  return out;
}

Result<Bytes> ClusterKey::Open(std::string_view name, ByteView sealed) const {
  const std::size_t header = sizeof kMagic + kNonce;
  if (sealed.size() < header + kTag || std::memcmp(sealed.data(), kMagic, sizeof kMagic) != 0) {
    return Fail(std::string(name) + ": not sealed with a cluster key (" +
                std::to_string(sealed.size()) + " bytes, no OCK1 header)");
  }
  const std::size_t length = sealed.size() - header - kTag;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  Bytes out(length);
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                         sealed.data() + sizeof kMagic) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(name.data()),
                        static_cast<int>(name.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data() + header,
                        static_cast<int>(length)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                          const_cast<std::uint8_t*>(sealed.data() + header + length)) == 1;
  int tail = 0;
  if (!ok || EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &tail) != 1) {
    (void)OpenSslErrors();  // clears the queue
    return Fail(std::string(name) +
                ": cannot be opened with this cluster key (a different key, or the bytes were "
                "changed)");
  }
  return out;
}

std::string ClusterKey::Check() const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(kCheckText), std::strlen(kCheckText), mac, &length);
  return HexLower(ByteView(mac, length));
}

Bytes ClusterKey::Derive(std::string_view purpose) const {
  const std::string text = "opencapf derive " + std::string(purpose);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return Bytes(mac, mac + length);
}

}  // namespace opencapf::pki
