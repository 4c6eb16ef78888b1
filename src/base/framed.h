// Framed messages: the shape CAPF (wire-formats.md §2) and TVS (§3) share. A fixed header that
// starts with a protocol id and ends with a session id (u32) and a body length (u16), then a
// body of `tag u8 | length u16 | value` elements. A Protocol says what is a protocol's own: the
// header's size, where the command sits, the other bytes with one allowed value, and the names
// of its commands and tags for errors and log lines. Pure functions over bytes; a reader takes
// the header first, then exactly the body it declares.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::framed {

/// The largest body or element a header can declare (both length fields are u16).
inline constexpr std::size_t kMaxBody = 0xffff;
/// The largest header a protocol may have (TVS's is 10 bytes): what a reader sets aside for one.
inline constexpr std::size_t kMaxHeaderSize = 16;

/// One body element. Tags outside the protocol are kept as they came.
struct Element {
  std::uint8_t tag = 0;
  Bytes value;

  bool operator==(const Element&) const = default;
};
using Elements = std::vector<Element>;

/// A header byte other than the protocol id that has one allowed value (TVS's version).
struct FixedByte {
  std::size_t offset = 0;
  std::uint8_t value = 0;
  std::string_view name;  ///< "version", "reserved byte"
};

/// What makes one framed protocol itself.
struct Protocol {
  std::string_view name;        ///< "CAPF": in every error about a header
  std::uint8_t id = 0;          ///< the first byte of every message
  std::size_t header_size = 0;  ///< at most kMaxHeaderSize
  std::size_t command_offset = 0;
  std::span<const FixedByte> fixed;
  /// The name of each command by its value ("" at 0): commands are 1 to size - 1.
  std::span<const std::string_view> command_names;
  /// The name of each tag by its value; "" where the protocol has no such tag.
  std::span<const std::string_view> tag_names;
  /// How a log line shows a known element's value (" 3", " \"SEP…\""); nullopt shows its size.
  /// Secrets say so here and never print.
  std::optional<std::string> (*describe)(std::uint8_t tag, ByteView value) = nullptr;

  std::size_t last_command() const { return command_names.size() - 1; }
  std::size_t session_offset() const { return header_size - 6; }
  std::size_t length_offset() const { return header_size - 2; }
};

/// A decoded header before its command has a protocol's type.
struct RawHeader {
  std::uint8_t command = 0;
  std::uint32_t session_id = 0;
  std::uint16_t body_length = 0;
};

/// A whole message before its command has a protocol's type (what a channel reads).
struct RawMessage {
  std::uint8_t command = 0;
  std::uint32_t session_id = 0;
  Elements elements;
};

// ----- The protocol-independent codec ---------------------------------------------------------

/// Whether `command` is one of the protocol's commands.
bool IsKnownCommand(const Protocol& protocol, std::uint8_t command);
/// "AUTH_REQUEST"; "command 42" for a value outside the protocol.
std::string CommandName(const Protocol& protocol, std::uint8_t command);
/// "DEVICE_NAME"; "tag 42" for a tag outside the protocol.
std::string TagName(const Protocol& protocol, std::uint8_t tag);
/// "DEVICE_NAME (tag 13)"; "tag 42" for a tag outside the protocol.
std::string ElementLabel(const Protocol& protocol, std::uint8_t tag);

/// Decodes the header at the start of `data` (fewer bytes is an error, more are ignored). Checks
/// the protocol id, the fixed bytes and that the command is known; says what the bytes look like
/// (TLS, another framed protocol, text) when they are not this protocol.
Result<RawHeader> DecodeRawHeader(const Protocol& protocol, ByteView data);

/// Decodes the body that follows `header`; `body` must be exactly `header.body_length` bytes.
/// Every element length is checked against what is left; unknown tags are kept. Offsets in
/// errors count from the start of the message (header included), as in a hex dump.
Result<Elements> DecodeElements(const Protocol& protocol, const RawHeader& header, ByteView body);

/// Checks that `message` holds nothing after the body its header declares.
Status CheckOneMessage(const Protocol& protocol, const RawHeader& header, ByteView message);

/// Header and body in one buffer, ready for a single write (one TLS record: phones stall on split
/// records). Fails when an element or the body would not fit its u16 length field.
Result<Bytes> EncodeMessage(const Protocol& protocol, std::uint8_t command,
                            std::uint32_t session_id, const Elements& elements);

/// One line for logs: "AUTH_RESPONSE session 1: REASON 1, PASSWORD (6 characters, not shown)".
std::string Summarize(const Protocol& protocol, std::uint8_t command, std::uint32_t session_id,
                      const Elements& elements);

/// The value of the first element with `tag`; missing is an error naming command and element.
Result<ByteView> ElementValue(const Protocol& protocol, std::uint8_t command,
                              const Elements& elements, std::uint8_t tag);
/// A big-endian number of exactly `width` bytes (1, 2 or 4); another length is an error.
Result<std::uint32_t> ElementNumber(const Protocol& protocol, std::uint8_t command,
                                    const Elements& elements, std::uint8_t tag, std::size_t width);

/// Text for a log line: non-printable bytes, quotes and backslashes as \xNN.
std::string Printable(std::string_view text);
/// " 3" for a value of exactly `width` bytes read as a big-endian number; nullopt otherwise.
std::optional<std::string> DescribeNumber(ByteView value, std::size_t width);
/// " \"text\"" for a NUL-terminated text value (printable).
std::string DescribeText(ByteView value);

// ----- Typed messages: P names a protocol's Command and Tag enums and its Protocol ------------

