#include "tvs/message.h"

namespace opencapf::tvs {

namespace {

std::string Hex8(std::uint8_t b) { return "0x" + HexLower(ByteView(&b, 1)); }

std::string Label(Tag tag) {
  return framed::ElementLabel(Framing::kWire, static_cast<std::uint8_t>(tag));
}

std::optional<std::string> Describe(std::uint8_t tag, ByteView value) {
  switch (static_cast<Tag>(tag)) {
    case Tag::kDeviceName:
      if (!value.empty() && value[0] == kDeviceNameType) {
        return " \"" + framed::Printable(std::string(value.begin() + 1, value.end())) + "\"";
      }
      return std::nullopt;
    case Tag::kStatus:
      return framed::DescribeNumber(value, 1);
    case Tag::kRoles: {
      std::string out = " [";
      for (std::size_t i = 0; i < value.size(); ++i) {
        out += (i ? "," : "") + std::to_string(value[i]);
      }
      return out + "]";
    }
    case Tag::kTtl:
      return framed::DescribeNumber(value, 4);
    default:
      return std::nullopt;
  }
}

// By value, as wire-formats.md §3 numbers them.
constexpr std::string_view kCommandNames[] = {"", "VERIFY_REQUEST", "VERIFY_RESPONSE",
                                              "QUERY_REQUEST", "QUERY_RESPONSE"};
constexpr std::string_view kTagNames[] = {"", "DEVICE_NAME", "CERTIFICATE", "",   "", "",
                                          "", "STATUS",      "ROLES",       "TTL"};

constexpr framed::FixedByte kFixedBytes[] = {{1, kProtocolVersion, "version"},
                                             {3, 0, "reserved byte"}};

}  // namespace

// Name, id, header size, command offset, fixed bytes, names, how values print.
const framed::Protocol Framing::kWire{"TVS",       kProtocolId,   kHeaderSize, 2,
                                      kFixedBytes, kCommandNames, kTagNames,   Describe};

bool IsKnownCommand(std::uint8_t command) {
  return framed::IsKnownCommand(Framing::kWire, command);
}

bool IsRequest(Command command) {
  return command == Command::kVerifyRequest || command == Command::kQueryRequest;
}

Command ResponseTo(Command request) {
  return request == Command::kQueryRequest ? Command::kQueryResponse : Command::kVerifyResponse;
}

std::string CommandName(Command command) {
  return framed::CommandName(Framing::kWire, static_cast<std::uint8_t>(command));
}

std::string TagName(std::uint8_t tag) { return framed::TagName(Framing::kWire, tag); }

std::string VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
  }
  return "status " + std::to_string(static_cast<int>(verdict));
}

// ----- Typed views ---------------------------------------------------------------------------

Result<Message> MakeVerifyRequest(std::uint32_t session_id, const VerifyRequest& request,
                                  Command command) {
  if (!IsRequest(command)) {
    return Fail(CommandName(command) + " is not a request (VERIFY_REQUEST or QUERY_REQUEST)");
  }
  Message m{command, session_id, {}};
  if (!request.device_name.empty()) {
    Bytes name;
    name.reserve(request.device_name.size() + 1);
    name.push_back(kDeviceNameType);
    name.insert(name.end(), request.device_name.begin(), request.device_name.end());
    m.Add(Tag::kDeviceName, name);
  }
  m.Add(Tag::kCertificate, request.certificate);
  return m;
}

Result<VerifyRequest> ParseVerifyRequest(const Message& message) {
  const std::string what = CommandName(message.command);
  if (!IsRequest(message.command)) {
    return Fail(what + " is not a request (VERIFY_REQUEST or QUERY_REQUEST)");
  }
  VerifyRequest out;
  if (const Element* name = message.Find(Tag::kDeviceName)) {
    if (name->value.empty()) return Fail(what + ": " + Label(Tag::kDeviceName) + " is empty");
    if (name->value[0] != kDeviceNameType) {
      return Fail(what + ": " + Label(Tag::kDeviceName) + " starts with " + Hex8(name->value[0]) +
                  ", not " + Hex8(kDeviceNameType));
    }
    out.device_name.assign(name->value.begin() + 1, name->value.end());
  }
  auto cert = message.Value(Tag::kCertificate);
  if (!cert.ok()) return cert.error();
  if (cert->empty()) return Fail(what + ": " + Label(Tag::kCertificate) + " is empty");
  out.certificate.assign(cert->begin(), cert->end());
  return out;
}

Result<Message> MakeVerifyResponse(std::uint32_t session_id, const VerifyResponse& response,
                                   Command command) {
  if (command != Command::kVerifyResponse && command != Command::kQueryResponse) {
    return Fail(CommandName(command) + " is not a response (VERIFY_RESPONSE or QUERY_RESPONSE)");
  }
  Message m{command, session_id, {}};
  m.AddU8(Tag::kStatus, static_cast<std::uint8_t>(response.status));
  if (response.status == Verdict::kValid) {
    m.Add(Tag::kRoles, response.roles);
    m.AddU32(Tag::kTtl, response.ttl);
  }
  return m;
}

Result<VerifyResponse> ParseVerifyResponse(const Message& message) {
  const std::string what = CommandName(message.command);
  if (message.command != Command::kVerifyResponse && message.command != Command::kQueryResponse) {
    return Fail(what + " is not a response (VERIFY_RESPONSE or QUERY_RESPONSE)");
  }
  auto status = message.U8(Tag::kStatus);
  if (!status.ok()) return status.error();
  VerifyResponse out;
  if (*status == static_cast<std::uint8_t>(Verdict::kInvalid)) return out;
  if (*status != static_cast<std::uint8_t>(Verdict::kValid)) {
    return Fail(what + ": " + Label(Tag::kStatus) + " is " + std::to_string(*status) +
                ", neither 0 (valid) nor 1 (invalid)");
  }
  out.status = Verdict::kValid;
  auto roles = message.Value(Tag::kRoles);
  if (!roles.ok()) return Fail(roles.message() + " in a valid answer");
  out.roles.assign(roles->begin(), roles->end());
  auto ttl = message.U32(Tag::kTtl);
  if (!ttl.ok()) return Fail(ttl.message() + (message.Has(Tag::kTtl) ? "" : " in a valid answer"));
  out.ttl = *ttl;
  return out;
}

}  // namespace opencapf::tvs
