#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace opencapf {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// The bytes of a text, as they are.
inline Bytes BytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

/// Reads big-endian integers and byte runs from a buffer, refusing to read past its end.
/// Every failure names the field and the absolute offset so a person can find it in a hex dump.
class ByteReader {
 public:
  /// `base_offset` is where `data` starts in the enclosing file, for error messages.
  explicit ByteReader(ByteView data, std::size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  std::size_t offset() const { return base_ + pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  Result<std::uint8_t> U8(std::string_view field) {
    return U8([field] { return field; });
  }
  Result<std::uint16_t> U16(std::string_view field) {
    return U16([field] { return field; });
  }
  Result<std::uint32_t> U32(std::string_view field) {
    return U32([field] { return field; });
  }
  /// The next `n` bytes, without copying.
  Result<ByteView> Take(std::size_t n, std::string_view field) {
    return Take(n, [field] { return field; });
  }

  // The same reads for a field whose name costs a string to build ("header: CERTIFICATE value
  // (length 1234)"): `name_of()` is called only when the bytes are not there, since a parser
  // that reads millions of elements would otherwise spend most of its time naming them.
  template <std::invocable NameOf>
  Result<std::uint8_t> U8(NameOf&& name_of) {
    if (remaining() < 1) return Short(1, name_of());
    return data_[pos_++];
  }
  template <std::invocable NameOf>
  Result<std::uint16_t> U16(NameOf&& name_of) {
    if (remaining() < 2) return Short(2, name_of());
    const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  template <std::invocable NameOf>
  Result<std::uint32_t> U32(NameOf&& name_of) {
    if (remaining() < 4) return Short(4, name_of());
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  template <std::invocable NameOf>
  Result<ByteView> Take(std::size_t n, NameOf&& name_of) {
    if (remaining() < n) return Short(n, name_of());
    ByteView out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  /// Peeks at the next byte without consuming it; only valid when !empty().
  std::uint8_t PeekU8() const { return data_[pos_]; }

 private:
  Error Short(std::size_t wanted, std::string_view field) const;

  ByteView data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

/// Appends big-endian integers and byte runs to a growing buffer.
class ByteWriter {
 public:
  void U8(std::uint8_t v) { out_.push_back(v); }
  void U16(std::uint16_t v);
  void U32(std::uint32_t v);
  void Append(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  void Append(std::string_view text) { out_.insert(out_.end(), text.begin(), text.end()); }
  /// Overwrites two bytes at `at` (for lengths known only after the body is written).
  void PatchU16(std::size_t at, std::uint16_t v);
  std::size_t size() const { return out_.size(); }
  const Bytes& bytes() const& { return out_; }
  Bytes&& Take() && { return std::move(out_); }

 private:
  Bytes out_;
};

/// "3687695951c6" style lowercase hex, no separators.
std::string HexLower(ByteView bytes);
/// Uppercase hex with a separator between bytes ("64:F2:FE", "C3 E6 97").
std::string HexUpper(ByteView bytes, std::string_view separator);
/// Parses hex (upper or lower case, optional ':' or ' ' separators between bytes).
Result<Bytes> ParseHex(std::string_view text);

/// Text of a NUL-terminated field, stopping at the first NUL (a field without one is taken whole).
std::string TextUntilNul(ByteView bytes);

}  // namespace opencapf
