#include "capf/message.h"

namespace opencapf::capf {

namespace {

// By value, as wire-formats.md §2 numbers them.
constexpr std::string_view kCommandNames[] = {
    "",
    "AUTH_REQUEST",
    "AUTH_RESPONSE",
    "KEY_GEN_REQUEST",
    "KEY_GEN_RESPONSE",
    "ENCRYPT_RESPONSE",
    "ENCRYPT_REQUEST",
    "DECRYPT_REQUEST",
    "DECRYPT_RESPONSE",
    "STORE_CERT_REQUEST",
    "STORE_CERT_RESPONSE",
    "FETCH_CERT_REQUEST",
    "FETCH_CERT_RESPONSE",
    "DELETE_CERT_REQUEST",
    "DELETE_CERT_RESPONSE",
    "END_SESSION",
    "RETRY_LATER",
    "REQUEST_IN_PROGRESS",
    "STATUS_REQUEST",
    "STATUS_RESPONSE",
    "ABORT_REQUEST",
    "ABORT_RESPONSE",
    "SIGN_CERT_REQUEST",
    "SIGN_CERT_RESPONSE",
};
static_assert(std::size(kCommandNames) - 1 == static_cast<std::size_t>(Command::kSignCertResponse));

constexpr std::string_view kTagNames[] = {
    "",
    "REASON",
    "REASON_INFO",
    "CERT_TYPE",
    "CERTIFICATE",
    "CERT_ID",
    "SIGNED_DATA",
    "VERSION",
    "AUTH_TYPE",
    "PUBLIC_KEY",
    "KEY_SIZE",
    "PASSWORD",
    "RETRY_DELAY",
    "DEVICE_NAME",
    "",
    "",
    "SUDI_DATA",
    "KEY_TYPE",
    "CURVE",
    "DIGEST_TYPE",
    "SHA2_SIGNED_DATA",
};
static_assert(std::size(kTagNames) - 1 == static_cast<std::size_t>(Tag::kSha2SignedData));

std::optional<std::string> Describe(std::uint8_t tag, ByteView value) {
  switch (static_cast<Tag>(tag)) {
    case Tag::kReason:
    case Tag::kCertType:
    case Tag::kVersion:
    case Tag::kAuthType:
    case Tag::kKeyType:
    case Tag::kCurve:
      return framed::DescribeNumber(value, 1);
    case Tag::kKeySize:
      return framed::DescribeNumber(value, 2);
    case Tag::kDeviceName:
    case Tag::kReasonInfo:
      return framed::DescribeText(value);
    case Tag::kPassword:
      return " (" + std::to_string(TextUntilNul(value).size()) + " characters, not shown)";
    default:
      return std::nullopt;
  }
}

}  // namespace

// Name, id, header size, command offset, fixed bytes, names, how values print.
const framed::Protocol Framing::kWire{"CAPF", kProtocolId,   kHeaderSize, 1,
                                      {},     kCommandNames, kTagNames,   Describe};

bool IsKnownCommand(std::uint8_t command) {
  return framed::IsKnownCommand(Framing::kWire, command);
}

std::string CommandName(Command command) {
  return framed::CommandName(Framing::kWire, static_cast<std::uint8_t>(command));
}

std::string TagName(std::uint8_t tag) { return framed::TagName(Framing::kWire, tag); }

}  // namespace opencapf::capf
