#include "phone/state.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "base/file.h"

namespace opencapf::phone {

namespace fs = std::filesystem;

namespace {

Result<std::optional<Bytes>> ReadIfPresent(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<Bytes>();
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  return std::optional<Bytes>(std::move(*bytes));
}

Bytes FromText(const std::string& text) { return Bytes(text.begin(), text.end()); }

Result<std::optional<capf::HeldCertificate>> ReadHeld(const fs::path& certificate,
                                                      const fs::path& key, capf::CertType type) {
  std::error_code ec;
  if (!fs::exists(certificate, ec)) return std::optional<capf::HeldCertificate>();
  auto held = LoadHeldCertificate(certificate, key, type);
  if (!held.ok()) return held.error();
  return std::optional<capf::HeldCertificate>(std::move(*held));
}

}  // namespace

Result<capf::HeldCertificate> LoadHeldCertificate(const fs::path& certificate, const fs::path& key,
                                                  capf::CertType type) {
  auto cert = pki::Certificate::Load(certificate);
  if (!cert.ok()) return Context(certificate.string(), cert.error());
  auto private_key = pki::PrivateKey::Load(key);
  if (!private_key.ok()) {
    return Fail(key.string() + ": no private key (" + private_key.message() +
                "); put the certificate and its key in one PEM file");
  }
  if (!private_key->Matches(*cert)) {
    return Fail(key.string() + ": the private key does not belong to the certificate " +
                cert->Subject());
  }
  return capf::HeldCertificate{type, std::move(*cert), std::move(*private_key)};
}

Result<PhoneState> PhoneState::Open(const fs::path& dir, bool create) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (!create) return Fail(dir.string() + " is not a phone state directory (it does not exist)");
    fs::create_directories(dir, ec);
    if (ec) return Fail("cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  return PhoneState(dir);
}

Result<std::optional<Bytes>> PhoneState::Itl() const { return ReadIfPresent(dir_ / "itl.tlv"); }

Status PhoneState::SaveItl(ByteView bytes) const {
  return WriteFileAtomic(dir_ / "itl.tlv", bytes, 0644);
}

Result<std::optional<capf::HeldCertificate>> PhoneState::Lsc() const {
  return ReadHeld(dir_ / "lsc.pem", dir_ / "lsc.key", capf::CertType::kLsc);
}

Status PhoneState::SaveLsc(const pki::Certificate& certificate, const pki::PrivateKey& key) const {
  // The key first, so that a certificate on disk always has its key beside it.
  if (auto st = WriteFileAtomic(dir_ / "lsc.key", FromText(key.ToPem()), 0600); !st.ok()) {
    return st;
  }
  return WriteFileAtomic(dir_ / "lsc.pem", FromText(certificate.ToPem()), 0644);
}

Status PhoneState::RemoveLsc() const {
  std::error_code ec;
  fs::remove(dir_ / "lsc.pem", ec);
  if (ec) return Fail("cannot remove " + (dir_ / "lsc.pem").string() + ": " + ec.message());
  fs::remove(dir_ / "lsc.key", ec);
  return Status::Ok();
}

Result<std::optional<capf::HeldCertificate>> PhoneState::Mic() const {
  return ReadHeld(dir_ / "mic.pem", dir_ / "mic.pem", capf::CertType::kMic);
}

Status PhoneState::SaveMic(const capf::HeldCertificate& mic) const {
  return WriteFileAtomic(dir_ / "mic.pem", FromText(mic.certificate.ToPem() + mic.key.ToPem()),
                         0600);
}

Result<std::optional<LastRun>> PhoneState::Last() const {
  auto bytes = ReadIfPresent(dir_ / "last-run.json");
  if (!bytes.ok()) return bytes.error();
  if (!*bytes) return std::optional<LastRun>();
  try {
    const auto j = nlohmann::json::parse((*bytes)->begin(), (*bytes)->end());
    LastRun run;
    run.device = j.value("device", "");
    run.at = j.value("at", std::time_t{0});
    run.tftp = j.value("tftp", "");
    run.capf = j.value("capf", "");
    run.status_messages = j.value("status_messages", std::vector<std::string>{});
    run.exit_code = j.value("exit_code", 0);
    return std::optional<LastRun>(run);
  } catch (const nlohmann::json::exception& e) {
    return Fail((dir_ / "last-run.json").string() + ": not readable JSON: " + e.what());
  }
}

Status PhoneState::SaveLast(const LastRun& run) const {
  nlohmann::ordered_json j;
  j["device"] = run.device;
  j["at"] = run.at;
  j["tftp"] = run.tftp;
  j["capf"] = run.capf;
  j["status_messages"] = run.status_messages;
  j["exit_code"] = run.exit_code;
  return WriteFileAtomic(dir_ / "last-run.json", FromText(j.dump(2) + "\n"), 0644);
}

}  // namespace opencapf::phone
