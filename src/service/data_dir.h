#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "service/config.h"
#include "store/store.h"

namespace opencapf::service {

/// The certificates opencapf owns, by the names `opencapf cert` uses.
inline constexpr const char* kCapf = "capf";
inline constexpr const char* kCallManager = "callmanager";  ///< CallManager/TFTP (CCM+TFTP role)
inline constexpr const char* kTvs = "tvs";
inline constexpr const char* kItlRecovery = "itlrecovery";  ///< signs the ITL (SAST role)
inline constexpr const char* kAdmin = "admin";  ///< the administration page's HTTPS certificate

/// Where everything lives under the data directory, and the configuration that goes with it.
class DataDir {
 public:
  /// `config` empty: DefaultConfigFor(root).
  explicit DataDir(std::filesystem::path root, std::filesystem::path config = {});

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& config() const { return config_; }
  /// True when the configuration lives outside the data directory (the package's
  /// /etc/opencapf/opencapf.toml, or --config): init then keeps it as it is.
  bool external_config() const;
  /// Written by init as its last step when the configuration is external (with the
  /// configuration inside, the configuration itself marks a finished init).
  std::filesystem::path initialised_marker() const { return root_ / "initialised"; }
  /// What `serve` writes while it runs (its PID, version, the addresses it listens on) and
  /// removes when it stops: what `opencapf status` and `doctor` read.
  std::filesystem::path runtime_status() const { return root_ / "status.json"; }
  std::filesystem::path store() const { return root_ / "opencapf.db"; }
  std::filesystem::path certs() const { return root_ / "certs"; }
  std::filesystem::path tftp() const { return root_ / "tftp"; }
  std::filesystem::path certificate(const std::string& name) const {
    return certs() / (name + ".pem");
  }
  std::filesystem::path key(const std::string& name) const { return certs() / (name + ".key"); }
  /// The first administrator password, 0600, until `opencapf admin passwd` replaces it.
  std::filesystem::path initial_admin_password() const { return root_ / "initial-admin-password"; }
  /// A path from the config, relative to the data directory unless absolute.
  std::filesystem::path Resolve(const std::string& configured) const;

  /// True once `init` has finished: the configuration is there (and, when it lives outside the
  /// data directory, init's marker).
  bool Initialized() const;

 private:
  std::filesystem::path root_;
  std::filesystem::path config_;
};

/// The configuration of a data directory: kDefaultConfig with the default data directory when
/// the build names one (the Debian package), else opencapf.toml inside the directory.
std::filesystem::path DefaultConfigFor(const std::filesystem::path& root);

/// This machine's short host name ("opencapf" when it has none).
std::string HostName();

/// A certificate with its private key, loaded once.
struct Identity {
  pki::Certificate certificate;
  pki::PrivateKey key;
};

struct InitOptions {
  pki::KeySpec capf_key{pki::KeyAlgorithm::kRsa, 2048};
  int capf_days = 365 * 5;
  /// [store] url to write: "" for the SQLite file in the directory, or a postgresql:// URL
  /// (the database must exist; its schema is made on first use).
  std::string store_url;
  /// With a PostgreSQL store that holds a cluster already: the cluster key (a copy of a node's
  /// cluster.key) to join it with; this node then takes the cluster's certificates.
  std::optional<std::filesystem::path> cluster_key;
};

/// Creates a data directory: the CAPF certificate (self-signed CA, CN CAPF-<8 hex>), the
/// CallManager/TFTP, TVS, ITLRecovery and administration page certificates, an administrator
/// password (see EnsureAdminPassword), opencapf.toml with every default (an external
/// configuration that exists already is kept as it is, and its [store] url used), the
/// store, and the tftp directory. Keys are written 0600, directories 0700. Refuses to touch a
/// directory that is already initialised. Returns one line per thing made.
Result<std::vector<std::string>> Init(const DataDir& dir, const InitOptions& options,
                                      const Clock& clock);

/// Makes the administration page's certificate (certs/admin.pem, self-signed, for this host,
/// localhost, 127.0.0.1 and ::1) when it is missing: data directories made before it existed
/// get one at the next start. Returns a line saying what was made, or nullopt when it was there.
Result<std::optional<std::string>> EnsureAdminCertificate(const DataDir& dir, const Clock& clock);

/// Gives the store an administrator password when it has none: a generated one, whose hash goes
/// to the store and whose text goes to initial_admin_password() (0600) for the administrator
/// to read once. Returns a line saying so, or nullopt when a password was already set.
Result<std::optional<std::string>> EnsureAdminPassword(const DataDir& dir, store::Store& store);

/// Loads a service certificate and its key, checking they belong together.
Result<Identity> LoadIdentity(const DataDir& dir, const std::string& name);

/// Writes a certificate (0644) and its key (0600) under certs/.
Status SaveIdentity(const DataDir& dir, const std::string& name, const Identity& identity);

}  // namespace opencapf::service
