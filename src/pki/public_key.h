#pragma once

// A subject public key from SubjectPublicKeyInfo DER, parsed without OpenSSL 3.0's decoder
// framework: d2i_PUBKEY and d2i_X509 set up an OSSL_DECODER chain per call, which costs more
// than the RSA-2048 signature an enrollment needs (measured: 0.23 ms a call against 0.03 ms
// here). The structure is read as ASN.1 and the key made with EVP_PKEY_fromdata, which checks
// what a decoder would: an EC point on its curve, an RSA modulus and exponent.
#include <memory>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"

namespace opencapf::pki {

struct PublicKey {
  std::shared_ptr<EVP_PKEY> key;
  KeyAlgorithm algorithm = KeyAlgorithm::kOther;
  int bits = 0;      ///< RSA modulus bits; EC field bits
  int curve = 0;     ///< EC: the curve's NID
  Bytes key_octets;  ///< the BIT STRING's bytes: the EC point, or the PKCS#1 RSAPublicKey
};

/// RSA (rsaEncryption, parameters NULL or absent) or EC (id-ecPublicKey on a named curve)
/// SubjectPublicKeyInfo DER; anything else, trailing bytes, or a key that does not check out is
/// an error saying which.
Result<PublicKey> ParseSubjectPublicKeyInfo(ByteView der);

/// Makes `key` the certificate's subjectPublicKeyInfo, from its parts (no encoder).
Status SetSubjectPublicKey(X509* cert, const PublicKey& key);

/// The SubjectPublicKeyInfo DER of an RSA or EC key, the bytes i2d_PUBKEY writes, built from the
/// key's parameters instead of through OpenSSL 3's encoder framework (~100 us a call): what a
/// phone sends in KEY_GEN_RESPONSE, which the load generator does thousands of times a second.
Result<Bytes> SubjectPublicKeyInfoOf(EVP_PKEY* key);

}  // namespace opencapf::pki
