#pragma once

// What a simulated phone keeps between runs, in one directory (--state DIR): its ITL, its LSC
// and key, its MIC and key, and what the last enrollment showed.
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "capf/phone_session.h"

namespace opencapf::phone {

/// What the phone showed the last time it ran.
struct LastRun {
  std::string device;
  std::time_t at = 0;
  std::string tftp;  ///< "HOST:PORT"
  std::string capf;  ///< "HOST:PORT", empty when CAPF was never reached
  std::vector<std::string> status_messages;
  int exit_code = 0;
};

/// The phone's persistent state. Files: itl.tlv, lsc.pem + lsc.key, mic.pem (certificate and
/// key), last-run.json. Keys are written 0600, the directory is 0700.
class PhoneState {
 public:
  /// Opens (and with `create`, makes) the directory.
  static Result<PhoneState> Open(const std::filesystem::path& dir, bool create);

  const std::filesystem::path& dir() const { return dir_; }

  /// The ITL the phone trusts now, if it has one.
  Result<std::optional<Bytes>> Itl() const;
  Status SaveItl(ByteView bytes) const;

  Result<std::optional<capf::HeldCertificate>> Lsc() const;
  Status SaveLsc(const pki::Certificate& certificate, const pki::PrivateKey& key) const;
  Status RemoveLsc() const;

  Result<std::optional<capf::HeldCertificate>> Mic() const;
  Status SaveMic(const capf::HeldCertificate& mic) const;

  Result<std::optional<LastRun>> Last() const;
  Status SaveLast(const LastRun& run) const;

 private:
  explicit PhoneState(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

/// A certificate and its private key from one PEM file (as `--mic CERT.pem` takes them), or
/// from a certificate file and a key file.
Result<capf::HeldCertificate> LoadHeldCertificate(const std::filesystem::path& certificate,
                                                  const std::filesystem::path& key,
                                                  capf::CertType type);

}  // namespace opencapf::phone
