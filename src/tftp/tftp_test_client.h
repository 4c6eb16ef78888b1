#pragma once

// Test helpers: a raw TFTP client over a blocking UDP socket on 127.0.0.1 (for what no Debian
// client does: windowsize, dropped packets, malformed requests), and a way to run real clients
// (curl, tftp-hpa) as child processes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/child_process.h"
#include "tftp/packet.h"

namespace opencapf::tftp::testing {

/// A UDP socket bound to 127.0.0.1 on a free port.
class RawSocket {
 public:
  RawSocket();
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  /// Sends one datagram to 127.0.0.1:`port`.
  void SendTo(std::uint16_t port, const Bytes& datagram);
  /// The next datagram within `timeout`, or nullopt; `from_port` gets the sender's port.
  std::optional<Bytes> Receive(std::chrono::milliseconds timeout,
                               std::uint16_t* from_port = nullptr);
  /// The next datagram decoded; nullopt on timeout or if it does not decode.
  std::optional<Packet> ReceivePacket(std::chrono::milliseconds timeout,
                                      std::uint16_t* from_port = nullptr);
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// How the raw client downloads.
struct DownloadOptions {
  Mode mode = Mode::kOctet;
  std::vector<Option> options;  ///< sent with the RRQ
  /// Called for every DATA packet received (block as on the wire, how many times this block
  /// number has arrived before); true: pretend it was lost.
  std::function<bool(std::uint16_t block, int seen_before)> drop;
  /// Called for every OACK (how many arrived before); true: pretend it was lost.
  std::function<bool(int seen_before)> drop_oack;
  /// Called before each ACK is sent (for slow clients and mid-transfer actions).
  std::function<void(std::uint64_t blocks_received)> before_ack;
  /// With no packet for this long, re-send the last ACK (RFC 7440 receiver behaviour).
  std::chrono::milliseconds timeout{1500};
  /// Give up after this many silent timeouts in a row.
  int max_timeouts = 5;
};

/// What a raw download got.
struct DownloadResult {
  Bytes data;                        ///< as received on the wire (netascii not converted)
  std::optional<ErrorPacket> error;  ///< the server's ERROR, if it sent one
  std::optional<std::vector<Option>> oack;
  std::uint64_t data_packets = 0;  ///< every DATA received, duplicates included
  std::uint64_t blocks = 0;        ///< distinct blocks received in order
  std::string failure;             ///< set if the client gave up (timeouts, protocol error)
  bool complete = false;
};

/// Downloads `name` from 127.0.0.1:`port`, handling OACK, blksize and windowsize, block number
/// rollover, and retransmission from the receiving side.
DownloadResult Download(std::uint16_t port, const std::string& name,
                        const DownloadOptions& options = {});

// The child processes a test drives: shared with the other modules' tests.
using opencapf::testing::InPath;
using opencapf::testing::RunProcess;
using opencapf::testing::Spawn;
using opencapf::testing::Wait;

}  // namespace opencapf::tftp::testing
