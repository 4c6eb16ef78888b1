#pragma once

// The administration server: HTTPS (TLS 1.2+, certs/admin.pem) with the web page, the REST API
// under /api/v1, /healthz and /metrics. It runs on its own threads (cpp-httplib's pool), beside
// the Asio services, and shares the store with them.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "admin/context.h"
#include "base/result.h"

namespace httplib {
class SSLServer;
}

namespace opencapf::admin {

struct AdminSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8443;  ///< 0: any free port (tests)
  /// Bodies larger than this are refused with 413 (a bulk import of ~20000 phones fits).
  std::size_t max_body = 4 * 1024 * 1024;
};

class AdminServer {
 public:
  /// Loads certs/admin.pem and its key, registers every route and binds. Nothing is served yet.
  static Result<std::unique_ptr<AdminServer>> Create(std::unique_ptr<AdminContext> context,
                                                     const AdminSettings& settings);
  ~AdminServer();

  /// Serves on a thread of its own until Stop().
  void Start();
  /// Stops serving and joins the thread. Safe to call twice.
  void Stop();

  std::uint16_t port() const { return port_; }
  /// True once it accepts connections.
  bool running() const;
  AdminContext& context() { return *context_; }

 private:
  AdminServer() = default;

  std::unique_ptr<AdminContext> context_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
  std::uint16_t port_ = 0;
};

}  // namespace opencapf::admin
