#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"
#include "tftp/file_source.h"

namespace opencapf::tftp {

/// How the TFTP server listens and what it allows.
struct TftpSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 69;  ///< 0: any free port (tests)
  /// The largest blksize granted (RFC 2348 allows up to 65464). The default fits one Ethernet
  /// frame, so a block is never an IP fragment that a phone VLAN may drop.
  std::uint16_t max_blksize = 1468;
  /// The largest windowsize granted (RFC 7440); at most 32768 so that block numbers in flight
  /// stay unambiguous modulo 65536.
  std::uint16_t max_windowsize = 16;
  /// How long to wait for an ACK before sending the window again, unless the client asked for
  /// another timeout (RFC 2349).
  std::chrono::milliseconds retransmit_timeout{1000};
  /// How many times a window (or OACK) is sent again without an answer before giving up.
  int max_retries = 5;
  /// Transfers running at once, over all clients. A request over a cap is left unanswered,
  /// never refused: the client sends it again and gets its file once a transfer has ended.
  int max_transfers = 1024;
  /// Transfers running at once from one IP address: sized for a branch of 200 phones behind one
  /// NAT address that boot together, each fetching its ITL and configuration.
  int max_transfers_per_client = 256;
  /// No transfer runs longer than this, whatever the client does.
  std::chrono::seconds max_transfer_time{600};
};

/// Counters since the server was made, for metrics.
struct TftpStats {
  std::uint64_t transfers_started = 0;    ///< read requests admitted to a transfer
  std::uint64_t transfers_completed = 0;  ///< the client acknowledged the last block
  std::uint64_t transfers_failed = 0;     ///< started but not completed (missing file, timeout...)
  std::uint64_t requests_refused = 0;     ///< answered with an ERROR: writes, malformed
  std::uint64_t requests_deferred = 0;    ///< over a cap: left unanswered for the client to retry
  std::uint64_t bytes_sent = 0;           ///< DATA payload bytes sent, retransmissions included
  std::uint64_t retransmissions = 0;      ///< DATA and OACK packets sent again after a timeout
  int active_transfers = 0;
};

/// A read-only TFTP server (RFC 1350, options RFC 2347/2348/2349/7440). Requests arrive on the
/// listening port; each admitted read request gets a coroutine of its own, on its own strand,
/// with its own ephemeral UDP socket (the server's transfer ID), on the io_context shared with
/// the rest of the server. Every transfer and every refused request logs one line.
///
/// Answers: a write request gets ERROR 2 "opencapf serves files read-only"; a missing file
/// ERROR 1; a name outside the root (absolute, `..`, a symlink out) ERROR 2; a malformed
/// request ERROR 4 with what was wrong. A request over a cap gets no answer at all (a phone
/// takes an ERROR as final for that file): its client retransmits it and it is admitted once a
/// transfer has ended; a warning says so at most once a second. An ERROR is never answered. A
/// window that gets no ACK in time is sent again, up to max_retries times, then the transfer ends
/// with ERROR 0 and a logged reason; duplicate ACKs are ignored (no sorcerer's apprentice); a
/// packet from another port gets ERROR 5 and leaves the transfer alone; a retransmitted RRQ
/// from a port that already has a transfer is dropped. Files are looked up (and directory
/// files read, up to DirectorySource's size cap) on the transfer's strand.
class TftpServer {
 public:
  TftpServer(asio::io_context& io, std::shared_ptr<const FileSource> files, TftpSettings settings);
  /// Stops listening; transfers in flight finish or time out on the io_context.
  ~TftpServer();
  TftpServer(const TftpServer&) = delete;
  TftpServer& operator=(const TftpServer&) = delete;

  /// Checks the settings and binds the listening socket; fails with the address and why
  /// (permission to bind a port below 1024, address in use, bad settings).
  Status Listen();
  /// Starts answering requests on the io_context's threads.
  void Start();
  /// Stops answering requests; transfers in flight finish or time out.
  void Stop();
  /// The bound port (useful when asked for port 0); 0 before Listen.
  std::uint16_t port() const { return port_; }
  /// The counters as they are now.
  TftpStats stats() const;
  /// True while it answers requests.
  bool listening() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  std::uint16_t port_ = 0;
};

}  // namespace opencapf::tftp
