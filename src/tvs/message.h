// TVS messages (wire-formats.md §3): a 10-byte header and a body of tag/length/value elements.
// Pure functions over bytes; a server reads the header first, then exactly the body it declares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/framed.h"
#include "base/result.h"

namespace opencapf::tvs {

/// The first byte of every TVS message.
inline constexpr std::uint8_t kProtocolId = 0x57;
/// The only protocol version there is; the second byte of every message.
inline constexpr std::uint8_t kProtocolVersion = 1;
/// Size of the header: protocol id, version, command, reserved, session id (u32), body length.
inline constexpr std::size_t kHeaderSize = 10;
/// The largest body a header can declare (the length field is a u16).
inline constexpr std::size_t kMaxBody = framed::kMaxBody;
/// The TCP port phones connect to.
inline constexpr std::uint16_t kDefaultPort = 2445;
/// The first byte of a DEVICE_NAME value, before the name itself.
inline constexpr std::uint8_t kDeviceNameType = 0x01;

/// What a message asks or answers. wire-formats.md gives QUERY_* no elements of their own;
/// opencapf reads a QUERY_REQUEST like a VERIFY_REQUEST and answers it with a QUERY_RESPONSE
/// carrying the same elements.
enum class Command : std::uint8_t {
  kVerifyRequest = 1,
  kVerifyResponse = 2,
  kQueryRequest = 3,
  kQueryResponse = 4,
};

/// Element tags of a message body.
enum class Tag : std::uint8_t {
  kDeviceName = 1,
  kCertificate = 2,
  kStatus = 7,
  kRoles = 8,
  kTtl = 9,
};

/// The STATUS of a response: whether the phone may trust the certificate it asked about.
enum class Verdict : std::uint8_t {
  kValid = 0,
  kInvalid = 1,
};

/// Whether `command` is one of the four commands of the protocol.
bool IsKnownCommand(std::uint8_t command);
/// True for VERIFY_REQUEST and QUERY_REQUEST, the commands a phone sends.
bool IsRequest(Command command);
/// The command that answers `request` (VERIFY_RESPONSE for VERIFY_REQUEST, ...).
Command ResponseTo(Command request);
/// "VERIFY_REQUEST", ...; "command 42" for a value outside the protocol.
std::string CommandName(Command command);
/// "DEVICE_NAME", ...; "tag 42" for a tag outside the protocol.
std::string TagName(std::uint8_t tag);
inline std::string TagName(Tag tag) { return TagName(static_cast<std::uint8_t>(tag)); }
/// "valid", "invalid".
std::string VerdictName(Verdict verdict);

/// TVS among the framed protocols (base/framed.h): header `0x57 | version 1 | command | 0 | session
/// u32 | length u16`. Header::Decode(bytes), Message::Decode(bytes), and Encode, DecodeBody and
/// Summary found by argument-dependent lookup, are the codec.
struct Framing : framed::Enums<Command, Tag> {
  static const framed::Protocol kWire;
};
using framed::Element;
using Header = framed::Header<Framing>;
using Message = framed::Message<Framing>;

// ----- Typed views ---------------------------------------------------------------------------

/// What a phone asks: may it trust `certificate`? Sent as VERIFY_REQUEST (or QUERY_REQUEST).
struct VerifyRequest {
  /// The phone's name as it sends it ("CP-7962-SEP001122334455"); empty: no DEVICE_NAME.
  std::string device_name;
  /// The DER certificate the phone met and its ITL does not list.
  Bytes certificate;

  bool operator==(const VerifyRequest&) const = default;
};

/// The server's answer. Only a valid answer carries roles and a TTL.
struct VerifyResponse {
  Verdict status = Verdict::kInvalid;
  /// With kValid: what the certificate is trusted for, one ITL role code each (1 CCM, 3 TFTP).
  std::vector<std::uint8_t> roles;
  /// With kValid: seconds the phone may keep the answer.
  std::uint32_t ttl = 0;

  bool operator==(const VerifyResponse&) const = default;
};

/// DEVICE_NAME (when a name is given) then CERTIFICATE, the order phones use.
/// `command` must be kVerifyRequest or kQueryRequest.
Result<Message> MakeVerifyRequest(std::uint32_t session_id, const VerifyRequest& request,
                                  Command command = Command::kVerifyRequest);
/// Reads a VERIFY_REQUEST or QUERY_REQUEST: CERTIFICATE is required (not parsed as X.509
/// here); DEVICE_NAME is optional and, when present, must start with 0x01.
Result<VerifyRequest> ParseVerifyRequest(const Message& message);

/// STATUS, then for a valid answer ROLES and TTL. `command` must be kVerifyResponse or
/// kQueryResponse.
Result<Message> MakeVerifyResponse(std::uint32_t session_id, const VerifyResponse& response,
                                   Command command = Command::kVerifyResponse);
/// Reads a VERIFY_RESPONSE or QUERY_RESPONSE. STATUS is required and must be 0 or 1; a valid
/// answer must carry ROLES and a four-byte TTL. An invalid answer's other elements are ignored.
Result<VerifyResponse> ParseVerifyResponse(const Message& message);

}  // namespace opencapf::tvs
