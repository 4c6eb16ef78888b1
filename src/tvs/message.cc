#include "tvs/message.h"

#include <algorithm>

namespace opencapf::tvs {

namespace {

std::string Hex8(std::uint8_t b) { return "0x" + HexLower(ByteView(&b, 1)); }

// Why a first byte that is not 0x57 might be there, for the operator reading the log.
std::string ProtocolIdHint(ByteView header) {
  const std::uint8_t b = header[0];
  if (b == 0x16)
    return ": it looks like a TLS handshake: is the client speaking TLS inside TLS, or to a "
           "plain port?";
  if (b == 0x55) return ": it looks like CAPF (0x55): is a CAPF client connected to the TVS port?";
  const bool text = std::all_of(header.begin(), header.begin() + 4,
                                [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  if (text) {
    return ": the bytes read as text (\"" + std::string(header.begin(), header.begin() + 4) +
           "\"): is an HTTP or other text client connected to the TVS port?";
  }
  return "";
}

// Printable text for a log line: non-printable bytes as \xNN.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<std::uint8_t>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x" + HexLower(ByteView(&u, 1));
    }
  }
  return out;
}

std::string ElementLabel(std::uint8_t tag) {
  const std::string name = TagName(tag);
  return name.rfind("tag ", 0) == 0 ? name : name + " (tag " + std::to_string(tag) + ")";
}

std::string Label(Tag tag) { return ElementLabel(static_cast<std::uint8_t>(tag)); }

}  // namespace

bool IsKnownCommand(std::uint8_t command) { return command >= 1 && command <= 4; }

bool IsRequest(Command command) {
  return command == Command::kVerifyRequest || command == Command::kQueryRequest;
}

Command ResponseTo(Command request) {
  return request == Command::kQueryRequest ? Command::kQueryResponse : Command::kVerifyResponse;
}

std::string CommandName(Command command) {
  switch (command) {
    case Command::kVerifyRequest:
      return "VERIFY_REQUEST";
    case Command::kVerifyResponse:
      return "VERIFY_RESPONSE";
    case Command::kQueryRequest:
      return "QUERY_REQUEST";
    case Command::kQueryResponse:
      return "QUERY_RESPONSE";
  }
  return "command " + std::to_string(static_cast<int>(command));
}

std::string TagName(std::uint8_t tag) {
  switch (static_cast<Tag>(tag)) {
    case Tag::kDeviceName:
      return "DEVICE_NAME";
    case Tag::kCertificate:
      return "CERTIFICATE";
    case Tag::kStatus:
      return "STATUS";
    case Tag::kRoles:
      return "ROLES";
    case Tag::kTtl:
      return "TTL";
  }
  return "tag " + std::to_string(tag);
}

std::string VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
  }
  return "status " + std::to_string(static_cast<int>(verdict));
}

Message& Message::Add(Tag tag, ByteView value) {
  elements.push_back(Element{static_cast<std::uint8_t>(tag), Bytes(value.begin(), value.end())});
  return *this;
}

Message& Message::AddU8(Tag tag, std::uint8_t value) {
  elements.push_back(Element{static_cast<std::uint8_t>(tag), Bytes{value}});
  return *this;
}

Message& Message::AddU32(Tag tag, std::uint32_t value) {
  ByteWriter w;
  w.U32(value);
  return Add(tag, w.bytes());
}

const Element* Message::Find(Tag tag) const {
  for (const Element& e : elements) {
    if (e.tag == static_cast<std::uint8_t>(tag)) return &e;
  }
  return nullptr;
}

Result<ByteView> Message::Value(Tag tag) const {
  const Element* e = Find(tag);
  if (!e) return Fail(CommandName(command) + ": no " + Label(tag) + " element");
  return ByteView(e->value);
}

Result<std::uint8_t> Message::U8(Tag tag) const {
  auto value = Value(tag);
  if (!value.ok()) return value.error();
  if (value->size() != 1) {
    return Fail(CommandName(command) + ": " + Label(tag) + " has length " +
                std::to_string(value->size()) + ", expected 1");
  }
  return (*value)[0];
}

Result<std::uint32_t> Message::U32(Tag tag) const {
  auto value = Value(tag);
  if (!value.ok()) return value.error();
  if (value->size() != 4) {
    return Fail(CommandName(command) + ": " + Label(tag) + " has length " +
                std::to_string(value->size()) + ", expected 4");
  }
  ByteReader r(*value);
  return *r.U32("value");
}

