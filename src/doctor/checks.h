#pragma once

// What the checks share, and the checks themselves (one file per concern).
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "doctor/doctor.h"
#include "phone/connect.h"
#include "pki/certificate.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "store/store.h"

namespace opencapf::doctor {

struct Context {
  const DoctorOptions& options;
  const Clock& clock;
  std::time_t now = 0;
  service::DataDir dir;
  service::Config config;
  std::unique_ptr<store::Store> store;  ///< null when it cannot be opened (a finding says so)
  std::optional<pki::Certificate> capf_on_disk;
  std::optional<pki::Certificate> capf_on_wire;  ///< what CAPF presented in the TLS handshake
  /// The ITLFile.tlv the first TFTP server checked served, when it served one.
  std::optional<Bytes> served_itl;
  phone::HostPort capf;  ///< where CAPF was checked
  std::vector<Finding> findings;

  void Add(std::string check, Level level, std::string summary, std::string cause = {},
           std::string fix = {}) {
    findings.push_back(
        {std::move(check), level, std::move(summary), std::move(cause), std::move(fix)});
  }
  /// "--data DIR" for commands a fix suggests.
  std::string DataArg() const;
};

/// The address to reach a service listening on `listen` (0.0.0.0 → 127.0.0.1).
std::string LocalAddress(const std::string& listen);

/// "3d", "5h", "12m": a span, roughly.
std::string Span(long long seconds);

/// A TLS handshake with host:port as a phone makes it (no client certificate), on an
/// io_context of its own.
phone::TlsConnection ConnectBlocking(const std::string& host, std::uint16_t port,
                                     std::chrono::seconds timeout);

/// When `serve` runs on this data directory (its runtime file): its ports replace the configured
/// ones in `config`, and an OK finding says so; a file left by a server that has ended is a WARN;
/// no file, nothing (the listening checks report what is down).
std::optional<Finding> CheckRunningServer(const service::DataDir& dir, service::Config& config);

// certificates.cc
void CheckCapfCertificate(Context& c);
void CheckServiceCertificates(Context& c);
// services.cc
void CheckCapfListening(Context& c);
void CheckTvsListening(Context& c);
void CheckTftpServers(Context& c);
void CheckTvsTrust(Context& c);
void CheckHostNames(Context& c);
// devices.cc
void CheckDevices(Context& c);

// provisioning.cc
void CheckProvisioning(Context& c);
// cluster.cc
void CheckCluster(Context& c);
// ocsp.cc
void CheckRevocationServices(Context& c);

}  // namespace opencapf::doctor
