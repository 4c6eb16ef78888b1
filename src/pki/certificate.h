#pragma once

#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/digest.h"
#include "pki/openssl_ptr.h"

namespace opencapf::pki {

/// The kind of key a certificate carries.
enum class KeyAlgorithm { kRsa, kEc, kOther };

/// "RSA", "EC", "other".
std::string KeyAlgorithmName(KeyAlgorithm algorithm);

/// A parsed X.509 certificate. Cheap to copy (reference counted by OpenSSL).
class Certificate {
 public:
  /// Parses one DER certificate; trailing bytes are an error.
  static Result<Certificate> FromDer(ByteView der);
  /// Every certificate in a PEM text, in order; none is an error.
  static Result<std::vector<Certificate>> AllFromPem(std::string_view pem);
  /// A file holding a certificate as PEM (the first one is taken) or DER.
  static Result<Certificate> Load(const std::filesystem::path& path);
  /// A certificate this process just built and signed, with its DER and its subject's public
  /// key, taken as they are: parsing the DER again would decode the key again, which OpenSSL 3.0
  /// does through its decoder framework at a cost of a signature or more.
  static Certificate FromSigned(X509Ptr x509, Bytes der, std::shared_ptr<EVP_PKEY> key);
  /// A certificate OpenSSL already parsed (a TLS peer's), shared rather than parsed again.
  static Certificate FromX509(X509* x509);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) = default;
  Certificate& operator=(Certificate&&) = default;

  /// The certificate's DER encoding.
  const Bytes& der() const { return der_; }
  std::string ToPem() const;

  /// Subject and issuer as the trust-list tools write them: attributes in certificate order,
  /// comma separated, RFC 4514 escaping ("CN=pub1,OU=Lab,O=Example Telecom,...").
  std::string Subject() const;
  std::string Issuer() const;
  /// The subject's common name, or empty.
  std::string CommonName() const;
  /// The serial number as unsigned big-endian bytes without leading zeros.
  Bytes SerialBytes() const;
  /// The certificate's own signature value.
  Bytes SignatureBytes() const;
  /// RSA: PKCS#1 RSAPublicKey DER; EC: the X9.62 point. This is the trust list's PUBLIC_KEY.
  Bytes PublicKeyBytes() const;
  /// DER SubjectPublicKeyInfo.
  Bytes SubjectPublicKeyInfo() const;
  KeyAlgorithm key_algorithm() const;
  /// Key size in bits (RSA modulus, EC field).
  int key_bits() const;
  std::time_t not_before() const;
  std::time_t not_after() const;
  bool IsCa() const;
  bool SelfSigned() const;

  Bytes Fingerprint(Digest digest) const { return Hash(digest, der_); }

  X509* get() const { return x509_.get(); }
  /// The public key (owned by the certificate).
  EVP_PKEY* public_key() const;

  bool operator==(const Certificate& other) const { return der_ == other.der_; }

 private:
  Certificate(X509Ptr x509, Bytes der) : x509_(std::move(x509)), der_(std::move(der)) {}

  X509Ptr x509_;
  Bytes der_;
  /// The subject's key when the X509 holds none decoded (FromSigned).
  std::shared_ptr<EVP_PKEY> key_;
};

/// Name text in certificate order, comma separated, RFC 4514 escaping, UTF-8 kept as is.
std::string NameText(const X509_NAME* name);

/// Converts a time to "2026-11-27 10:47:52 UTC".
std::string FormatUtc(std::time_t t);

}  // namespace opencapf::pki
