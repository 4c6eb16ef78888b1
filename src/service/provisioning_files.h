#pragma once

// What phones download, over TFTP and HTTP alike: the files of the TFTP root (and what serve
// publishes in front of it), with NAME.sgn signed on demand by the TFTP certificate.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pki/digest.h"
#include "service/data_dir.h"
#include "tftp/file_source.h"

namespace opencapf::service {

/// A file source in front of another (the published files and the TFTP root):
///  - a name the source has is served as it is — a `.sgn` the administrator placed in the root
///    included;
///  - `NAME.sgn` that the source lacks, when it has NAME, is NAME signed (wire-formats.md §5) by
///    the certificate `signer` returns (the ITL's TFTP record), FILENAME the name asked for,
///    TIMESTAMP NAME's modification time — so nodes holding the same file serve the same bytes.
///    The signed copy is kept and made again when NAME's bytes or the signer change;
///  - refusals (`..`, absolute names, symlinks out of the root) stay refusals: the unsigned
///    name is looked up by the same source, with the same walls.
/// Safe to call from several threads; signing happens on the caller's thread, outside the lock.
class ProvisioningFiles final : public tftp::FileSource {
 public:
  using Signer = std::function<std::shared_ptr<const Identity>()>;

  ProvisioningFiles(std::shared_ptr<const tftp::FileSource> files, Signer signer,
                    pki::Digest digest, std::size_t max_cached = 4096);

  tftp::FileLookup Open(std::string_view name) const override;

  /// How many signed copies were made (a cache miss each), for tests and metrics.
  std::uint64_t signatures_made() const;

 private:
  struct Signed {
    Bytes content_sha256;
    Bytes signer_sha256;
    std::shared_ptr<const Bytes> bytes;
    std::time_t modified = 0;
  };

  std::shared_ptr<const tftp::FileSource> files_;
  Signer signer_;
  pki::Digest digest_;
  std::size_t max_cached_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Signed> cache_;  // by the name asked for
  mutable std::uint64_t signatures_made_ = 0;
};

}  // namespace opencapf::service
