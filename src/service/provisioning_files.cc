#include "service/provisioning_files.h"

#include <spdlog/spdlog.h>

#include "sgn/signed_file.h"

namespace opencapf::service {

ProvisioningFiles::ProvisioningFiles(std::shared_ptr<const tftp::FileSource> files, Signer signer,
                                     pki::Digest digest, std::size_t max_cached)
    : files_(std::move(files)),
      signer_(std::move(signer)),
      digest_(digest),
      max_cached_(max_cached) {}

tftp::FileLookup ProvisioningFiles::Open(std::string_view name) const {
  tftp::FileLookup direct = files_->Open(name);
  if (direct.ok() || direct.error != tftp::FileError::kNotFound || !sgn::IsSignedName(name)) {
    return direct;
  }
  const std::string_view unsigned_name = name.substr(0, name.size() - 4);
  if (unsigned_name.empty()) return direct;
  tftp::FileLookup source = files_->Open(unsigned_name);
  if (!source.ok()) {
    if (source.error == tftp::FileError::kNotFound) return direct;
    return source;
  }
  const std::shared_ptr<const Identity> signer = signer_ ? signer_() : nullptr;
  if (!signer) {
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     std::string(name) + ": no TFTP certificate to sign it with");
  }
  Bytes content_sha256 = pki::Sha256(*source.bytes);
  Bytes signer_sha256 = signer->certificate.Fingerprint(pki::Digest::kSha256);
  const std::string key(name);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.content_sha256 == content_sha256 &&
        it->second.signer_sha256 == signer_sha256) {
      return tftp::FileLookup::Found(it->second.bytes, it->second.modified);
    }
  }
  sgn::SignOptions options;
  options.digest = digest_;
  options.filename = key;
  options.timestamp = static_cast<std::uint32_t>(source.modified);
  auto signed_file = sgn::Sign(signer->certificate, signer->key, *source.bytes, options);
  if (!signed_file.ok()) {
    spdlog::error("provisioning: cannot sign {}: {}", key, signed_file.message());
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     key + ": the server cannot sign it (see its log)");
  }
  auto bytes = std::make_shared<const Bytes>(std::move(*signed_file));
  {
    std::lock_guard lock(mu_);
    ++signatures_made_;
    if (cache_.size() >= max_cached_ && cache_.find(key) == cache_.end()) cache_.clear();
    cache_[key] =
        Signed{std::move(content_sha256), std::move(signer_sha256), bytes, source.modified};
  }
  return tftp::FileLookup::Found(std::move(bytes), source.modified);
}

std::uint64_t ProvisioningFiles::signatures_made() const {
  std::lock_guard lock(mu_);
  return signatures_made_;
}

}  // namespace opencapf::service
