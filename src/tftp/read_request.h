#pragma once

// What the TFTP server does with a datagram on its request port, and what a read transfer
// sends, decided from the bytes and the files alone (no sockets, no coroutines): the server
// calls these, and the request-sequence fuzzer drives them with what the server would do.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "tftp/file_source.h"
#include "tftp/packet.h"

namespace opencapf::tftp {

/// The request port's answer to one datagram.
struct RequestVerdict {
  enum class Kind {
    kIgnore,  ///< an ERROR, or something that claims to be one: never answered
    kRefuse,  ///< answered with ERROR `code` `message` from the request port
    kRead,    ///< a read request to give a transfer of its own
  };
  Kind kind = Kind::kIgnore;
  ErrorCode code = ErrorCode::kNotDefined;
  std::string message;
  std::string what;  ///< for the log: "RRQ name", "WRQ name", "DATA", "request"
  Request request;   ///< kRead: the decoded request
};

/// Judges one datagram: a malformed one, anything but RRQ or WRQ, a write and mail mode are
/// refused with the ERROR RFC 1350 gives them; an ERROR is never answered.
RequestVerdict JudgeRequest(ByteView datagram);

/// What a read transfer sends, once its file is looked up: the payload (converted to netascii
/// when asked for), the options granted and how many blocks it takes; or the ERROR that ends it.
struct ReadPlan {
  std::shared_ptr<const Bytes> payload;  ///< null: refused with `code` and `message`
  ErrorCode code = ErrorCode::kNotDefined;
  std::string message;
  Negotiation negotiation;
  std::uint64_t last_block = 0;  ///< index of the final (short, possibly empty) block

  bool ok() const { return payload != nullptr; }
};

/// Looks the request's file up in `files` and negotiates its options within `limits`.
ReadPlan PlanRead(const Request& request, const FileSource& files, const OptionLimits& limits);

/// The payload of block `index` (from 1, not wrapped at 65536): `blksize` bytes of `payload`,
/// the last block shorter, possibly empty. `index` must be in 1..last_block.
ByteView BlockOf(const Bytes& payload, std::uint16_t blksize, std::uint64_t index);

/// Which block an ACK acknowledges while blocks base..base+in_flight-1 are in flight (RFC 7440:
/// one inside the window rewinds to the block after it); nullopt for a duplicate ACK of the
/// block before the window or a stale one, which are ignored (no sorcerer's apprentice).
std::optional<std::uint64_t> AckedBlock(std::uint64_t base, std::uint64_t in_flight,
                                        std::uint16_t ack);

}  // namespace opencapf::tftp
