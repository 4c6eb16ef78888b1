#include "service/provisioning_files.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <vector>

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

// The components of a path between its slashes, empty ones included ("a//b/" is a, "", b, "").
std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    const std::size_t slash = std::min(path.find('/', at), path.size());
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

// A name as the directory walk reads it: "" and "." components dropped ("./a//b/." is "a/b").
std::string Canonical(std::string_view name) {
  std::string out;
  for (const std::string_view part : Components(name)) {
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + std::string(part);
  }
  return out;
}

std::string_view LastComponent(std::string_view canonical) {
  const std::size_t slash = canonical.rfind('/');
  return slash == std::string_view::npos ? canonical : canonical.substr(slash + 1);
}

struct EncryptedName {
  const EncryptedDevice* device = nullptr;
  int suffix = -1;     ///< index into kConfigSuffixes; -1: another file of the phone (refused)
  std::string prefix;  ///< the device's canonical name: the configuration is DEVICE.cnf.xml
};

// Whether `file` (a last path component) is a file of a phone in `devices`: DEVICE followed by
// a dot, in any letter case. The three names a phone asks for are made; any other such file (a
// backup, a copy) holds the configuration too, as far as anyone knows.
std::optional<EncryptedName> EncryptedConfigName(const EncryptedDevices& devices,
                                                 std::string_view file) {
  if (devices.empty()) return std::nullopt;
  const std::size_t dot = file.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto device = store::NormalizeDeviceName(file.substr(0, dot));
  if (!device.ok()) return std::nullopt;
  auto it = devices.find(*device);
  if (it == devices.end()) return std::nullopt;
  EncryptedName out{&it->second, -1, *device};
  const std::string_view rest = file.substr(dot);
  for (int suffix = 0; suffix < 3; ++suffix) {
    const std::string_view tail = kConfigSuffixes[suffix];
    if (rest.size() == tail.size() && EndsWithNoCase(rest, tail)) out.suffix = suffix;
  }
  return out;
}

// Whether a component of `path` (a file's path in the root) is a file or directory of a phone
// in `devices`.
bool PhonesFileOnPath(const EncryptedDevices& devices, std::string_view path) {
  if (devices.empty()) return false;
  return std::ranges::any_of(Components(path), [&](std::string_view part) {
    return EncryptedConfigName(devices, part).has_value();
  });
}

}  // namespace

ProvisioningFiles::ProvisioningFiles(std::shared_ptr<const tftp::FileSource> files, Signer signer,
                                     pki::Digest digest)
    : files_(std::move(files)), signer_(std::move(signer)), digest_(digest) {}

void ProvisioningFiles::SetEncryptedDevices(std::shared_ptr<const EncryptedDevices> devices) {
  std::lock_guard lock(mu_);
  encrypted_ = devices ? std::move(devices) : std::make_shared<const EncryptedDevices>();
}

std::shared_ptr<const EncryptedDevices> ProvisioningFiles::encrypted_devices() const {
  std::lock_guard lock(mu_);
  return encrypted_;
}

tftp::FileLookup ProvisioningFiles::Open(std::string_view asked) const {
  const auto devices = encrypted_devices();
  const std::string name = Canonical(asked);
  // Asked by its name — in any letter case, in a directory, with "./" — it is made here.
  if (auto encrypted = EncryptedConfigName(*devices, LastComponent(name))) {
    const std::size_t dir = name.size() - LastComponent(name).size();
    const std::string config_name =
        name.substr(0, dir) + encrypted->prefix + std::string(kConfigSuffixes[0]);
    return OpenEncrypted(name, config_name, *encrypted->device, encrypted->suffix);
  }
  // Any other name that leads to such a file (a symbolic link), or to a file in a directory of
  // such a phone ("SEP….d/x.xml", a copy as far as anyone knows), is refused too.
  auto leak_checked = [&](tftp::FileLookup lookup) {
    if (lookup.ok() && PhonesFileOnPath(*devices, lookup.path)) {
      spdlog::warn(
          "provisioning: {} leads to {}, a file of a phone whose configuration is served "
          "encrypted only: refused",
          name, lookup.path);
      return tftp::FileLookup::Refused(
          tftp::FileError::kAccessViolation,
          name + ": it leads to a phone's configuration that is served encrypted only");
    }
    return lookup;
  };

  tftp::FileLookup direct = leak_checked(files_->Open(asked));
  if (direct.ok() || direct.error != tftp::FileError::kNotFound || !sgn::IsSignedName(name)) {
    return direct;
  }
  const std::string unsigned_name = name.substr(0, name.size() - 4);
  if (unsigned_name.empty() || unsigned_name.back() == '/') return direct;
  tftp::FileLookup source = leak_checked(files_->Open(unsigned_name));
  if (!source.ok()) {
    if (source.error == tftp::FileError::kNotFound) return direct;
    return source;
  }
  return Make(name, source, Kind::kSigned, nullptr);
}

