#pragma once

// What phones download, over TFTP and HTTP alike: the files of the TFTP root (and what serve
// publishes in front of it), with NAME.sgn signed on demand by the TFTP certificate, and the
// configurations of phones with Encrypted Configuration served only encrypted to them.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pki/certificate.h"
#include "pki/digest.h"
#include "service/data_dir.h"
#include "tftp/file_source.h"

namespace opencapf::service {

/// A phone whose configuration is served encrypted only: the certificate to encrypt to, or why
/// there is none (then nothing of its configuration is served).
struct EncryptedDevice {
  std::optional<pki::Certificate> certificate;
  std::string problem;  ///< EncryptedConfigProblem's sentence when there is no certificate
};
/// By canonical device name (upper case, as NormalizeDeviceName gives it).
using EncryptedDevices = std::map<std::string, EncryptedDevice>;

/// A file source in front of another (the published files and the TFTP root):
///  - a name the source has is served as it is — a `.sgn` the administrator placed in the root
///    included — except a configuration of a phone with Encrypted Configuration (below);
///  - `NAME.sgn` that the source lacks, when it has NAME, is NAME signed (wire-formats.md §5) by
///    the certificate `signer` returns (the ITL's TFTP record), FILENAME the name asked for,
///    TIMESTAMP NAME's modification time — so nodes holding the same file serve the same bytes.
///    The signed copy is kept and made again when NAME's bytes or the signer change;
///  - for a phone in the encrypted set (SetEncryptedDevices), whatever the root holds:
///    `DEVICE.cnf.xml` is refused (it holds secrets), `DEVICE.cnf.xml.enc.sgn` is the root's
///    DEVICE.cnf.xml encrypted to the phone's certificate and signed (§6), `DEVICE.cnf.xml.sgn`
///    the signed pointer configuration; both are kept until the configuration, the phone's
///    certificate or the signer change. Without a certificate all three are refused. Device
///    names are matched in any letter case;
///    Any other file named DEVICE.something (a backup, a copy) is refused as well, and so is
///    any name that leads to such a file (a symbolic link); the configuration itself must be a
///    regular file with no other name (not a symbolic link, no hard links), or it is not served;
///  - refusals (`..`, absolute names, symlinks out of the root) stay refusals: the unsigned
///    name is looked up by the same source, with the same walls;
///  - files over kMaxSignedSize are not signed on demand (firmware carries its own signatures);
///    made copies are kept up to kMaxCachedBytes in all, keyed by the name as the directory
///    walk reads it ("./a" is "a"), and made once when many ask at the same time.
/// Safe to call from several threads; copies are made on the caller's thread.
class ProvisioningFiles final : public tftp::FileSource {
 public:
  using Signer = std::function<std::shared_ptr<const Identity>()>;

  static constexpr std::size_t kMaxSignedSize = 8u << 20;
  static constexpr std::size_t kMaxCachedBytes = 64u << 20;

  ProvisioningFiles(std::shared_ptr<const tftp::FileSource> files, Signer signer,
                    pki::Digest digest);

  tftp::FileLookup Open(std::string_view name) const override;

  /// In a cluster, before serving: the secret every node derives alike (from the cluster key),
  /// so that the encrypted configurations of all nodes are the same bytes (sgn::EncryptConfig).
  void SetSameBytesSecret(Bytes secret) { same_bytes_secret_ = std::move(secret); }

  /// The phones whose configuration is served encrypted only, from now on.
  void SetEncryptedDevices(std::shared_ptr<const EncryptedDevices> devices);
  std::shared_ptr<const EncryptedDevices> encrypted_devices() const;

  /// How many signed copies were made (a cache miss each), for tests and metrics.
  std::uint64_t signatures_made() const;

 private:
  struct Made {
    std::string key;  ///< what the copy was made from: the file's identity, the certificates
    std::shared_ptr<const Bytes> bytes;
    std::time_t modified = 0;
  };
  enum class Kind { kSigned, kPointer, kEncrypted };

  tftp::FileLookup Make(const std::string& name, const tftp::FileLookup& source, Kind kind,
                        const pki::Certificate* device) const;
  tftp::FileLookup OpenEncrypted(const std::string& name, const std::string& config_name,
                                 const EncryptedDevice& device, int suffix) const;

  std::shared_ptr<const tftp::FileSource> files_;
  Signer signer_;
  pki::Digest digest_;
  mutable std::mutex mu_;
  mutable std::mutex making_;                  // one copy made at a time: the others then find it
  mutable std::map<std::string, Made> cache_;  // by the canonical name asked for
  mutable std::size_t cached_bytes_ = 0;
  mutable std::uint64_t signatures_made_ = 0;
  std::shared_ptr<const EncryptedDevices> encrypted_ = std::make_shared<const EncryptedDevices>();
  std::optional<Bytes> same_bytes_secret_;
};

}  // namespace opencapf::service
