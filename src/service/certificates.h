#pragma once

// The certificates opencapf owns, through their whole life: list, regenerate, CSR for a
// third-party CA, import of what it signed. Every change is written so a running server never
// loads a half state: files go to temporary names and are renamed, a marker holds reloads off
// while several files change, and the server refuses a certificate whose key or chain does not
// match (it keeps what it had).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "pki/issuer.h"
#include "pki/private_key.h"
#include "service/data_dir.h"

namespace opencapf::service {

/// The service certificates by name, in the order `cert list` shows them.
const std::vector<std::string>& ServiceCertificateNames();

/// True for a certificate a data directory may lack (the administration page's, which data
/// directories made before it existed get at the next `serve`) when its file is missing.
bool MissingOptionalCertificate(const DataDir& dir, const std::string& name);

/// The name `cert` commands accept, made canonical: "tftp" is the CallManager/TFTP certificate
/// ("callmanager"), letter case does not matter. The error lists the names.
Result<std::string> CanonicalCertificateName(std::string_view name);

/// What the certificate is for, in CUCM's words: "CAPF (issues LSCs)", ...
std::string CertificateRole(const std::string& name);

/// certs/NAME-chain.pem: the issuing CA chain of a third-party-signed certificate.
std::filesystem::path ChainPath(const DataDir& dir, const std::string& name);
/// certs/pending/NAME.key: a key made for a CSR, waiting for its signed certificate.
std::filesystem::path PendingKeyPath(const DataDir& dir, const std::string& name);
/// certs/previous/: earlier CAPF certificates and their keys.
std::filesystem::path PreviousDir(const DataDir& dir);

/// The chain of a service certificate (empty when it is self-signed), checked: the certificate
/// must chain through it. A chain that does not fit is an error (a half-written import).
Result<std::vector<pki::Certificate>> LoadChain(const DataDir& dir, const std::string& name,
                                                const pki::Certificate& certificate);

/// One row of `cert list`.
struct CertificateInfo {
  std::string name;
  std::string role;
  pki::Certificate certificate;
  std::string key;  ///< "RSA 2048", "EC 384"
  long days_left = 0;
  std::string sha256;  ///< hex, colon separated
  /// "yes", "no", or "-" when there is no ITL to look in.
  std::string in_itl;
  std::vector<pki::Certificate> chain;  ///< third-party issuers, nearest first
  bool pending_key = false;             ///< a CSR key waits in certs/pending/
};

/// Every service certificate, with whether `itl` (the served ITLFile.tlv) lists it.
Result<std::vector<CertificateInfo>> DescribeCertificates(const DataDir& dir,
                                                          const std::optional<Bytes>& itl,
                                                          const Clock& clock);

/// Replaces a service certificate with a new self-signed one (same subject, a fresh key of
/// `key` or of the old key's kind, `days` of validity). For CAPF the old certificate and its key
/// (0600) are kept in certs/previous/ as a trusted issuer: LSCs it signed keep authenticating
/// phones and are still covered by its CRL. A third-party chain is dropped. Returns the new
/// identity.
Result<Identity> RegenerateCertificate(const DataDir& dir, const std::string& name,
                                       std::optional<pki::KeySpec> key, int days,
                                       const Clock& clock);

/// The validity a regenerated certificate gets when none is asked for, in days: 20 years for
/// ITLRecovery (phones keep trusting the ITL's signer until reset), 5 for the others.
int DefaultCertificateDays(const std::string& name);

/// What regenerating certificate `name` (now `old`) with a `key` key valid `days` days will do,
/// in words, one "  - " line per effect: the CLI and the API show it before asking to confirm.
std::string RegenerationEffects(const std::string& name, const pki::Certificate& old,
                                const std::string& key, int days);

/// What `cert csr` made.
struct CsrResult {
  std::string pem;
  std::string subject;
  std::optional<std::filesystem::path> pending_key;  ///< set when a fresh key was made
  std::string key;                                   ///< "RSA 2048", ...
};

/// A CSR for a third-party CA. With `new_key` a fresh key (`key`, default the current kind) is
/// made and kept in certs/pending/NAME.key (0600) until `cert import`; otherwise the current key
/// signs it. `subject` defaults to the current certificate's. The request carries the
/// extensions the certificate needs (a CAPF certificate: CA:TRUE, keyCertSign, cRLSign).
Result<CsrResult> MakeCertificateRequest(const DataDir& dir, const std::string& name,
                                         const std::optional<std::string>& subject, bool new_key,
                                         std::optional<pki::KeySpec> key);

/// What `cert import` did.
struct ImportResult {
  Identity identity;
  std::vector<pki::Certificate> chain;
  bool used_pending_key = false;
  std::optional<pki::Certificate> kept_previous;  ///< CAPF: the certificate kept as an issuer
  std::vector<std::string> notes;
};

/// Installs a certificate a third-party CA signed. Refused, with nothing changed, when it
/// matches neither the pending nor the current key, is expired or not yet valid, does not chain
/// through `chain` (or the extra certificates in the same file), is for CAPF but not CA:TRUE
/// with keyCertSign, or is for ITLRecovery but not RSA.
Result<ImportResult> ImportCertificate(const DataDir& dir, const std::string& name,
                                       const std::filesystem::path& signed_file,
                                       const std::optional<std::filesystem::path>& chain_file,
                                       const Clock& clock);

/// An earlier CAPF certificate kept in certs/previous/, with its key when it was kept too.
struct PreviousCapf {
  pki::Certificate certificate;
  std::optional<pki::PrivateKey> key;
};
/// Earlier CAPF certificates (certs/previous/capf-*.pem), oldest first.
Result<std::vector<PreviousCapf>> PreviousCapfs(const DataDir& dir);
/// The same, certificates only.
Result<std::vector<pki::Certificate>> PreviousCapfCertificates(const DataDir& dir);

/// A fingerprint of every certificate and key file under certs/: changes whenever one does.
std::string CertificateFilesFingerprint(const DataDir& dir);

/// certs/.updating: present while a command changes several certificate files; a running server
/// does not reload while it is there (for at most kUpdateMarkerMaxAge).
std::filesystem::path UpdateMarkerPath(const DataDir& dir);
inline constexpr int kUpdateMarkerMaxAgeSeconds = 60;
/// Whether a recent update marker is present.
bool UpdateInProgress(const DataDir& dir);

}  // namespace opencapf::service