tftp::FileLookup ProvisioningFiles::OpenEncrypted(const std::string& name,
                                                  const std::string& config_name,
                                                  const EncryptedDevice& device, int suffix) const {
  if (suffix < 0) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        name + ": a file of a phone whose configuration is served encrypted only");
  }
  if (!device.certificate) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        name +
            ": this phone's configuration is served encrypted only, and it cannot be "
            "encrypted: " +
            (device.problem.empty() ? std::string("no certificate to encrypt it to")
                                    : device.problem));
  }
  if (suffix == 0) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        name + ": this phone's configuration is served encrypted only (" + name + ".enc.sgn)");
  }
  tftp::FileLookup source = files_->Open(config_name);
  if (!source.ok()) {
    if (source.error == tftp::FileError::kNotFound) {
      return tftp::FileLookup::Refused(
          tftp::FileError::kNotFound,
          name + ": no such file (" + config_name + " is not in the TFTP root)");
    }
    return source;
  }
  // Another name for the same bytes would serve them in the clear: a link is refused.
  if (source.file_name != LastComponent(config_name) || source.links > 1) {
    spdlog::error(
        "provisioning: {} is {}: the configuration of a phone served encrypted only must be a "
        "regular file with no other name, or its plain bytes could be asked for by that name; "
        "not served",
        config_name,
        source.links > 1 ? "a file with " + std::to_string(source.links) + " names (hard links)"
                         : "a symbolic link to " + source.file_name);
    return tftp::FileLookup::Refused(
        tftp::FileError::kAccessViolation,
        name + ": the server will not serve this phone's configuration (see its log)");
  }
  return Make(name, source, suffix == 2 ? Kind::kEncrypted : Kind::kPointer, &*device.certificate);
}

tftp::FileLookup ProvisioningFiles::Make(const std::string& name, const tftp::FileLookup& source,
                                         Kind kind, const pki::Certificate* device) const {
  if (source.bytes->size() > kMaxSignedSize) {
    return tftp::FileLookup::Refused(
        tftp::FileError::kUnavailable,
        name + ": the file is over " + std::to_string(kMaxSignedSize >> 20) +
            " MiB, too large to be signed on demand (firmware carries its own signatures; "
            "sign it with opencapf sgn build and put the .sgn in the root)");
  }
  const std::shared_ptr<const Identity> signer = signer_ ? signer_() : nullptr;
  if (!signer) {
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     name + ": no TFTP certificate to sign it with");
  }
  // What the copy depends on. The encrypted one's random key and IV make every copy differ, so
  // it is made once per change, and TFTP retransmissions and HTTP get the same bytes.
  std::string key =
      source.identity.empty() ? HexLower(pki::Sha256(*source.bytes)) : source.identity;
  key += "|" + HexLower(signer->certificate.Fingerprint(pki::Digest::kSha256));
  key += "|" + std::to_string(static_cast<int>(kind));
  if (device) key += "|" + HexLower(device->Fingerprint(pki::Digest::kSha256));
  auto cached = [&]() -> std::optional<tftp::FileLookup> {
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it == cache_.end() || it->second.key != key) return std::nullopt;
    return tftp::FileLookup::Found(it->second.bytes, it->second.modified);
  };
  if (auto hit = cached()) return *hit;
  std::lock_guard one_at_a_time(making_);
  if (auto hit = cached()) return *hit;  // made while this caller waited

  sgn::SignOptions options;
  options.digest = digest_;
  options.filename = std::string(LastComponent(name));
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
      made = sgn::EncryptConfig(signer->certificate, signer->key, *source.bytes, *device, options,
                                same_bytes_secret_ ? &*same_bytes_secret_ : nullptr);
      break;
  }
  if (!made.ok()) {
    spdlog::error("provisioning: cannot make {}: {}", name, made.message());
    return tftp::FileLookup::Refused(tftp::FileError::kUnavailable,
                                     name + ": the server cannot make it (see its log)");
  }
  auto bytes = std::make_shared<const Bytes>(std::move(*made));
  // The copy's bytes are new even when the file is not (a new LSC, a new signer): a client that
  // asks If-Modified-Since must not be told it has them.
  const std::time_t modified = std::max(source.modified, std::time(nullptr));
  {
    std::lock_guard lock(mu_);
    ++signatures_made_;
    auto it = cache_.find(name);
    if (it != cache_.end()) {
      cached_bytes_ -= it->second.bytes->size();
      cache_.erase(it);
    }
    if (cached_bytes_ + bytes->size() > kMaxCachedBytes) {
      cache_.clear();
      cached_bytes_ = 0;
    }
    cache_[name] = Made{std::move(key), bytes, modified};
    cached_bytes_ += bytes->size();
  }
  return tftp::FileLookup::Found(std::move(bytes), modified);
}

std::uint64_t ProvisioningFiles::signatures_made() const {
  std::lock_guard lock(mu_);
  return signatures_made_;
}

}  // namespace opencapf::service