/// What a protocol's Framing derives from: its command and tag enums.
template <typename CommandEnum, typename TagEnum>
struct Enums {
  using Command = CommandEnum;
  using Tag = TagEnum;
};

template <typename P>
concept FramedProtocol = requires {
  typename P::Command;
  typename P::Tag;
  { P::kWire } -> std::convertible_to<const Protocol&>;
};

/// The fixed part of a message, decoded on its own so a reader knows how much body to expect.
template <FramedProtocol P>
struct Header {
  typename P::Command command = static_cast<typename P::Command>(1);
  std::uint32_t session_id = 0;
  std::uint16_t body_length = 0;

  /// Decodes the header at the start of `data` (fewer bytes is an error, more are ignored).
  static Result<Header> Decode(ByteView data) {
    auto raw = DecodeRawHeader(P::kWire, data);
    if (!raw.ok()) return raw.error();
    return Header{static_cast<typename P::Command>(raw->command), raw->session_id,
                  raw->body_length};
  }

  bool operator==(const Header&) const = default;
};

/// A whole message: command, session and the body's elements in wire order.
template <FramedProtocol P>
struct Message {
  using Command = typename P::Command;
  using Tag = typename P::Tag;

  Command command = static_cast<Command>(1);
  std::uint32_t session_id = 0;
  Elements elements;

  /// Decodes a buffer holding exactly one whole message.
  static Result<Message> Decode(ByteView message);

  /// Appends an element (order on the wire is the order of the calls).
  Message& Add(Tag tag, ByteView value) {
    elements.push_back(Element{Raw(tag), Bytes(value.begin(), value.end())});
    return *this;
  }
  Message& AddU8(Tag tag, std::uint8_t value) { return Add(tag, ByteView(&value, 1)); }
  Message& AddU16(Tag tag, std::uint16_t value) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(value >> 8),
                               static_cast<std::uint8_t>(value)};
    return Add(tag, ByteView(b, 2));
  }
  Message& AddU32(Tag tag, std::uint32_t value) {
    const std::uint8_t b[4] = {
        static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
        static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    return Add(tag, ByteView(b, 4));
  }
  /// `text` followed by one NUL, the way CAPF sends PASSWORD and DEVICE_NAME.
  Message& AddText(Tag tag, std::string_view text) {
    Bytes value(text.begin(), text.end());
    value.push_back(0);
    elements.push_back(Element{Raw(tag), std::move(value)});
    return *this;
  }

  /// The first element with `tag`, or nullptr.
  const Element* Find(Tag tag) const {
    for (const Element& e : elements) {
      if (e.tag == Raw(tag)) return &e;
    }
    return nullptr;
  }
  bool Has(Tag tag) const { return Find(tag) != nullptr; }
  /// The value of the first element with `tag`; missing is an error naming the element.
  Result<ByteView> Value(Tag tag) const {
    return ElementValue(P::kWire, Raw(command), elements, Raw(tag));
  }
  /// A one-byte element; missing or another length is an error naming the element.
  Result<std::uint8_t> U8(Tag tag) const { return Number<std::uint8_t>(tag); }
  /// A two-byte big-endian element.
  Result<std::uint16_t> U16(Tag tag) const { return Number<std::uint16_t>(tag); }
  /// A four-byte big-endian element.
  Result<std::uint32_t> U32(Tag tag) const { return Number<std::uint32_t>(tag); }
  /// A NUL-terminated text element: the text before the first NUL (a missing NUL is accepted).
  Result<std::string> Text(Tag tag) const {
    auto value = Value(tag);
    if (!value.ok()) return value.error();
    return TextUntilNul(*value);
  }

  bool operator==(const Message&) const = default;

 private:
  template <typename E>
  static std::uint8_t Raw(E e) {
    return static_cast<std::uint8_t>(e);
  }
  template <typename N>
  Result<N> Number(Tag tag) const {
    auto n = ElementNumber(P::kWire, Raw(command), elements, Raw(tag), sizeof(N));
    if (!n.ok()) return n.error();
    return static_cast<N>(*n);
  }
};

/// Header and body in one buffer, ready for a single write (one TLS record).
template <FramedProtocol P>
Result<Bytes> Encode(const Message<P>& message) {
  return EncodeMessage(P::kWire, static_cast<std::uint8_t>(message.command), message.session_id,
                       message.elements);
}

/// Decodes the body that follows `header`; `body` must be exactly `header.body_length` bytes.
template <FramedProtocol P>
Result<Message<P>> DecodeBody(const Header<P>& header, ByteView body) {
  const RawHeader raw{static_cast<std::uint8_t>(header.command), header.session_id,
                      header.body_length};
  auto elements = DecodeElements(P::kWire, raw, body);
  if (!elements.ok()) return elements.error();
  return Message<P>{header.command, header.session_id, std::move(*elements)};
}

template <FramedProtocol P>
Result<Message<P>> Message<P>::Decode(ByteView message) {
  auto header = Header<P>::Decode(message);
  if (!header.ok()) return header.error();
  const RawHeader raw{static_cast<std::uint8_t>(header->command), header->session_id,
                      header->body_length};
  if (Status one = CheckOneMessage(P::kWire, raw, message); !one.ok()) return one.error();
  return DecodeBody(*header, message.subspan(P::kWire.header_size));
}

/// One line for logs; what `describe` hides (passwords, signatures) never prints.
template <FramedProtocol P>
std::string Summary(const Message<P>& message) {
  return Summarize(P::kWire, static_cast<std::uint8_t>(message.command), message.session_id,
                   message.elements);
}

}  // namespace opencapf::framed
