#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/digest.h"
#include "pki/openssl_ptr.h"

namespace opencapf::pki {

/// What key to generate: "rsa:2048", "ec:256" and the like.
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int bits = 2048;  ///< RSA modulus bits or EC curve size (256, 384, 521).

  /// Parses "rsa:2048" / "ec:384"; the error lists what is accepted.
  static Result<KeySpec> Parse(std::string_view text);
  std::string ToString() const;
};

/// A private key held in memory. Cheap to copy (reference counted by OpenSSL).
class PrivateKey {
 public:
  /// The first private key in a PEM text (a file may also hold certificates).
  static Result<PrivateKey> FromPem(std::string_view pem);
  static Result<PrivateKey> Load(const std::filesystem::path& path);
  static Result<PrivateKey> Generate(const KeySpec& spec);

  PrivateKey(const PrivateKey& other);
  PrivateKey& operator=(const PrivateKey& other);
  PrivateKey(PrivateKey&&) = default;
  PrivateKey& operator=(PrivateKey&&) = default;

  /// Unencrypted PKCS#8 PEM. Write it only with mode 0600.
  std::string ToPem() const;
  KeyAlgorithm algorithm() const;
  int bits() const;
  /// Size of an RSA signature in bytes (0 for other keys).
  int SignatureSize() const;

  /// A standard signature over `data`: RSA PKCS#1 v1.5 (with DigestInfo) or ECDSA (DER).
  Result<Bytes> Sign(Digest digest, ByteView data) const;
  /// Whether this key is the private half of `certificate`'s public key.
  bool Matches(const Certificate& certificate) const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit PrivateKey(EvpPkeyPtr key) : key_(std::move(key)) {}
  EvpPkeyPtr key_;
};

/// Checks a standard signature (RSA PKCS#1 v1.5 with DigestInfo, or ECDSA) over `data`.
Status VerifySignature(EVP_PKEY* key, Digest digest, ByteView data, ByteView signature);

/// An RSA public key from PKCS#1 RSAPublicKey DER (the trust list's PUBLIC_KEY element).
Result<EvpPkeyPtr> RsaPublicKeyFromPkcs1(ByteView der);

}  // namespace opencapf::pki
