#include "service/provisioning_files.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sgn/encrypted_config.h"
#include "sgn/signed_file.h"
#include "store/device.h"

namespace opencapf::service {

namespace {

constexpr std::string_view kConfigSuffixes[] = {".cnf.xml", ".cnf.xml.sgn", ".cnf.xml.enc.sgn"};

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - suffix.size(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

// The last component of a name as the directory walk reads it ("./a//b/." is "b").
std::string_view LastComponent(std::string_view name) {
  while (!name.empty()) {
    const std::size_t slash = name.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
    if (!last.empty() && last != ".") return last;
    if (slash == std::string_view::npos) return {};
    name = name.substr(0, slash);
  }
  return {};
}

struct EncryptedName {
  const EncryptedDevice* device = nullptr;
  int suffix = 0;  ///< index into kConfigSuffixes
  std::string_view prefix;
};

// Whether `file` (a last path component) is a configuration file of a phone in `devices`; the
// longest suffix first, so that ".cnf.xml.enc.sgn" is not read as a device named "X.enc".
std::optional<EncryptedName> EncryptedConfigName(const EncryptedDevices& devices,
                                                 std::string_view file) {
  for (int suffix = 2; suffix >= 0; --suffix) {
    const std::string_view tail = kConfigSuffixes[suffix];
    if (!EndsWithNoCase(file, tail)) continue;
    const std::string_view prefix = file.substr(0, file.size() - tail.size());
    auto device = store::NormalizeDeviceName(prefix);
    if (!device.ok()) return std::nullopt;
    auto it = devices.find(*device);
    if (it == devices.end()) return std::nullopt;
    return EncryptedName{&it->second, suffix, prefix};
  }
  return std::nullopt;
}

}  // namespace

ProvisioningFiles::ProvisioningFiles(std::shared_ptr<const tftp::FileSource> files, Signer signer,
                                     pki::Digest digest, std::size_t max_cached)
    : files_(std::move(files)),
      signer_(std::move(signer)),
      digest_(digest),
      max_cached_(max_cached) {}

void ProvisioningFiles::SetEncryptedDevices(std::shared_ptr<const EncryptedDevices> devices) {
  std::lock_guard lock(mu_);
  encrypted_ = devices ? std::move(devices) : std::make_shared<const EncryptedDevices>();
}

std::shared_ptr<const EncryptedDevices> ProvisioningFiles::encrypted_devices() const {
  std::lock_guard lock(mu_);
  return encrypted_;
}

tftp::FileLookup ProvisioningFiles::Open(std::string_view name) const {
  const auto devices = encrypted_devices();
  if (!devices->empty()) {
    // Asked by its name — in any letter case, in a directory, with "./" — it is made here.
    if (auto encrypted = EncryptedConfigName(*devices, LastComponent(name))) {
      const std::size_t dir = name.size() - LastComponent(name).size();
      const std::string config_name = std::string(name.substr(0, dir)) +
                                      std::string(encrypted->prefix) +
                                      std::string(kConfigSuffixes[0]);
      return OpenEncrypted(name, config_name, *encrypted->device, encrypted->suffix);
    }
  }
  // Any other name that leads to such a file (a symbolic link) is refused too.
  auto leak_checked = [&](tftp::FileLookup lookup) {
    if (lookup.ok() && !devices->empty() && EncryptedConfigName(*devices, lookup.file_name)) {
      spdlog::warn(
          "provisioning: {} leads to {}, the configuration of a phone served encrypted "
          "only: refused",
          std::string(name), lookup.file_name);
      return tftp::FileLookup::Refused(
          tftp::FileError::kAccessViolation,
          std::string(name) +
              ": it leads to a phone's configuration that is served encrypted only");
    }
    return lookup;
  };

  tftp::FileLookup direct = leak_checked(files_->Open(name));
  if (direct.ok() || direct.error != tftp::FileError::kNotFound || !sgn::IsSignedName(name)) {
    return direct;
  }
  const std::string_view unsigned_name = name.substr(0, name.size() - 4);
  if (unsigned_name.empty()) return direct;
  tftp::FileLookup source = leak_checked(files_->Open(unsigned_name));
  if (!source.ok()) {
    if (source.error == tftp::FileError::kNotFound) return direct;
    return source;
  }
  return Make(std::string(name), source, Kind::kSigned, nullptr);
}

tftp::FileLookup ProvisioningFiles::OpenEncrypted(std::string_view name,
                                                  const std::string& config_name,
                                                  const EncryptedDevice& device, int suffix) const {
  const std::string asked(name);
  if (!device.certificate) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        asked +
            ": this phone's configuration is served encrypted only, and it cannot be "
            "encrypted: " +
            (device.problem.empty() ? std::string("no certificate to encrypt it to")
                                    : device.problem));
  }
  if (suffix == 0) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        asked + ": this phone's configuration is served encrypted only (" + asked + ".enc.sgn)");
  }
  tftp::FileLookup source = files_->Open(config_name);
  if (!source.ok()) {
    if (source.error == tftp::FileError::kNotFound) {
      return tftp::FileLookup::Refused(
          tftp::FileError::kNotFound,
          asked + ": no such file (" + config_name + " is not in the TFTP root)");
    }
    return source;
  }
  return Make(asked, source, suffix == 2 ? Kind::kEncrypted : Kind::kPointer, &*device.certificate);
}

