// The session fuzzers' input, read from the front a byte at a time: a sequence of records whose
// first byte says what the phone does next. Reads past the end give zeros, so every input is a
// complete script.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace opencapf::fuzzing {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  std::uint8_t U8() { return empty() ? 0 : data_[pos_++]; }
  /// Up to `n` bytes, fewer at the end.
  ByteView Take(std::size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    ByteView out(data_ + pos_, n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace opencapf::fuzzing
