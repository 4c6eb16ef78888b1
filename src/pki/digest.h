#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "base/bytes.h"

namespace opencapf::pki {

/// The message digests opencapf signs and verifies with.
enum class Digest { kSha1, kSha256, kSha512 };

/// OpenSSL's EVP_MD for a digest.
const EVP_MD* DigestMd(Digest digest);

/// The digest of `data`.
Bytes Hash(Digest digest, ByteView data);
inline Bytes Sha1(ByteView data) { return Hash(Digest::kSha1, data); }
inline Bytes Sha256(ByteView data) { return Hash(Digest::kSha256, data); }

/// "SHA1", "SHA256", "SHA512".
std::string DigestName(Digest digest);
/// Accepts "sha1", "SHA-512", ... ; nullopt for anything else.
std::optional<Digest> ParseDigest(std::string_view name);

}  // namespace opencapf::pki
