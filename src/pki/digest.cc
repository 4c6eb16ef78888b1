#include "pki/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "pki/openssl_ptr.h"

namespace opencapf::pki {

const EVP_MD* DigestMd(Digest digest) {
  switch (digest) {
    case Digest::kSha1:
      return EVP_sha1();
    case Digest::kSha256:
      return EVP_sha256();
    case Digest::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
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
