#include "pki/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <vector>

namespace opencapf::pki {

namespace {

constexpr std::string_view kScheme = "scrypt";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// OpenSSL refuses scrypt above its default 32 MiB unless told more may be used; the default
// cost needs 128 * r * N * p bytes at most (p lanes run one after another): 32 MiB + overhead.
constexpr std::uint64_t kMaxMemory = 256ull * 1024 * 1024;

Result<Bytes> FromBase64Url(std::string_view text) {
  static const std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const auto at = kAlphabet.find(c);
    if (at == std::string_view::npos) return Fail("not base64url");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

Result<Bytes> Scrypt(std::string_view password, ByteView salt, const ScryptCost& cost) {
  Bytes out(kHashBytes);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), cost.n, cost.r,
                     cost.p, kMaxMemory, out.data(), out.size()) != 1) {
    return Fail("scrypt failed (N=" + std::to_string(cost.n) + ", r=" + std::to_string(cost.r) +
                ", p=" + std::to_string(cost.p) + ")");
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

bool ReadNumber(std::string_view text, std::uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

}  // namespace

Bytes RandomBytes(std::size_t count) {
  Bytes out(count);
  if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
    // Without randomness no secret can be made safely; this does not happen on a working system.
    std::abort();
  }
  return out;
}

std::string Base64Url(ByteView bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

std::string RandomToken(std::size_t count) { return Base64Url(RandomBytes(count)); }

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string GeneratePassword() {
  // 32 symbols (no 0/o, 1/l/i): each is 5 bits, 20 of them 100 bits.
  static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  static_assert(sizeof(kAlphabet) - 1 == 31);
  std::string out;
  const Bytes random = RandomBytes(40);
  std::size_t used = 0;
  while (out.size() < 23) {
    if (out.size() % 6 == 5) {
      out.push_back('-');
      continue;
    }
    // Rejection sampling keeps every symbol equally likely: 248 = 8 * 31.
    std::uint8_t b = 0;
    do {
      b = used < random.size() ? random[used++] : RandomBytes(1)[0];
    } while (b >= 248);
    out.push_back(kAlphabet[b % 31]);
  }
  return out;
}

Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost) {
  const Bytes salt = RandomBytes(kSaltBytes);
  auto hash = Scrypt(password, salt, cost);
  if (!hash.ok()) return hash.error();
  return std::string(kScheme) + "$" + std::to_string(cost.n) + "$" + std::to_string(cost.r) + "$" +
         std::to_string(cost.p) + "$" + Base64Url(salt) + "$" + Base64Url(*hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  const auto parts = Split(encoded, '$');
  ScryptCost cost;
  if (parts.size() != 6 || parts[0] != kScheme || !ReadNumber(parts[1], cost.n) ||
      !ReadNumber(parts[2], cost.r) || !ReadNumber(parts[3], cost.p)) {
    return Fail(
        "the stored administrator password is not a scrypt hash this opencapf reads; set a new "
        "one with 'opencapf admin passwd'");
  }
  // Bounds keep a tampered hash from asking for unbounded memory or time.
  if (cost.n < 2 || cost.n > (1u << 20) || (cost.n & (cost.n - 1)) != 0 || cost.r < 1 ||
      cost.r > 32 || cost.p < 1 || cost.p > 16) {
    return Fail("the stored administrator password hash has an unusable cost (N=" +
                std::to_string(cost.n) + ", r=" + std::to_string(cost.r) +
                ", p=" + std::to_string(cost.p) + "); set a new one with 'opencapf admin passwd'");
  }
  auto salt = FromBase64Url(parts[4]);
  auto expected = FromBase64Url(parts[5]);
  if (!salt.ok() || !expected.ok() || salt->empty() || expected->size() != kHashBytes) {
    return Fail(
        "the stored administrator password hash is damaged; set a new one with 'opencapf admin "
        "passwd'");
  }
  auto hash = Scrypt(password, *salt, cost);
  if (!hash.ok()) return hash.error();
  return CRYPTO_memcmp(hash->data(), expected->data(), kHashBytes) == 0;
}

Status CheckNewPassword(std::string_view password) {
  if (password.size() < 12) {
    return Fail("the password has " + std::to_string(password.size()) +
                " characters; use at least 12 (a few words with spaces in between will do)");
  }
  if (password.size() > 1024) return Fail("the password is longer than 1024 characters");
  return Status::Ok();
}

}  // namespace opencapf::pki
