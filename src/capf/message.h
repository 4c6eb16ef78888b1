// CAPF messages (wire-formats.md §2): an 8-byte header and a body of tag/length/value elements.
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

namespace opencapf::capf {

/// The first byte of every CAPF message.
inline constexpr std::uint8_t kProtocolId = 0x55;
/// Size of the header: protocol id, command, session id (u32), body length (u16).
inline constexpr std::size_t kHeaderSize = 8;
/// The largest body a header can declare (the length field is a u16).
inline constexpr std::size_t kMaxBody = framed::kMaxBody;
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

/// CAPF among the framed protocols (base/framed.h): header `0x55 | command | session u32 | length
/// u16`. Header::Decode(bytes), Message::Decode(bytes), and Encode, DecodeBody and Summary found by
/// argument-dependent lookup, are the codec.
struct Framing : framed::Enums<Command, Tag> {
  static const framed::Protocol kWire;
};
using framed::Element;
using Header = framed::Header<Framing>;
using Message = framed::Message<Framing>;

}  // namespace opencapf::capf