tftp::FileLookup ProvisioningFiles::Make(const std::string& name, const tftp::FileLookup& source,
                                         Kind kind, const pki::Certificate* device) const {
  const std::shared_ptr<const Identity> signer = signer_ ? signer_() : nullptr;
  if (!signer) {
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     name + ": no TFTP certificate to sign it with");
  }
  // What the copy depends on; the encrypted one's random key and IV make every copy differ, so
  // it is made once per change, and TFTP retransmissions and HTTP get the same bytes.
  Bytes key = pki::Sha256(*source.bytes);
  const Bytes signer_sha = signer->certificate.Fingerprint(pki::Digest::kSha256);
  key.insert(key.end(), signer_sha.begin(), signer_sha.end());
  key.push_back(static_cast<std::uint8_t>(kind));
  if (device) {
    const Bytes device_sha = device->Fingerprint(pki::Digest::kSha256);
    key.insert(key.end(), device_sha.begin(), device_sha.end());
  }
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.key == key) {
      return tftp::FileLookup::Found(it->second.bytes, it->second.modified);
    }
  }
  sgn::SignOptions options;
  options.digest = digest_;
  options.filename = name;
  options.timestamp = static_cast<std::uint32_t>(source.modified);
  Result<Bytes> made = Fail("");
  switch (kind) {
    case Kind::kSigned:
      made = sgn::Sign(signer->certificate, signer->key, *source.bytes, options);
      break;
    case Kind::kPointer: {
      auto pointer = sgn::PointerConfig(*source.bytes, *device);
      made = pointer.ok() ? sgn::Sign(signer->certificate, signer->key, BytesOf(*pointer), options)
                          : Result<Bytes>(pointer.error());
      break;
    }
    case Kind::kEncrypted:
      made = sgn::EncryptConfig(signer->certificate, signer->key, *source.bytes, *device, options);
      break;
  }
  if (!made.ok()) {
    spdlog::error("provisioning: cannot make {}: {}", name, made.message());
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     name + ": the server cannot make it (see its log)");
  }
  auto bytes = std::make_shared<const Bytes>(std::move(*made));
  {
    std::lock_guard lock(mu_);
    ++signatures_made_;
    if (cache_.size() >= max_cached_ && cache_.find(name) == cache_.end()) cache_.clear();
    cache_[name] = Made{std::move(key), bytes, source.modified};
  }
  return tftp::FileLookup::Found(std::move(bytes), source.modified);
}

std::uint64_t ProvisioningFiles::signatures_made() const {
  std::lock_guard lock(mu_);
  return signatures_made_;
}

}  // namespace opencapf::service
