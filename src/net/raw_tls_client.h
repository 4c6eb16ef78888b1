#pragma once

// Test support: a raw TLS client that sends chosen bytes to a server on 127.0.0.1 and collects
// what comes back, for the tests of misbehaving phones in both framed protocols.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::net::testing {

/// What a raw connection received.
struct RawResult {
  Bytes received;
  bool server_closed = false;  ///< the server closed the connection (not us)
};

/// Opens a TLS connection to 127.0.0.1:`port`, sends `bytes` (optionally one at a time with a
/// pause), and reads until the server closes, `expect` bytes have arrived (0: no such limit) or
/// `wait` passed. Connect and handshake failures are errors.
Result<RawResult> RawExchange(std::uint16_t port, const Bytes& bytes,
                              std::chrono::milliseconds pause_per_byte = {}, std::size_t expect = 0,
                              std::chrono::milliseconds wait = std::chrono::seconds(10));

}  // namespace opencapf::net::testing
