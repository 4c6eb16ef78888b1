#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace opencapf::phone {

/// A server as a person names it on a command line: host name or address, and port.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  /// "host:port", with brackets around an IPv6 address.
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};

/// Parses "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT" (a bare IPv6 address is taken whole);
/// a missing port is `default_port`. The error says what was wrong and what to type.
Result<HostPort> ParseHostPort(std::string_view text, std::uint16_t default_port);

/// Whether `host` is an IPv4 or IPv6 address literal rather than a name to resolve.
bool IsAddressLiteral(const std::string& host);

}  // namespace opencapf::phone
