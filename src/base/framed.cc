#include "base/framed.h"

#include <algorithm>

namespace opencapf::framed {

namespace {

std::string Hex8(std::uint8_t b) { return "0x" + HexLower(ByteView(&b, 1)); }

// The framed protocols a wrong client might be speaking, for the hint below.
struct KnownId {
  std::uint8_t id;
  std::string_view name;
};
constexpr KnownId kKnownIds[] = {{0x55, "CAPF"}, {0x57, "TVS"}};

// Why a first byte that is not the protocol's might be there, for the operator reading the log.
std::string ProtocolIdHint(const Protocol& protocol, ByteView header) {
  const std::uint8_t b = header[0];
  const std::string port = std::string(protocol.name) + " port";
  if (b == 0x16) {
    return ": it looks like a TLS handshake: is the client speaking TLS inside TLS, or to a "
           "plain port?";
  }
  for (const KnownId& known : kKnownIds) {
    if (b == known.id) {
      return ": it looks like " + std::string(known.name) + " (" + Hex8(b) + "): is a " +
             std::string(known.name) + " client connected to the " + port + "?";
    }
  }
  const std::size_t shown = std::min<std::size_t>(4, header.size());
  const bool text = std::all_of(header.begin(), header.begin() + shown,
                                [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  if (text) {
    return ": the bytes read as text (\"" + std::string(header.begin(), header.begin() + shown) +
           "\"): is an HTTP or other text client connected to the " + port + "?";
  }
  return "";
}

std::string HeaderError(const Protocol& protocol, const std::string& what) {
  return std::string(protocol.name) + " header: " + what;
}

}  // namespace

bool IsKnownCommand(const Protocol& protocol, std::uint8_t command) {
  return command >= 1 && command <= protocol.last_command();
}

std::string CommandName(const Protocol& protocol, std::uint8_t command) {
  if (!IsKnownCommand(protocol, command)) return "command " + std::to_string(command);
  return std::string(protocol.command_names[command]);
}

std::string TagName(const Protocol& protocol, std::uint8_t tag) {
  if (tag >= protocol.tag_names.size() || protocol.tag_names[tag].empty()) {
    return "tag " + std::to_string(tag);
  }
  return std::string(protocol.tag_names[tag]);
}

std::string ElementLabel(const Protocol& protocol, std::uint8_t tag) {
  const std::string name = TagName(protocol, tag);
  return name.rfind("tag ", 0) == 0 ? name : name + " (tag " + std::to_string(tag) + ")";
}

Result<RawHeader> DecodeRawHeader(const Protocol& protocol, ByteView data) {
  const std::size_t size = protocol.header_size;
  if (data.size() < size) {
    return Fail(HeaderError(protocol, "truncated: " + std::to_string(data.size()) +
                                          " bytes, a header is " + std::to_string(size) +
                                          " (did the connection close early?)"));
  }
  const ByteView header = data.first(size);
  if (header[0] != protocol.id) {
    return Fail(HeaderError(protocol, "protocol id " + Hex8(header[0]) + " at offset 0 is not " +
                                          std::string(protocol.name) + " (" + Hex8(protocol.id) +
                                          ")" + ProtocolIdHint(protocol, header)));
  }
  for (const FixedByte& fixed : protocol.fixed) {
    if (header[fixed.offset] != fixed.value) {
      return Fail(HeaderError(
          protocol, std::string(fixed.name) + " at offset " + std::to_string(fixed.offset) +
                        " is " + Hex8(header[fixed.offset]) + ", not " + Hex8(fixed.value)));
    }
  }
  const std::uint8_t command = header[protocol.command_offset];
  if (!IsKnownCommand(protocol, command)) {
    return Fail(HeaderError(protocol, "command " + std::to_string(command) + " (" + Hex8(command) +
                                          ") at offset " + std::to_string(protocol.command_offset) +
                                          " is not a " + std::string(protocol.name) +
                                          " command (1 to " +
                                          std::to_string(protocol.last_command()) + ")"));
  }
  ByteReader r(header.subspan(protocol.session_offset()), protocol.session_offset());
  RawHeader out;
  out.command = command;
  out.session_id = *r.U32("session id");
  out.body_length = *r.U16("body length");
  return out;
}

Result<Elements> DecodeElements(const Protocol& protocol, const RawHeader& header, ByteView body) {
  // The names in a message are made only for a body that is refused: made for every element,
  // they were most of the time a message took to decode.
  const auto what = [&] { return CommandName(protocol, header.command); };
  if (body.size() != header.body_length) {
    return Fail(what() + ": body is " + std::to_string(body.size()) +
                " bytes but the header declares " + std::to_string(header.body_length) +
                (body.size() < header.body_length ? " (message cut short)" : ""));
  }
  Elements elements;
  ByteReader r(body, protocol.header_size);
  while (!r.empty()) {
    const std::size_t at = r.offset();
    const std::uint8_t tag = *r.U8("element tag");
    const auto label = [&] {
      return ElementLabel(protocol, tag) + " element at offset " + std::to_string(at);
    };
    auto length = r.U16([&] { return label() + ": length"; });
    if (!length.ok()) return Context(what(), length.error());
    auto value =
        r.Take(*length, [&] { return label() + ": value of length " + std::to_string(*length); });
    if (!value.ok()) return Context(what(), value.error());
    elements.push_back(Element{tag, Bytes(value->begin(), value->end())});
  }
  return elements;
}

Status CheckOneMessage(const Protocol& protocol, const RawHeader& header, ByteView message) {
  const std::size_t body = message.size() - protocol.header_size;
  if (body <= header.body_length) return Status::Ok();
  return Fail(CommandName(protocol, header.command) + ": " +
              std::to_string(body - header.body_length) +
              " bytes follow the message (its header declares a body of " +
              std::to_string(header.body_length) + "); expected exactly one message");
}

Result<Bytes> EncodeMessage(const Protocol& protocol, std::uint8_t command,
                            std::uint32_t session_id, const Elements& elements) {
  ByteWriter w;
  w.U8(protocol.id);
  for (std::size_t at = 1; at < protocol.session_offset(); ++at) w.U8(0);
  w.U32(session_id);
  w.U16(0);  // body length, patched below
  for (const Element& e : elements) {
    if (e.value.size() > kMaxBody) {
      return Fail(CommandName(protocol, command) + ": " + ElementLabel(protocol, e.tag) +
                  " value is " + std::to_string(e.value.size()) +
                  " bytes; an element holds at most " + std::to_string(kMaxBody));
    }
    w.U8(e.tag);
    w.U16(static_cast<std::uint16_t>(e.value.size()));
    w.Append(e.value);
    if (w.size() - protocol.header_size > kMaxBody) break;  // reported below; stop growing
  }
  const std::size_t body = w.size() - protocol.header_size;
  if (body > kMaxBody) {
    return Fail(CommandName(protocol, command) + ": body would be more than " +
                std::to_string(kMaxBody) + " bytes (the header's u16 length): " +
                std::to_string(elements.size()) + " elements are too large to send");
  }
  Bytes out = std::move(w).Take();
  out[protocol.command_offset] = command;
  for (const FixedByte& fixed : protocol.fixed) out[fixed.offset] = fixed.value;
  out[protocol.length_offset()] = static_cast<std::uint8_t>(body >> 8);
  out[protocol.length_offset() + 1] = static_cast<std::uint8_t>(body);
  return out;
}

std::string Summarize(const Protocol& protocol, std::uint8_t command, std::uint32_t session_id,
                      const Elements& elements) {
  std::string out = CommandName(protocol, command) + " session " + std::to_string(session_id);
  if (elements.empty()) return out + ": no elements";
  out += ":";
  bool first = true;
  for (const Element& e : elements) {
    out += first ? " " : ", ";
    first = false;
    out += TagName(protocol, e.tag);
    std::optional<std::string> shown = protocol.describe(e.tag, e.value);
    out += shown ? *shown : " (" + std::to_string(e.value.size()) + " bytes)";
  }
  return out;
}

Result<ByteView> ElementValue(const Protocol& protocol, std::uint8_t command,
                              const Elements& elements, std::uint8_t tag) {
  for (const Element& e : elements) {
    if (e.tag == tag) return ByteView(e.value);
  }
  return Fail(CommandName(protocol, command) + ": no " + ElementLabel(protocol, tag) + " element");
}

Result<std::uint32_t> ElementNumber(const Protocol& protocol, std::uint8_t command,
                                    const Elements& elements, std::uint8_t tag, std::size_t width) {
  auto value = ElementValue(protocol, command, elements, tag);
  if (!value.ok()) return value.error();
  if (value->size() != width) {
    return Fail(CommandName(protocol, command) + ": " + ElementLabel(protocol, tag) +
                " has length " + std::to_string(value->size()) + ", expected " +
                std::to_string(width));
  }
  std::uint32_t n = 0;
  for (std::uint8_t b : *value) n = n << 8 | b;
  return n;
}

std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<std::uint8_t>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x" + HexLower(ByteView(&u, 1));
    }
  }
  return out;
}

std::optional<std::string> DescribeNumber(ByteView value, std::size_t width) {
  if (value.size() != width) return std::nullopt;
  std::uint32_t n = 0;
  for (std::uint8_t b : value) n = n << 8 | b;
  return " " + std::to_string(n);
}

std::string DescribeText(ByteView value) { return " \"" + Printable(TextUntilNul(value)) + "\""; }

}  // namespace opencapf::framed
