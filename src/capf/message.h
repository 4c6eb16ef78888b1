// CAPF messages (wire-formats.md §2): an 8-byte header and a body of tag/length/value elements.
// Pure functions over bytes; a server reads the header first, then exactly the body it declares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::capf {

/// The first byte of every CAPF message.
inline constexpr std::uint8_t kProtocolId = 0x55;
/// Size of the header: protocol id, command, session id (u32), body length (u16).
inline constexpr std::size_t kHeaderSize = 8;
/// The largest body a header can declare (the length field is a u16).
inline constexpr std::size_t kMaxBody = 0xffff;
/// The protocol version the server announces and the phone echoes (VERSION element).
inline constexpr std::uint8_t kProtocolVersion = 3;

/// What a message asks or answers.
enum class Command : std::uint8_t {
  kAuthRequest = 1,
  kAuthResponse = 2,
  kKeyGenRequest = 3,
  kKeyGenResponse = 4,
  kEncryptResponse = 5,
  kEncryptRequest = 6,
  kDecryptRequest = 7,
  kDecryptResponse = 8,
  kStoreCertRequest = 9,
  kStoreCertResponse = 10,
  kFetchCertRequest = 11,
  kFetchCertResponse = 12,
  kDeleteCertRequest = 13,
  kDeleteCertResponse = 14,
  kEndSession = 15,
  kRetryLater = 16,
  kRequestInProgress = 17,
  kStatusRequest = 18,
  kStatusResponse = 19,
  kAbortRequest = 20,
  kAbortResponse = 21,
  kSignCertRequest = 22,
  kSignCertResponse = 23,
};

/// Element tags of a message body.
enum class Tag : std::uint8_t {
  kReason = 1,
  kReasonInfo = 2,
  kCertType = 3,
  kCertificate = 4,
  kCertId = 5,
  kSignedData = 6,
  kVersion = 7,
  kAuthType = 8,
  kPublicKey = 9,
  kKeySize = 10,
  kPassword = 11,
  kRetryDelay = 12,
  kDeviceName = 13,
  kSudiData = 16,
  kKeyType = 17,
  kCurve = 18,
  kDigestType = 19,
  kSha2SignedData = 20,
};

/// Whether `command` is one of the 23 commands of the protocol.
bool IsKnownCommand(std::uint8_t command);
/// "AUTH_REQUEST", ...; "command 42" for a value outside the protocol.
std::string CommandName(Command command);
/// "DEVICE_NAME", ...; "tag 42" for a tag outside the protocol.
std::string TagName(std::uint8_t tag);
inline std::string TagName(Tag tag) { return TagName(static_cast<std::uint8_t>(tag)); }

/// One body element. Tags outside the protocol are kept as they came.
struct Element {
  std::uint8_t tag = 0;
  Bytes value;

  bool operator==(const Element&) const = default;
};

/// The fixed part of a message, decoded on its own so a reader knows how much body to expect.
struct Header {
  Command command = Command::kAuthRequest;
  std::uint32_t session_id = 0;
  std::uint16_t body_length = 0;

  bool operator==(const Header&) const = default;
};

/// A whole message: command, session and the body's elements in wire order.
struct Message {
  Command command = Command::kAuthRequest;
  std::uint32_t session_id = 0;
  std::vector<Element> elements;

  /// Appends an element (builders use these; order on the wire is the order of the calls).
  Message& Add(Tag tag, ByteView value);
  Message& AddU8(Tag tag, std::uint8_t value);
  Message& AddU16(Tag tag, std::uint16_t value);
  /// `text` followed by one NUL, the way PASSWORD and DEVICE_NAME are sent.
  Message& AddText(Tag tag, std::string_view text);

  /// The first element with `tag`, or nullptr.
  const Element* Find(Tag tag) const;
  bool Has(Tag tag) const { return Find(tag) != nullptr; }
  /// The value of the first element with `tag`; missing is an error naming the element.
  Result<ByteView> Value(Tag tag) const;
  /// A one-byte element; missing or another length is an error naming the element.
  Result<std::uint8_t> U8(Tag tag) const;
  /// A two-byte big-endian element.
  Result<std::uint16_t> U16(Tag tag) const;
  /// A NUL-terminated text element: the text before the first NUL (a missing NUL is accepted).
  Result<std::string> Text(Tag tag) const;

  bool operator==(const Message&) const = default;
};

/// Header and body in one buffer, ready for a single write (phones stall on split records).
/// Fails when the body would not fit the u16 length field.
Result<Bytes> Encode(const Message& message);

/// Decodes the 8-byte header at the start of `data` (fewer bytes is an error, more are ignored).
/// Checks the protocol id and that the command is known; says what the bytes look like otherwise.
Result<Header> DecodeHeader(ByteView data);

/// Decodes the body that follows `header`. `body` must be exactly `header.body_length` bytes.
/// Every element length is checked against what is left; unknown tags are kept. Offsets in
/// errors count from the start of the message (header included), as in a hex dump.
Result<Message> DecodeBody(const Header& header, ByteView body);

/// Decodes a buffer holding exactly one whole message.
Result<Message> Decode(ByteView message);

/// One line for logs: "AUTH_RESPONSE session 1: REASON 1, VERSION 3, PASSWORD (6 characters,
/// not shown), DEVICE_NAME "SEP001122334455"". Passwords and signatures are never printed.
std::string Summary(const Message& message);

}  // namespace opencapf::capf
