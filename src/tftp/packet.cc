#include "tftp/packet.h"

#include <algorithm>
#include <set>

namespace opencapf::tftp {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Walks a datagram's NUL-terminated strings, checking each against the datagram's end.
class Fields {
 public:
  Fields(ByteView datagram, std::size_t pos) : data_(datagram), pos_(pos) {}

  std::size_t offset() const { return pos_; }
  bool empty() const { return pos_ >= data_.size(); }
  /// True when only NUL bytes are left (some clients pad requests with them).
  bool OnlyPadding() const {
    return std::all_of(data_.begin() + static_cast<std::ptrdiff_t>(pos_), data_.end(),
                       [](std::uint8_t b) { return b == 0; });
  }

  Result<std::string> String(const std::string& what) {
    if (pos_ >= data_.size()) {
      return Fail(what + " is missing: the datagram ends at byte " + std::to_string(data_.size()));
    }
    auto begin = data_.begin() + static_cast<std::ptrdiff_t>(pos_);
    auto nul = std::find(begin, data_.end(), std::uint8_t{0});
    if (nul == data_.end()) {
      return Fail(what + " starting at offset " + std::to_string(pos_) +
                  " has no NUL terminator before the datagram ends at byte " +
                  std::to_string(data_.size()));
    }
    std::string out(begin, nul);
    pos_ = static_cast<std::size_t>(nul - data_.begin()) + 1;
    return out;
  }

 private:
  ByteView data_;
  std::size_t pos_;
};

Result<std::vector<Option>> DecodeOptions(Fields& fields, const std::string& packet) {
  std::vector<Option> options;
  while (!fields.empty()) {
    if (fields.OnlyPadding()) break;
    const std::size_t at = fields.offset();
    auto name = fields.String(packet + ": option name");
    if (!name.ok()) return name.error();
    if (name->empty()) {
      return Fail(packet + ": empty option name at offset " + std::to_string(at));
    }
    if (fields.empty()) {
      return Fail(packet + ": option '" + Printable(*name) + "' at offset " + std::to_string(at) +
                  " has no value (the datagram ends after its name)");
    }
    auto value = fields.String(packet + ": value of option '" + Printable(*name) + "'");
    if (!value.ok()) return value.error();
    options.push_back(Option{Lower(*name), std::move(*value)});
  }
  return options;
}

Result<Packet> DecodeRequest(Fields fields, bool write) {
  const std::string packet = write ? "WRQ" : "RRQ";
  auto filename = fields.String(packet + ": filename");
  if (!filename.ok()) return filename.error();
  auto mode_text = fields.String(packet + ": mode");
  if (!mode_text.ok()) return mode_text.error();
  Request request;
  request.write = write;
  request.filename = std::move(*filename);
  const std::string mode = Lower(*mode_text);
  if (mode == "octet") {
    request.mode = Mode::kOctet;
  } else if (mode == "netascii") {
    request.mode = Mode::kNetascii;
  } else if (mode == "mail") {
    request.mode = Mode::kMail;
  } else {
    return Fail(packet + ": mode '" + Printable(*mode_text) +
                "' is not netascii, octet or mail (RFC 1350)");
  }
  auto options = DecodeOptions(fields, packet);
  if (!options.ok()) return options.error();
  request.options = std::move(*options);
  return Packet(std::move(request));
}

// A decimal number with no sign, spaces or exponent; nullopt if it is not one or overflows.
std::optional<std::uint64_t> Number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

std::string Printable(std::string_view text, std::size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string OpcodeName(std::uint16_t opcode) {
  switch (opcode) {
    case 1:
      return "RRQ";
    case 2:
      return "WRQ";
    case 3:
      return "DATA";
    case 4:
      return "ACK";
    case 5:
      return "ERROR";
    case 6:
      return "OACK";
    default:
      return "opcode " + std::to_string(opcode);
  }
}

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kNetascii:
      return "netascii";
    case Mode::kOctet:
      return "octet";
    case Mode::kMail:
      return "mail";
  }
  return "octet";
}

Result<Packet> DecodePacket(ByteView datagram) {
  ByteReader reader(datagram);
  if (datagram.size() < 2) {
    return Fail("a TFTP packet needs at least 2 bytes for its opcode, this datagram has " +
                std::to_string(datagram.size()));
  }
  const std::uint16_t opcode = *reader.U16("opcode");
  switch (opcode) {
    case 1:
    case 2:
      return DecodeRequest(Fields(datagram, 2), opcode == 2);
    case 3: {
      auto block = reader.U16("DATA block number");
      if (!block.ok()) return Context("DATA", block.error());
      auto payload = *reader.Take(reader.remaining(), "DATA payload");
      return Packet(DataPacket{*block, Bytes(payload.begin(), payload.end())});
    }
    case 4: {
      auto block = reader.U16("ACK block number");
      if (!block.ok()) return Context("ACK", block.error());
      return Packet(AckPacket{*block});
    }
    case 5: {
      auto code = reader.U16("ERROR code");
      if (!code.ok()) return Context("ERROR", code.error());
      // The message is NUL-terminated; a sender that forgot the NUL still gets its text read.
      auto rest = *reader.Take(reader.remaining(), "ERROR message");
      return Packet(ErrorPacket{static_cast<ErrorCode>(*code), TextUntilNul(rest)});
    }
    case 6: {
      Fields fields(datagram, 2);
      auto options = DecodeOptions(fields, "OACK");
      if (!options.ok()) return options.error();
      return Packet(OptionAckPacket{std::move(*options)});
    }
    default:
      return Fail("unknown TFTP opcode " + std::to_string(opcode) +
                  " (RFC 1350 and 2347 define 1 to 6)");
  }
}