Result<Bytes> Encode(const Message& message) {
  ByteWriter w;
  w.U8(kProtocolId);
  w.U8(kProtocolVersion);
  w.U8(static_cast<std::uint8_t>(message.command));
  w.U8(0);  // reserved
  w.U32(message.session_id);
  w.U16(0);  // body length, patched below
  for (const Element& e : message.elements) {
    if (e.value.size() > kMaxBody) {
      return Fail(CommandName(message.command) + ": " + ElementLabel(e.tag) + " value is " +
                  std::to_string(e.value.size()) + " bytes; an element holds at most " +
                  std::to_string(kMaxBody));
    }
    w.U8(e.tag);
    w.U16(static_cast<std::uint16_t>(e.value.size()));
    w.Append(e.value);
    if (w.size() - kHeaderSize > kMaxBody) break;  // reported below; stop growing
  }
  const std::size_t body = w.size() - kHeaderSize;
  if (body > kMaxBody) {
    return Fail(CommandName(message.command) + ": body would be more than " +
                std::to_string(kMaxBody) + " bytes (the header's u16 length): " +
                std::to_string(message.elements.size()) + " elements are too large to send");
  }
  w.PatchU16(8, static_cast<std::uint16_t>(body));
  return std::move(w).Take();
}

Result<Header> DecodeHeader(ByteView data) {
  if (data.size() < kHeaderSize) {
    return Fail("TVS header: truncated: " + std::to_string(data.size()) + " bytes, a header is " +
                std::to_string(kHeaderSize) + " (did the connection close early?)");
  }
  ByteReader r(data.first(kHeaderSize));
  const std::uint8_t protocol = *r.U8("protocol id");
  if (protocol != kProtocolId) {
    return Fail("TVS header: protocol id " + Hex8(protocol) + " at offset 0 is not TVS (" +
                Hex8(kProtocolId) + ")" + ProtocolIdHint(data));
  }
  const std::uint8_t version = *r.U8("version");
  if (version != kProtocolVersion) {
    return Fail("TVS header: version " + std::to_string(version) +
                " at offset 1 is not the protocol version " + std::to_string(kProtocolVersion));
  }
  const std::uint8_t command = *r.U8("command");
  if (!IsKnownCommand(command)) {
    return Fail("TVS header: command " + std::to_string(command) + " (" + Hex8(command) +
                ") at offset 2 is not a TVS command (1 to 4)");
  }
  const std::uint8_t reserved = *r.U8("reserved");
  if (reserved != 0) {
    return Fail("TVS header: the reserved byte at offset 3 is " + Hex8(reserved) + ", not 0x00");
  }
  Header h;
  h.command = static_cast<Command>(command);
  h.session_id = *r.U32("session id");
  h.body_length = *r.U16("body length");
  return h;
}

Result<Message> DecodeBody(const Header& header, ByteView body) {
  const std::string what = CommandName(header.command);
  if (body.size() != header.body_length) {
    return Fail(what + ": body is " + std::to_string(body.size()) +
                " bytes but the header declares " + std::to_string(header.body_length) +
                (body.size() < header.body_length ? " (message cut short)" : ""));
  }
  Message m;
  m.command = header.command;
  m.session_id = header.session_id;
  ByteReader r(body, kHeaderSize);
  while (!r.empty()) {
    const std::size_t at = r.offset();
    const std::uint8_t tag = *r.U8("element tag");
    const std::string label = ElementLabel(tag) + " element at offset " + std::to_string(at);
    auto length = r.U16(label + ": length");
    if (!length.ok()) return Context(what, length.error());
    auto value = r.Take(*length, label + ": value of length " + std::to_string(*length));
    if (!value.ok()) return Context(what, value.error());
    m.elements.push_back(Element{tag, Bytes(value->begin(), value->end())});
  }
  return m;
}

Result<Message> Decode(ByteView message) {
  auto header = DecodeHeader(message);
  if (!header.ok()) return header.error();
  const ByteView body = message.subspan(kHeaderSize);
  if (body.size() > header->body_length) {
    return Fail(CommandName(header->command) + ": " +
                std::to_string(body.size() - header->body_length) +
                " bytes follow the message (its header declares a body of " +
                std::to_string(header->body_length) + "); expected exactly one message");
  }
  return DecodeBody(*header, body);
}

std::string Summary(const Message& message) {
  std::string out = CommandName(message.command) + " session " + std::to_string(message.session_id);
  if (message.elements.empty()) return out + ": no elements";
  out += ":";
  bool first = true;
  for (const Element& e : message.elements) {
    out += first ? " " : ", ";
    first = false;
    out += TagName(e.tag);
    const std::size_t n = e.value.size();
    switch (static_cast<Tag>(e.tag)) {
      case Tag::kDeviceName:
        if (n >= 1 && e.value[0] == kDeviceNameType) {
          out += " \"" + Printable(std::string(e.value.begin() + 1, e.value.end())) + "\"";
          continue;
        }
        break;
      case Tag::kStatus:
        if (n == 1) {
          out += " " + std::to_string(e.value[0]);
          continue;
        }
        break;
      case Tag::kRoles: {
        out += " [";
        for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(e.value[i]);
        out += "]";
        continue;
      }
      case Tag::kTtl:
        if (n == 4) {
          ByteReader r(e.value);
          out += " " + std::to_string(*r.U32("ttl"));
          continue;
        }
        break;
      default:
        break;
    }
    out += " (" + std::to_string(n) + " bytes)";
  }
  return out;
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
