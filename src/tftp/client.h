#pragma once

// A TFTP client that downloads the way a phone does: a read request in octet mode asking for
// blksize and tsize (RFC 2347/2348/2349), the server's OACK or plain DATA (RFC 1350) accepted,
// every ACK resent after a silent timeout, and a bounded number of retries. Used by the phone
// simulator (ITLFile.tlv, SEP<MAC>.cnf.xml) and by `opencapf doctor` (the ITL each TFTP server
// serves).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "net/asio.h"
#include "tftp/packet.h"

namespace opencapf::tftp {

/// How the client asks and how long it waits.
struct ClientOptions {
  /// The block size asked for (RFC 2348); 0: no blksize option. Phones ask for about one
  /// Ethernet frame's worth.
  std::uint16_t blksize = 1428;
  /// Ask for the size up front (tsize 0, RFC 2349); a file larger than max_size is then refused
  /// before any of it is sent.
  bool tsize = true;
  /// With nothing from the server for this long, the last packet (RRQ or ACK) is sent again.
  std::chrono::milliseconds retransmit_timeout{1000};
  /// Silent timeouts in a row before the client gives up.
  int max_retries = 5;
  /// The largest file accepted.
  std::uint64_t max_size = 32ull << 20;
  /// No download runs longer than this, whatever the server does.
  std::chrono::seconds max_time{120};
};

/// Why a download did not deliver a file.
enum class FetchFailure {
  kNone,
  kResolve,   ///< the server's host name does not resolve
  kNotFound,  ///< the server answered ERROR 1 (file not found)
  kRefused,   ///< the server answered another ERROR
  kTimeout,   ///< no answer after max_retries retransmissions (nothing listening, or lost)
  kTooLarge,  ///< tsize or the data received went past max_size
  kProtocol,  ///< the server sent something TFTP does not allow here
  kIo,        ///< a socket error
};

/// "not found", "timeout", ...
std::string_view FetchFailureName(FetchFailure failure);

/// What a download got.
struct FetchResult {
  Bytes data;
  FetchFailure failure = FetchFailure::kNone;
  /// Why not, for a person: "127.0.0.1:69: ITLFile.tlv: ERROR 1 'File not found'".
  std::string message;
  /// The server's transfer address as "HOST:PORT" (the first answer's source).
  std::string server;
  /// The options the server acknowledged (empty: it answered with DATA, RFC 1350).
  std::vector<Option> oack;
  std::uint16_t blksize = kDefaultBlockSize;  ///< the block size used
  int retransmissions = 0;                    ///< RRQs and ACKs sent again after a timeout

  bool ok() const { return failure == FetchFailure::kNone; }
};

/// Downloads `filename` from `host`:`port`. Never throws; every failure is a FetchResult with
/// its reason. Safe on any executor (the transfer runs on a strand of its own).
asio::awaitable<FetchResult> Fetch(asio::any_io_executor executor, std::string host,
                                   std::uint16_t port, std::string filename,
                                   ClientOptions options = {});

/// Fetch on an io_context of its own, for command lines and checks.
FetchResult FetchBlocking(const std::string& host, std::uint16_t port, const std::string& filename,
                          const ClientOptions& options = {});

}  // namespace opencapf::tftp
