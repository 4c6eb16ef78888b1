#pragma once

// TFTP packets (RFC 1350) with the option extension (RFC 2347) and the options opencapf
// negotiates: blksize (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440).
// Pure functions over byte spans: no sockets, no files.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::tftp {

enum class Opcode : std::uint16_t {
  kReadRequest = 1,
  kWriteRequest = 2,
  kData = 3,
  kAck = 4,
  kError = 5,
  kOptionAck = 6,
};

/// The error codes of RFC 1350 (0–7) and RFC 2347 (8).
enum class ErrorCode : std::uint16_t {
  kNotDefined = 0,
  kFileNotFound = 1,
  kAccessViolation = 2,
  kDiskFull = 3,
  kIllegalOperation = 4,
  kUnknownTransferId = 5,
  kFileExists = 6,
  kNoSuchUser = 7,
  kOptionRefused = 8,
};

/// Transfer modes of RFC 1350. opencapf serves octet and netascii; mail is decoded only so that
/// it can be refused by name.
enum class Mode { kNetascii, kOctet, kMail };

/// The smallest and largest block sizes RFC 2348 allows, and the RFC 1350 default.
inline constexpr std::uint16_t kMinBlockSize = 8;
inline constexpr std::uint16_t kMaxBlockSize = 65464;
inline constexpr std::uint16_t kDefaultBlockSize = 512;

/// One RFC 2347 option. Names are case-insensitive on the wire; decoding lowercases them.
struct Option {
  std::string name;
  std::string value;
  bool operator==(const Option&) const = default;
};

/// RRQ or WRQ.
struct Request {
  bool write = false;    ///< WRQ rather than RRQ
  std::string filename;  ///< as sent, without its NUL
  Mode mode = Mode::kOctet;
  std::vector<Option> options;  ///< in the order sent; names lowercased
  bool operator==(const Request&) const = default;
};

struct DataPacket {
  std::uint16_t block = 0;
  Bytes payload;
  bool operator==(const DataPacket&) const = default;
};

struct AckPacket {
  std::uint16_t block = 0;
  bool operator==(const AckPacket&) const = default;
};

struct ErrorPacket {
  ErrorCode code = ErrorCode::kNotDefined;
  std::string message;
  bool operator==(const ErrorPacket&) const = default;
};

/// OACK: the options the server accepted, with the values it will use.
struct OptionAckPacket {
  std::vector<Option> options;
  bool operator==(const OptionAckPacket&) const = default;
};

using Packet = std::variant<Request, DataPacket, AckPacket, ErrorPacket, OptionAckPacket>;

/// Decodes one datagram. Every failure says what was wrong and at which offset ("RRQ: mode
/// starting at offset 13 has no NUL terminator before the datagram ends at byte 18").
Result<Packet> DecodePacket(ByteView datagram);

/// "RRQ", "DATA", ... for a packet's opcode, or "opcode 9" for one TFTP does not define.
std::string OpcodeName(std::uint16_t opcode);
/// "netascii", "octet" or "mail".
std::string_view ModeName(Mode mode);

Bytes EncodeRequest(const Request& request);
Bytes EncodeData(std::uint16_t block, ByteView payload);
Bytes EncodeAck(std::uint16_t block);
Bytes EncodeError(ErrorCode code, std::string_view message);
Bytes EncodeOptionAck(const std::vector<Option>& options);
Bytes Encode(const Packet& packet);

/// `text` made safe for a log line or an error message: bytes outside printable ASCII become
/// \xNN, and anything past `max` characters is cut with "...".
std::string Printable(std::string_view text, std::size_t max = 128);

/// Converts local (Unix) text to netascii for sending: LF becomes CR LF, CR becomes CR NUL.
Bytes ToNetascii(ByteView bytes);
/// The inverse, as a receiver applies it: CR LF becomes LF, CR NUL becomes CR.
Bytes FromNetascii(ByteView bytes);

/// What the server is willing to negotiate.
struct OptionLimits {
  std::uint16_t max_blksize = 1468;  ///< one Ethernet frame with IP and UDP headers
  std::uint16_t max_windowsize = 16;
};

/// The outcome of option negotiation for one read request.
struct Negotiation {
  std::uint16_t blksize = kDefaultBlockSize;
  std::uint16_t windowsize = 1;
  /// The retransmission timeout the client asked for (RFC 2349), if it asked for a valid one.
  std::optional<std::chrono::seconds> timeout;
  /// The options to acknowledge in an OACK, in the order the client sent them, with the values
  /// the server will use. Empty: no OACK, the transfer starts with DATA 1 (RFC 1350).
  std::vector<Option> accepted;
  /// For the log: each option left out of the OACK and why ("blksize 0 is below 8 (RFC 2348)").
  std::vector<std::string> ignored;
};

/// Negotiates the options of a read request whose transfer will send `transfer_size` bytes.
/// Never fails: an option with a value outside its RFC range or one we do not know is left out
/// of the OACK (RFC 2347 lets a server ignore it); blksize and windowsize above what `limits`
/// allow are lowered to the limit; tsize is answered with `transfer_size`, except for an empty
/// file, where it is left out (curl fails on an OACK with tsize 0).
Negotiation NegotiateOptions(const std::vector<Option>& requested, const OptionLimits& limits,
                             std::uint64_t transfer_size);

}  // namespace opencapf::tftp
