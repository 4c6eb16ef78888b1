#pragma once

// What a running `opencapf serve` tells the tools about itself: the file it writes once every
// listener is bound (DataDir::runtime_status()) and removes when it stops. `opencapf status`
// prints it; `doctor` checks the ports it names instead of the configured ones, so a server
// started with --capf-port is checked where it really is.
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "service/data_dir.h"

namespace opencapf::service {

/// One bound listener.
struct RuntimeListener {
  std::string service;    ///< "capf", "tftp", "http", "tvs", "ocsp", "admin"
  std::string transport;  ///< "tcp" or "udp"
  std::string address;    ///< as configured: 0.0.0.0 means every IPv4 address
  std::uint16_t port = 0;

  bool operator==(const RuntimeListener&) const = default;
};

struct RuntimeStatus {
  long pid = 0;
  /// When that process started (clock ticks after boot, /proc/PID/stat): a PID the kernel has
  /// given to another process since is not mistaken for the server.
  unsigned long long start_ticks = 0;
  std::string version;
  std::time_t started = 0;
  std::string data;    ///< the data directory, absolute
  std::string config;  ///< the configuration file, absolute
  std::vector<RuntimeListener> listeners;
  /// With a PostgreSQL store: the cluster and this node's name in it; empty otherwise.
  std::string cluster;
  std::string node;

  /// The port of `service`, or nullopt when it does not listen.
  std::optional<RuntimeListener> Find(const std::string& service) const;
  bool operator==(const RuntimeStatus&) const = default;
};

std::string RuntimeStatusJson(const RuntimeStatus& status);
/// Every field checked: a file that is not one serve wrote is an error that says so.
Result<RuntimeStatus> ParseRuntimeStatus(const std::string& json);

/// Written atomically (0644: it holds nothing secret), so a reader never sees half of it.
Status WriteRuntimeStatus(const DataDir& dir, const RuntimeStatus& status);
/// Removes it; a file that is already gone is fine.
void RemoveRuntimeStatus(const DataDir& dir);

/// What the runtime file says, when there is one. `running` is false when the process it names
/// is gone (serve was killed, or the machine restarted): the file is stale.
struct ObservedServer {
  RuntimeStatus status;
  bool running = false;
};
/// This process's RuntimeStatus::start_ticks (0 where /proc cannot tell).
unsigned long long OwnStartTicks();

/// nullopt: no runtime file (serve is not running on this data directory).
Result<std::optional<ObservedServer>> ReadRuntimeStatus(const DataDir& dir);

}  // namespace opencapf::service
