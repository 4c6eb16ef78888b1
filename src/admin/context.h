#pragma once

// What every handler of the administration server works with: the data directory, the store,
// the clock, the live services (for the dashboard, /healthz and /metrics) and the in-memory
// login state. One per server; handlers run on the server's worker threads at once, so every
// member is either immutable after construction or safe to share.

#include <cstdint>
#include <functional>
#include <memory>
#include <semaphore>
#include <string>

#include "admin/auth.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "http/file_server.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "store/store.h"
#include "tftp/server.h"

namespace opencapf::admin {

/// Whether each service listens, and on which port (0 when it does not).
struct ServiceState {
  bool capf = false, tftp = false, tvs = false;
  std::uint16_t capf_port = 0, tftp_port = 0, tvs_port = 0, admin_port = 0;
  /// Connections or transfers in flight now.
  int capf_active = 0, tvs_active = 0, tftp_active = 0;
  tftp::TftpStats tftp_stats{};
  /// HTTP provisioning; `http` false and zero counters when it is off.
  bool http = false;
  std::uint16_t http_port = 0;
  http::HttpStats http_stats{};
};

struct AdminContext {
  service::DataDir dir;
  service::Config config;
  store::Store& store;
  const Clock& clock;
  /// Counters the services keep; /metrics renders them.
  Metrics& metrics;
  /// The ITLFile.tlv phones get now; nullptr when none is served (a test without TFTP).
  std::function<std::shared_ptr<const Bytes>()> served_itl;
  /// The services' state now.
  std::function<ServiceState()> services;
  /// Asks the running services to load changed certificate files at once (after a regenerate
  /// or an import) instead of at the next poll; an error says why they kept the previous ones.
  /// May be empty.
  std::function<Status(const std::string& why)> reload;

  LoginSessions sessions{30 * 60, 12 * 3600};
  LoginRateLimiter login_limiter{5, 300};
  /// Password checks at once: each is a 32 MiB scrypt, and logins need no credentials, so more
  /// than this wait (503) instead of taking every core and a gigabyte between them.
  std::counting_semaphore<16> password_checks{2};
};

}  // namespace opencapf::admin
