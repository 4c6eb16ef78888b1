#include "pki/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "pki/openssl_ptr.h"

namespace opencapf::pki {

namespace {

// Fetched once for the process: the EVP_sha*() objects are fetched again from the provider on
// every use in OpenSSL 3 (a locked lookup by name), explicitly fetched ones are not. Kept until
// exit on purpose.
const EVP_MD* Fetched(const char* name, const EVP_MD* fallback) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : fallback;
}

}  // namespace

const EVP_MD* DigestMd(Digest digest) {
  static const EVP_MD* const sha1 = Fetched("SHA1", EVP_sha1());
  static const EVP_MD* const sha256 = Fetched("SHA256", EVP_sha256());
  static const EVP_MD* const sha512 = Fetched("SHA512", EVP_sha512());
  switch (digest) {
    case Digest::kSha1:
      return sha1;
    case Digest::kSha256:
      return sha256;
    case Digest::kSha512:
      return sha512;
  }
  return sha256;
}

Bytes Hash(Digest digest, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, DigestMd(digest), nullptr);
  out.resize(len);
  return out;
}

std::string DigestName(Digest digest) {
  switch (digest) {
    case Digest::kSha1:
      return "SHA1";
    case Digest::kSha256:
      return "SHA256";
    case Digest::kSha512:
      return "SHA512";
  }
  return "?";
}

std::optional<Digest> ParseDigest(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c != '-') n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (n == "sha1") return Digest::kSha1;
  if (n == "sha256") return Digest::kSha256;
  if (n == "sha512") return Digest::kSha512;
  return std::nullopt;
}

}  // namespace opencapf::pki
