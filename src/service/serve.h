#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"

namespace opencapf::service {

struct ServeOptions {
  std::filesystem::path data = "var/opencapf";
  std::optional<std::uint16_t> capf_port;  ///< overrides [capf] port
  std::optional<std::string> listen;       ///< overrides listen_address
  int threads = 0;                         ///< 0: one per core
  /// Called once every listener is up, with the CAPF port actually bound (tests use port 0).
  std::function<void(std::uint16_t capf_port)> on_ready;
};

/// `opencapf serve`: initialises the data directory when it is empty, loads the configuration,
/// the certificates (each key once) and the store, starts the services and runs until SIGINT or
/// SIGTERM. Returns why it could not start, or OK after a clean stop.
Status Serve(const ServeOptions& options);

}  // namespace opencapf::service
