#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "opencapf_paths.h"
#include "service/runtime_status.h"

namespace opencapf::server {

struct ServeOptions;
class Services;
Status Serve(const ServeOptions& options);

struct ServeOptions {
  std::filesystem::path data = kDefaultDataDir;
  std::filesystem::path config;             ///< empty: service::DefaultConfigFor(data)
  std::optional<std::uint16_t> capf_port;   ///< overrides [capf] port (0: any free port)
  std::optional<std::uint16_t> tftp_port;   ///< overrides [tftp] port (0: any free port)
  std::optional<std::uint16_t> tvs_port;    ///< overrides [tvs] port (0: any free port)
  std::optional<std::uint16_t> http_port;   ///< overrides [http] port (0: any free port)
  std::optional<std::uint16_t> admin_port;  ///< overrides [admin] port (0: any free port)
  std::optional<std::uint16_t> ocsp_port;   ///< overrides [ocsp] port (0: any free port)
  std::optional<std::string> listen;        ///< overrides listen_address
  int threads = 0;                          ///< 0: one per core
  /// How often certificate files are checked for changes.
  std::chrono::seconds watch_interval{2};

  /// Every listener on 127.0.0.1 on any free port, `threads` threads, certificate files checked
  /// every second: a whole server embedded in a test or a tool.
  static ServeOptions OnLoopback(std::filesystem::path data, int threads = 2) {
    ServeOptions o;
    o.data = std::move(data);
    o.capf_port = o.tftp_port = o.tvs_port = o.admin_port = o.http_port = 0;
    o.listen = "127.0.0.1";
    o.threads = threads;
    o.watch_interval = std::chrono::seconds(1);
    return o;
  }
};

/// Everything `serve` runs, in one object: the store, the trust material and the listeners on
/// one io_context. Tests embed it; `opencapf serve` wraps it with signal handling.
class Services {
 public:
  /// Initialises the data directory when it is empty, loads the configuration, the store and
  /// the certificates (each key once), and binds every listener. Nothing is served yet.
  static Result<std::unique_ptr<Services>> Open(const ServeOptions& options, const Clock& clock);
  ~Services();

  /// Starts accepting and watching the certificate files.
  void Start();
  /// Runs the services on the configured threads until Stop(); returns when they have stopped.
  void Run();
  /// Stops accepting and ends Run(). Safe from any thread.
  void Stop();

  std::uint16_t capf_port() const;
  std::uint16_t tftp_port() const;
  std::uint16_t tvs_port() const;
  /// 0 when HTTP provisioning is off ([http] enabled = false).
  std::uint16_t http_port() const;
  /// 0 when the administration server is off ([admin] enabled = false).
  std::uint16_t admin_port() const;
  /// 0 when no OCSP responder runs.
  std::uint16_t ocsp_port() const;
  /// What `serve` writes to its runtime file: this process, the addresses and ports bound.
  service::RuntimeStatus Observed() const;

  struct Impl;

 private:
  friend Status Serve(const ServeOptions& options);
  explicit Services(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `opencapf serve`: Services::Open, then Run until SIGINT or SIGTERM; SIGHUP reloads the
/// certificates. Returns why it could not start, or OK after a clean stop.
Status Serve(const ServeOptions& options);

}  // namespace opencapf::server
