#include "base/bytes.h"

#include <algorithm>

namespace opencapf {

Error ByteReader::Short(std::size_t wanted, std::string_view field) const {
  return Fail("offset " + std::to_string(offset()) + ": " + std::string(field) + " needs " +
              std::to_string(wanted) + " bytes but only " + std::to_string(remaining()) +
              " are left");
}

void ByteWriter::U16(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::U32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
}

void ByteWriter::PatchU16(std::size_t at, std::uint16_t v) {
  out_.at(at) = static_cast<std::uint8_t>(v >> 8);
  out_.at(at + 1) = static_cast<std::uint8_t>(v);
}

namespace {
constexpr char kLower[] = "0123456789abcdef";
constexpr char kUpper[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string HexLower(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kLower[b >> 4]);
    out.push_back(kLower[b & 0xf]);
  }
  return out;
}

std::string HexUpper(ByteView bytes, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += separator;
    out.push_back(kUpper[bytes[i] >> 4]);
    out.push_back(kUpper[bytes[i] & 0xf]);
  }
  return out;
}

Result<Bytes> ParseHex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      if (high >= 0)
        return Fail("hex: odd digit before separator at position " + std::to_string(i));
      continue;
    }
    int v = HexValue(c);
    if (v < 0)
      return Fail("hex: '" + std::string(1, c) + "' at position " + std::to_string(i) +
                  " is not a hex digit");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return Fail("hex: odd number of digits");
  return out;
}

std::string TextUntilNul(ByteView bytes) {
  auto end = std::find(bytes.begin(), bytes.end(), std::uint8_t{0});
  return std::string(bytes.begin(), end);
}

}  // namespace opencapf
