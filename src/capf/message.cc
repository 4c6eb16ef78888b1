#include "capf/message.h"

#include <algorithm>

namespace opencapf::capf {

namespace {

std::string Hex8(std::uint8_t b) { return "0x" + HexLower(ByteView(&b, 1)); }

// Why a first byte that is not 0x55 might be there, for the operator reading the log.
std::string ProtocolIdHint(ByteView header) {
  std::uint8_t b = header[0];
  if (b == 0x16)
    return ": it looks like a TLS handshake: is the client speaking TLS to a plain port?";
  if (b == 0x57) return ": it looks like TVS (0x57): is a TVS client connected to the CAPF port?";
  bool text = std::all_of(header.begin(), header.begin() + 4,
                          [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  if (text) {
    return ": the bytes read as text (\"" + std::string(header.begin(), header.begin() + 4) +
           "\"): is an HTTP or other text client connected to the CAPF port?";
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
  return TagName(tag) + " (tag " + std::to_string(tag) + ")";
}

}  // namespace

bool IsKnownCommand(std::uint8_t command) { return command >= 1 && command <= 23; }

std::string CommandName(Command command) {
  switch (command) {
    case Command::kAuthRequest:
      return "AUTH_REQUEST";
    case Command::kAuthResponse:
      return "AUTH_RESPONSE";
    case Command::kKeyGenRequest:
      return "KEY_GEN_REQUEST";
    case Command::kKeyGenResponse:
      return "KEY_GEN_RESPONSE";
    case Command::kEncryptResponse:
      return "ENCRYPT_RESPONSE";
    case Command::kEncryptRequest:
      return "ENCRYPT_REQUEST";
    case Command::kDecryptRequest:
      return "DECRYPT_REQUEST";
    case Command::kDecryptResponse:
      return "DECRYPT_RESPONSE";
    case Command::kStoreCertRequest:
      return "STORE_CERT_REQUEST";
    case Command::kStoreCertResponse:
      return "STORE_CERT_RESPONSE";
    case Command::kFetchCertRequest:
      return "FETCH_CERT_REQUEST";
    case Command::kFetchCertResponse:
      return "FETCH_CERT_RESPONSE";
    case Command::kDeleteCertRequest:
      return "DELETE_CERT_REQUEST";
    case Command::kDeleteCertResponse:
      return "DELETE_CERT_RESPONSE";
    case Command::kEndSession:
      return "END_SESSION";
    case Command::kRetryLater:
      return "RETRY_LATER";
    case Command::kRequestInProgress:
      return "REQUEST_IN_PROGRESS";
    case Command::kStatusRequest:
      return "STATUS_REQUEST";
    case Command::kStatusResponse:
      return "STATUS_RESPONSE";
    case Command::kAbortRequest:
      return "ABORT_REQUEST";
    case Command::kAbortResponse:
      return "ABORT_RESPONSE";
    case Command::kSignCertRequest:
      return "SIGN_CERT_REQUEST";
    case Command::kSignCertResponse:
      return "SIGN_CERT_RESPONSE";
  }
  return "command " + std::to_string(static_cast<int>(command));
}

std::string TagName(std::uint8_t tag) {
  switch (static_cast<Tag>(tag)) {
    case Tag::kReason:
      return "REASON";
    case Tag::kReasonInfo:
      return "REASON_INFO";
    case Tag::kCertType:
      return "CERT_TYPE";
    case Tag::kCertificate:
      return "CERTIFICATE";
    case Tag::kCertId:
      return "CERT_ID";
    case Tag::kSignedData:
      return "SIGNED_DATA";
    case Tag::kVersion:
      return "VERSION";
    case Tag::kAuthType:
      return "AUTH_TYPE";
    case Tag::kPublicKey:
      return "PUBLIC_KEY";
    case Tag::kKeySize:
      return "KEY_SIZE";
    case Tag::kPassword:
      return "PASSWORD";
    case Tag::kRetryDelay:
      return "RETRY_DELAY";
    case Tag::kDeviceName:
      return "DEVICE_NAME";
    case Tag::kSudiData:
      return "SUDI_DATA";
    case Tag::kKeyType:
      return "KEY_TYPE";
    case Tag::kCurve:
      return "CURVE";
    case Tag::kDigestType:
      return "DIGEST_TYPE";
    case Tag::kSha2SignedData:
      return "SHA2_SIGNED_DATA";
  }
  return "tag " + std::to_string(tag);
}

Message& Message::Add(Tag tag, ByteView value) {
  elements.push_back(Element{static_cast<std::uint8_t>(tag), Bytes(value.begin(), value.end())});
  return *this;
}

Message& Message::AddU8(Tag tag, std::uint8_t value) {
  elements.push_back(Element{static_cast<std::uint8_t>(tag), Bytes{value}});
  return *this;
}

Message& Message::AddU16(Tag tag, std::uint16_t value) {
  ByteWriter w;
  w.U16(value);
  return Add(tag, w.bytes());
}

Message& Message::AddText(Tag tag, std::string_view text) {
  Bytes value(text.begin(), text.end());
  value.push_back(0);
  elements.push_back(Element{static_cast<std::uint8_t>(tag), std::move(value)});
  return *this;
}

const Element* Message::Find(Tag tag) const {
  for (const Element& e : elements) {
    if (e.tag == static_cast<std::uint8_t>(tag)) return &e;
  }
  return nullptr;
}

Result<ByteView> Message::Value(Tag tag) const {
  const Element* e = Find(tag);
  if (!e) {
    return Fail(CommandName(command) + ": no " + ElementLabel(static_cast<std::uint8_t>(tag)) +
                " element");
  }
  return ByteView(e->value);
}

Result<std::uint8_t> Message::U8(Tag tag) const {
  auto value = Value(tag);
  if (!value.ok()) return value.error();
  if (value->size() != 1) {
    return Fail(CommandName(command) + ": " + ElementLabel(static_cast<std::uint8_t>(tag)) +
                " has length " + std::to_string(value->size()) + ", expected 1");
  }
  return (*value)[0];
}

Result<std::uint16_t> Message::U16(Tag tag) const {
  auto value = Value(tag);
  if (!value.ok()) return value.error();
  if (value->size() != 2) {
    return Fail(CommandName(command) + ": " + ElementLabel(static_cast<std::uint8_t>(tag)) +
                " has length " + std::to_string(value->size()) + ", expected 2");
  }
  return static_cast<std::uint16_t>((*value)[0] << 8 | (*value)[1]);
}

Result<std::string> Message::Text(Tag tag) const {
  auto value = Value(tag);
  if (!value.ok()) return value.error();
  return TextUntilNul(*value);
}

Result<Bytes> Encode(const Message& message) {
  ByteWriter w;
  w.U8(kProtocolId);
  w.U8(static_cast<std::uint8_t>(message.command));
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
  std::size_t body = w.size() - kHeaderSize;
  if (body > kMaxBody) {
    return Fail(CommandName(message.command) + ": body would be more than " +
                std::to_string(kMaxBody) + " bytes (the header's u16 length): " +
                std::to_string(message.elements.size()) + " elements are too large to send");
  }
  w.PatchU16(6, static_cast<std::uint16_t>(body));
  return std::move(w).Take();
}

Result<Header> DecodeHeader(ByteView data) {
  if (data.size() < kHeaderSize) {
    return Fail("CAPF header: truncated: " + std::to_string(data.size()) + " bytes, a header is " +
                std::to_string(kHeaderSize) + " (did the connection close early?)");
  }
  ByteReader r(data.first(kHeaderSize));
  std::uint8_t protocol = *r.U8("protocol id");
  if (protocol != kProtocolId) {
    return Fail("CAPF header: protocol id " + Hex8(protocol) + " is not CAPF (" +
                Hex8(kProtocolId) + ")" + ProtocolIdHint(data));
  }
  std::uint8_t command = *r.U8("command");
  if (!IsKnownCommand(command)) {
    return Fail("CAPF header: command " + std::to_string(command) + " (" + Hex8(command) +
                ") is not a CAPF command (1 to 23)");
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
    std::size_t at = r.offset();
    std::uint8_t tag = *r.U8("element tag");
    std::string label = ElementLabel(tag) + " element at offset " + std::to_string(at);
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
  ByteView body = message.subspan(kHeaderSize);
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
      case Tag::kReason:
      case Tag::kCertType:
      case Tag::kVersion:
      case Tag::kAuthType:
      case Tag::kKeyType:
      case Tag::kCurve:
        if (n == 1) {
          out += " " + std::to_string(e.value[0]);
          continue;
        }
        break;
      case Tag::kKeySize:
        if (n == 2) {
          out += " " + std::to_string(e.value[0] << 8 | e.value[1]);
          continue;
        }
        break;
      case Tag::kDeviceName:
      case Tag::kReasonInfo:
        out += " \"" + Printable(TextUntilNul(e.value)) + "\"";
        continue;
      case Tag::kPassword:
        out += " (" + std::to_string(TextUntilNul(e.value).size()) + " characters, not shown)";
        continue;
      default:
        break;
    }
    out += " (" + std::to_string(n) + " bytes)";
  }
  return out;
}

}  // namespace opencapf::capf