Bytes EncodeRequest(const Request& request) {
  ByteWriter w;
  w.U16(static_cast<std::uint16_t>(request.write ? Opcode::kWriteRequest : Opcode::kReadRequest));
  w.Append(request.filename);
  w.U8(0);
  w.Append(ModeName(request.mode));
  w.U8(0);
  for (const Option& o : request.options) {
    w.Append(o.name);
    w.U8(0);
    w.Append(o.value);
    w.U8(0);
  }
  return std::move(w).Take();
}

Bytes EncodeData(std::uint16_t block, ByteView payload) {
  ByteWriter w;
  w.U16(static_cast<std::uint16_t>(Opcode::kData));
  w.U16(block);
  w.Append(payload);
  return std::move(w).Take();
}

Bytes EncodeAck(std::uint16_t block) {
  ByteWriter w;
  w.U16(static_cast<std::uint16_t>(Opcode::kAck));
  w.U16(block);
  return std::move(w).Take();
}

Bytes EncodeError(ErrorCode code, std::string_view message) {
  ByteWriter w;
  w.U16(static_cast<std::uint16_t>(Opcode::kError));
  w.U16(static_cast<std::uint16_t>(code));
  // A NUL inside the message would end it early on the wire; keep the text up to it.
  w.Append(message.substr(0, message.find('\0')));
  w.U8(0);
  return std::move(w).Take();
}

Bytes EncodeOptionAck(const std::vector<Option>& options) {
  ByteWriter w;
  w.U16(static_cast<std::uint16_t>(Opcode::kOptionAck));
  for (const Option& o : options) {
    w.Append(o.name);
    w.U8(0);
    w.Append(o.value);
    w.U8(0);
  }
  return std::move(w).Take();
}

Bytes Encode(const Packet& packet) {
  struct Visitor {
    Bytes operator()(const Request& p) const { return EncodeRequest(p); }
    Bytes operator()(const DataPacket& p) const { return EncodeData(p.block, p.payload); }
    Bytes operator()(const AckPacket& p) const { return EncodeAck(p.block); }
    Bytes operator()(const ErrorPacket& p) const { return EncodeError(p.code, p.message); }
    Bytes operator()(const OptionAckPacket& p) const { return EncodeOptionAck(p.options); }
  };
  return std::visit(Visitor{}, packet);
}

Bytes ToNetascii(ByteView bytes) {
  Bytes out;
  out.reserve(bytes.size() + bytes.size() / 16);
  for (std::uint8_t b : bytes) {
    if (b == '\n') {
      out.push_back('\r');
      out.push_back('\n');
    } else if (b == '\r') {
      out.push_back('\r');
      out.push_back('\0');
    } else {
      out.push_back(b);
    }
  }
  return out;
}

Bytes FromNetascii(ByteView bytes) {
  Bytes out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r' && i + 1 < bytes.size() && (bytes[i + 1] == '\n' || bytes[i + 1] == 0)) {
      out.push_back(bytes[i + 1] == '\n' ? '\n' : '\r');
      ++i;
    } else {
      out.push_back(bytes[i]);
    }
  }
  return out;
}

Negotiation NegotiateOptions(const std::vector<Option>& requested, const OptionLimits& limits,
                             std::uint64_t transfer_size) {
  const std::uint16_t max_blksize =
      std::clamp<std::uint16_t>(limits.max_blksize, kMinBlockSize, kMaxBlockSize);
  const std::uint16_t max_windowsize = std::max<std::uint16_t>(limits.max_windowsize, 1);

  Negotiation n;
  std::set<std::string> seen;
  for (const Option& option : requested) {
    const std::string& name = option.name;
    const std::string shown = Printable(name, 32) + " '" + Printable(option.value, 32) + "'";
    if (!seen.insert(name).second) {
      n.ignored.push_back(shown + ": the option was already given; the first one counts");
      continue;
    }
    const auto value = Number(option.value);
    if (name == "blksize") {
      if (!value) {
        n.ignored.push_back(shown + ": not a number");
      } else if (*value < kMinBlockSize) {
        n.ignored.push_back(shown + ": below the minimum of 8 (RFC 2348)");
      } else {
        n.blksize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*value, max_blksize));
        n.accepted.push_back(Option{name, std::to_string(n.blksize)});
      }
    } else if (name == "timeout") {
      if (!value || *value < 1 || *value > 255) {
        n.ignored.push_back(shown + ": not a number of seconds from 1 to 255 (RFC 2349)");
      } else {
        n.timeout = std::chrono::seconds(*value);
        n.accepted.push_back(Option{name, std::to_string(*value)});
      }
    } else if (name == "tsize") {
      if (!value) {
        n.ignored.push_back(shown + ": not a number");
      } else if (transfer_size == 0) {
        // RFC 2349 would answer 0, but curl rejects an OACK with tsize 0 as invalid and fails
        // the download; without tsize it simply receives the empty block.
        n.ignored.push_back(shown + ": not answered for an empty file (curl rejects tsize 0)");
      } else {
        n.accepted.push_back(Option{name, std::to_string(transfer_size)});
      }
    } else if (name == "windowsize") {
      if (!value || *value < 1 || *value > 65535) {
        n.ignored.push_back(shown + ": not a number of blocks from 1 to 65535 (RFC 7440)");
      } else {
        n.windowsize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*value, max_windowsize));
        n.accepted.push_back(Option{name, std::to_string(n.windowsize)});
      }
    } else {
      n.ignored.push_back(shown + ": not an option opencapf knows");
    }
  }
  return n;
}

}  // namespace opencapf::tftp
