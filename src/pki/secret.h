#pragma once

// Secrets the administration server hands out and checks: the administrator's password (kept
// as a salted scrypt hash), API tokens (random, kept as their SHA-256), session and CSRF tokens,
// and the comparison that does not leak, through its timing, how much of a guess was right.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::pki {

/// `count` bytes from OpenSSL's CSPRNG.
Bytes RandomBytes(std::size_t count);

/// `count` random bytes as base64url without padding (what tokens and cookies carry).
std::string RandomToken(std::size_t count = 32);

/// Base64url without padding.
std::string Base64Url(ByteView bytes);

/// Lowercase hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text);

/// True when `a` and `b` are equal; the time taken depends only on their lengths.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

/// A password for a person to type once and change: four groups of five letters and digits
/// from an alphabet without look-alikes ("k7mqz-4rtwx-h2bnp-9cdfj"), about 100 bits.
std::string GeneratePassword();

/// How hard HashPassword works. The default is OWASP's scrypt setting (N=2^15, r=8, p=3:
/// 32 MiB and about a tenth of a second per try); tests may pass a cheaper one.
struct ScryptCost {
  std::uint64_t n = 1u << 15;
  std::uint64_t r = 8;
  std::uint64_t p = 3;
};

/// "scrypt$N$r$p$<salt>$<hash>" (salt 16 random bytes, hash 32 bytes, both base64url). Fails
/// only when OpenSSL does.
Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost = {});

/// Whether `password` matches `encoded` (from HashPassword), compared in constant time. An
/// `encoded` text that is not a hash this build writes is an error, not a mismatch.
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);

/// The rules a new administrator password must meet: at least 12 characters. The message says
/// what to type instead; OK when it is acceptable.
Status CheckNewPassword(std::string_view password);

}  // namespace opencapf::pki
