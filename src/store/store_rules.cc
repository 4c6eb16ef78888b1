#include "store/store_rules.h"

#include <algorithm>
#include <map>

namespace opencapf::store::rules {

namespace {

/// The shortest prefix `trust remove` accepts: 8 hex digits, one in four billion to collide.
constexpr std::size_t kMinPrefix = 8;

}  // namespace

const Slot* FindSlot(std::string_view name) {
  for (const Slot& slot : kSlots) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

std::string StoredName(std::string_view name) {
  auto canonical = NormalizeDeviceName(name);
  return canonical.ok() ? *canonical : std::string(name);
}

std::string JoinSome(const std::vector<std::string>& items, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) {
    if (i > 0) out += "; ";
    out += items[i];
  }
  if (items.size() > max) out += "; and " + std::to_string(items.size() - max) + " more";
  return out;
}

Status CheckSave(const Device& device, const std::optional<Event>& event) {
  Status valid = Validate(device);
  if (!valid.ok()) return Fail("not saved: " + valid.message());
  if (event && !event->device.empty() && StoredName(event->device) != device.name) {
    return Fail("not saved: the event names device " + event->device + ", not " + device.name);
  }
  return Status::Ok();
}

Status CheckAddAll(const std::vector<Device>& devices) {
  const std::string nothing = devices.size() == 1 ? "not added: " : "nothing imported: ";
  std::vector<std::string> problems;
  std::map<std::string, std::size_t> first;  // name -> 1-based position
  for (std::size_t i = 0; i < devices.size(); ++i) {
    Status valid = Validate(devices[i]);
    if (!valid.ok()) problems.push_back(valid.message());
    auto [it, fresh] = first.emplace(devices[i].name, i + 1);
    if (!fresh) {
      problems.push_back(devices[i].name + " is given twice (entries " +
                         std::to_string(it->second) + " and " + std::to_string(i + 1) + ")");
    }
  }
  if (!problems.empty()) return Fail(nothing + JoinSome(problems));
  return Status::Ok();
}

std::string AddAllDoing(const std::vector<Device>& devices) {
  return devices.size() == 1 ? "adding device " + devices[0].name
                             : "importing " + std::to_string(devices.size()) + " devices";
}

Error AlreadyExist(const std::vector<Device>& devices, const std::vector<std::string>& existing) {
  if (devices.size() == 1) return Fail("not added: device " + existing.at(0) + " already exists");
  return Fail("nothing imported: " + std::to_string(existing.size()) +
              " of the devices already exist: " + JoinSome(existing));
}

Error NotSaved(const Device& device, std::optional<std::int64_t> stored) {
  if (!stored) {
    return Fail("not saved: there is no device " + device.name +
                " (removed meanwhile?); add it first");
  }
  return Fail("not saved: device " + device.name +
              " was changed by someone else since it was read (stored version " +
              std::to_string(*stored) + ", this copy " + std::to_string(device.version) +
              "); read it again and redo the change");
}

std::string Describe(const TrustedCertificate& entry) {
  return entry.sha256 + (entry.subject.empty() ? "" : " (" + entry.subject + ")");
}

TrustChange Combine(TrustChange a, TrustChange b) {
  if (a == TrustChange::kAdded || b == TrustChange::kAdded) return TrustChange::kAdded;
  if (a == TrustChange::kUpdated || b == TrustChange::kUpdated) return TrustChange::kUpdated;
  return TrustChange::kUnchanged;
}

bool ServiceSet::Replaces(const std::string& sha256,
                          const std::vector<std::uint16_t>& held_roles) const {
  if (keep.count(sha256)) return false;
  return std::any_of(held_roles.begin(), held_roles.end(),
                     [&](std::uint16_t r) { return roles.count(r) > 0; });
}

Result<ServiceSet> CheckServiceSet(const std::vector<TrustedCertificate>& entries) {
  ServiceSet out;
  for (const TrustedCertificate& e : entries) {
    Status valid = Validate(e);
    if (!valid.ok()) return Fail("service certificates not trusted: " + valid.message());
    if (!out.keep.insert(e.sha256).second) {
      return Fail("service certificates not trusted: " + Describe(e) +
                  " is given twice; merge its roles into one entry");
    }
    out.roles.insert(e.roles.begin(), e.roles.end());
  }
  return out;
}

Result<std::string> FullSha256(std::string_view sha256) {
  auto key = NormalizeSha256(sha256);
  if (!key.ok()) return key.error();
  if (key->size() != 64) {
    return Fail("'" + std::string(sha256) + "' has " + std::to_string(key->size()) +
                " hex digits; a SHA-256 has 64");
  }
  return key;
}

Result<std::string> Sha256Prefix(std::string_view sha256) {
  auto key = NormalizeSha256(sha256);
  if (!key.ok()) return key.error();
  if (key->size() < kMinPrefix) {
    return Fail("'" + std::string(sha256) + "' is too short: give the SHA-256 or at least its " +
                std::to_string(kMinPrefix) +
                " first hex digits ('opencapf trust list' shows them)");
  }
  return key;
}

Error NotOneMatch(const std::string& key, const std::vector<TrustedCertificate>& found) {
  if (found.empty()) {
    return Fail("no trusted certificate has a SHA-256 " +
                std::string(key.size() == 64 ? "of " : "starting with ") + key +
                " ('opencapf trust list' shows what is trusted)");
  }
  std::string which;
  for (const auto& e : found) which += "\n  " + Describe(e);
  return Fail(std::to_string(found.size()) + " trusted certificates have a SHA-256 starting with " +
              key + "; give more digits:" + which);
}

}  // namespace opencapf::store::rules
