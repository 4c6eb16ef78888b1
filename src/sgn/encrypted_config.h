#pragma once

// CUCM's "Encrypted TFTP Configuration" (wire-formats.md §6): a phone's configuration encrypted
// so that only the holder of its certificate's private key reads it, and the small signed
// pointer configuration the phone reads first.
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "sgn/signed_file.h"

namespace opencapf::sgn {

/// Why a certificate cannot be encrypted to, or "" when it can (RSA keys only: the AES key is
/// sent RSA PKCS#1 v1.5 type 2).
std::string EncryptionProblem(const pki::Certificate& device_certificate);

/// `SEP<MAC>.cnf.xml.enc.sgn`: `config` padded with '\r' to the AES block, encrypted with a fresh
/// AES-128-CBC key and IV, the key encrypted to `device_certificate`'s RSA key, the plaintext's
/// digest (options.digest) in the header, the whole signed by `signer` (VERSION 2.0).
///
/// With `same_bytes_secret` (in a cluster: a key every node derives from the cluster key), the AES
/// key, the IV and the PKCS#1 v1.5 padding bytes are derived from it, the configuration, the
/// phone's certificate and the signer instead of drawn at random, so every node holding the same
/// configuration serves the same bytes. Only equality leaks: the same file to the same phone.
Result<Bytes> EncryptConfig(const pki::Certificate& signer, const pki::PrivateKey& signer_key,
                            ByteView config, const pki::Certificate& device_certificate,
                            const SignOptions& options, const Bytes* same_bytes_secret = nullptr);

/// What a phone does with an `.enc.sgn` it fetched (after checking the signature): the AES key
/// opened with `device_key`, the body decrypted, the padding removed, the digest compared. The
/// errors say which step failed: another phone's key, a tampered body, a wrong digest.
Result<Bytes> DecryptConfig(ByteView file, const SignedFile& parsed,
                            const pki::PrivateKey& device_key);

/// The hex MD5 of a certificate's DER, as `<certHash>` carries it (lower case).
std::string CertHash(const pki::Certificate& certificate);

/// The pointer configuration `SEP<MAC>.cnf.xml.sgn` carries for an encrypted device: <device>
/// with <fullConfig>false</fullConfig>, the elements a phone needs before it can decrypt
/// (ipAddressMode, loadInformation, capfAuthMode, capfList — each only when the full
/// configuration has it), <certHash> of `device_certificate` and <encrConfig>true</encrConfig>.
/// Nothing else of the full configuration is copied: the rest may be secret.
Result<std::string> PointerConfig(ByteView full_config, const pki::Certificate& device_certificate);

}  // namespace opencapf::sgn
