// Existing-certificate authentication (wire-formats.md §2): the phone proves it holds the key of
// the certificate (LSC or MIC) it sends in AUTH_RESPONSE, and optionally of its SUDI certificate.
//
// The signatures are not the usual kind: for RSA they are a PKCS#1 v1.5 type-1 private-key
// operation over the BARE digest (no DigestInfo around it), so a standard RSA verify rejects
// them. For EC they are plain ECDSA (DER) over the digest, which a standard verify accepts.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "capf/commands.h"
#include "capf/elements.h"
#include "pki/digest.h"
#include "pki/openssl_ptr.h"
#include "pki/private_key.h"

namespace opencapf::capf {

/// What SIGNED_DATA and SHA2_SIGNED_DATA sign: `device name | 0x00 | certificate DER`.
Bytes AuthSignedData(std::string_view device_name, ByteView certificate_der);

/// What the SUDI signatures sign: `session id (u32 LITTLE-endian) | SUDI certificate DER`.
Bytes SudiSignedData(std::uint32_t session_id, ByteView sudi_der);

/// Phone side: signs the `digest` of `data` as CAPF does (RSA: PKCS#1 v1.5 over the bare
/// digest; EC: ECDSA, DER). Other key types are an error.
Result<Bytes> SignBareDigest(const pki::PrivateKey& key, pki::Digest digest, ByteView data);

/// Server side: checks a signature made by SignBareDigest with the public half of `key`.
Status VerifyBareDigest(EVP_PKEY* key, pki::Digest digest, ByteView data, ByteView signature);

/// Phone side: puts `certificate` into `response` with SIGNED_DATA (SHA-1) and SHA2_SIGNED_DATA
/// (SHA-512) made with `key`, over AuthSignedData(response.device_name, certificate DER).
Status SignAuthResponse(AuthResponse& response, const pki::PrivateKey& key,
                        const WrappedCertificate& certificate);

/// Server side: checks the signatures of an AUTH_RESPONSE against `certificate_key` (the public
/// key of the certificate it carries; the caller parses the certificate and checks its chain and
/// that it belongs to the device). At least one of SIGNED_DATA and SHA2_SIGNED_DATA must be
/// there, and each one there must verify.
Status VerifyAuthResponseSignatures(const AuthResponse& response, EVP_PKEY* certificate_key);

/// Phone side: SUDI_DATA for `session_id`, both signatures made with the SUDI key.
Result<SudiData> SignSudi(std::uint32_t session_id, const pki::PrivateKey& sudi_key,
                          ByteView sudi_der);

/// Server side: parses the SUDI certificate and checks both signatures with its key, over
/// SudiSignedData(session_id, certificate). Chain checks are the caller's.
Status VerifySudiSignatures(std::uint32_t session_id, const SudiData& sudi);

}  // namespace opencapf::capf
