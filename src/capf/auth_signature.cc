#include "capf/auth_signature.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "pki/certificate.h"

namespace opencapf::capf {

namespace {

// The key types a CAPF signature can be made with; others get an error naming the type.
Status CheckKeyType(EVP_PKEY* key) {
  if (!key) return Fail("no key");
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_EC) return Status::Ok();
  const char* name = OBJ_nid2sn(id);
  return Fail(std::string("a ") + (name ? name : "unknown") +
              " key cannot make CAPF signatures (RSA or EC only)");
}

// Sets PKCS#1 v1.5 padding for RSA; EC needs nothing. No signature digest is set, so the
// operation works on the bare digest it is given.
bool Prepare(EVP_PKEY_CTX* ctx, EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return true;
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
}

Status VerifyOne(EVP_PKEY* key, pki::Digest digest, ByteView data, ByteView signature,
                 const std::string& what) {
  auto st = VerifyBareDigest(key, digest, data, signature);
  if (!st.ok()) return Fail(what + " (" + pki::DigestName(digest) + "): " + st.message());
  return Status::Ok();
}

}  // namespace

Bytes AuthSignedData(std::string_view device_name, ByteView certificate_der) {
  ByteWriter w;
  w.Append(device_name);
  w.U8(0);
  w.Append(certificate_der);
  return std::move(w).Take();
}

Bytes SudiSignedData(std::uint32_t session_id, ByteView sudi_der) {
  ByteWriter w;
  for (int shift = 0; shift < 32; shift += 8) w.U8(static_cast<std::uint8_t>(session_id >> shift));
  w.Append(sudi_der);
  return std::move(w).Take();
}

Result<Bytes> SignBareDigest(const pki::PrivateKey& key, pki::Digest digest, ByteView data) {
  if (auto st = CheckKeyType(key.get()); !st.ok()) return st.error();
  Bytes hash = pki::Hash(digest, data);
  pki::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || !Prepare(ctx.get(), key.get())) {
    return Fail("cannot start a " + pki::DigestName(digest) +
                " bare-digest signature: " + pki::OpenSslErrors());
  }
  std::size_t length = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &length, hash.data(), hash.size()) != 1) {
    return Fail("cannot size a " + pki::DigestName(digest) +
                " bare-digest signature: " + pki::OpenSslErrors());
  }
  Bytes out(length);
  if (EVP_PKEY_sign(ctx.get(), out.data(), &length, hash.data(), hash.size()) != 1) {
    return Fail("cannot make a " + pki::DigestName(digest) +
                " bare-digest signature: " + pki::OpenSslErrors());
  }
  out.resize(length);
  return out;
}

Status VerifyBareDigest(EVP_PKEY* key, pki::Digest digest, ByteView data, ByteView signature) {
  if (auto st = CheckKeyType(key); !st.ok()) return st;
  if (signature.empty()) return Fail("the signature is empty");
  Bytes hash = pki::Hash(digest, data);
  pki::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || !Prepare(ctx.get(), key)) {
    return Fail("cannot start verification: " + pki::OpenSslErrors());
  }
  int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size());
  ERR_clear_error();
  if (rc != 1) {
    return Fail("signature does not match the data and key (expected a " +
                std::string(EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
                                ? "PKCS#1 v1.5 signature over the bare digest, no DigestInfo"
                                : "DER ECDSA signature over the digest") +
                ")");
  }
  return Status::Ok();
}

Status SignAuthResponse(AuthResponse& response, const pki::PrivateKey& key,
                        const WrappedCertificate& certificate) {
  Bytes data = AuthSignedData(response.device_name, certificate.der);
  auto sha1 = SignBareDigest(key, pki::Digest::kSha1, data);
  if (!sha1.ok()) return Context("SIGNED_DATA", sha1.error());
  auto sha512 = SignBareDigest(key, pki::Digest::kSha512, data);
  if (!sha512.ok()) return Context("SHA2_SIGNED_DATA", sha512.error());
  response.certificate = certificate;
  response.signed_data = std::move(sha1).value();
  response.sha2_signed_data = Sha2SignedData{kHashSha512, std::move(sha512).value()};
  return Status::Ok();
}

Status VerifyAuthResponseSignatures(const AuthResponse& response, EVP_PKEY* certificate_key) {
  const std::string who = "AUTH_RESPONSE from " + response.device_name;
  if (!response.certificate) return Fail(who + ": no CERTIFICATE to authenticate with");
  if (!response.signed_data && !response.sha2_signed_data) {
    return Fail(who +
                ": CERTIFICATE without SIGNED_DATA or SHA2_SIGNED_DATA: nothing proves the "
                "phone holds the certificate's key");
  }
  Bytes data = AuthSignedData(response.device_name, response.certificate->der);
  if (response.signed_data) {
    auto st = VerifyOne(certificate_key, pki::Digest::kSha1, data, *response.signed_data,
                        who + ": SIGNED_DATA");
    if (!st.ok()) return st;
  }
  if (response.sha2_signed_data) {
    auto digest = DigestForHashAlgorithm(response.sha2_signed_data->hash_algorithm);
    if (!digest) {
      return Fail(who + ": SHA2_SIGNED_DATA hash algorithm " +
                  std::to_string(response.sha2_signed_data->hash_algorithm) +
                  " is unknown (3 is SHA-512)");
    }
    auto st = VerifyOne(certificate_key, *digest, data, response.sha2_signed_data->signature,
                        who + ": SHA2_SIGNED_DATA");
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Result<SudiData> SignSudi(std::uint32_t session_id, const pki::PrivateKey& sudi_key,
                          ByteView sudi_der) {
  Bytes data = SudiSignedData(session_id, sudi_der);
  auto sha1 = SignBareDigest(sudi_key, pki::Digest::kSha1, data);
  if (!sha1.ok()) return Context("SUDI_DATA", sha1.error());
  auto sha512 = SignBareDigest(sudi_key, pki::Digest::kSha512, data);
  if (!sha512.ok()) return Context("SUDI_DATA", sha512.error());
  return SudiData{Bytes(sudi_der.begin(), sudi_der.end()), std::move(sha1).value(),
                  std::move(sha512).value()};
}

Status VerifySudiSignatures(std::uint32_t session_id, const SudiData& sudi) {
  auto certificate = pki::Certificate::FromDer(sudi.certificate);
  if (!certificate.ok()) return Context("SUDI_DATA: SUDI certificate", certificate.error());
  Bytes data = SudiSignedData(session_id, sudi.certificate);
  EVP_PKEY* key = certificate->public_key();
  const std::string what = "SUDI_DATA signature for session " + std::to_string(session_id);
  if (sudi.sha1_signature.empty() || sudi.sha512_signature.empty()) {
    return Fail("SUDI_DATA: a signature is missing: both SHA-1 and SHA-512 are required");
  }
  auto st = VerifyOne(key, pki::Digest::kSha1, data, sudi.sha1_signature, what);
  if (!st.ok()) return st;
  return VerifyOne(key, pki::Digest::kSha512, data, sudi.sha512_signature, what);
}

}  // namespace opencapf::capf
