#include "cli/roff.h"

#include <cstdint>
#include <cstdio>

namespace opencapf::cli {

namespace {

/// The code point of the UTF-8 sequence at `text[at]`, advancing `at` past it; a byte that does
/// not start a valid sequence is taken as Latin-1.
std::uint32_t NextCodePoint(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (length == 1 || at + length > text.size()) {
    ++at;
    return lead;
  }
  std::uint32_t code = lead & (0xFF >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) {
      ++at;
      return lead;
    }
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  at += length;
  return code;
}

}  // namespace

std::string RoffText(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (std::size_t at = 0; at < text.size();) {
    const char c = text[at];
    if (static_cast<unsigned char>(c) >= 0x80) {
      char code[16];
      std::snprintf(code, sizeof code, "\\[u%04X]", NextCodePoint(text, at));
      out += code;
      line_start = false;
      continue;
    }
    ++at;
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    switch (c) {
      case '\\':
        out += "\\e";
        break;
      case '-':
        out += "\\-";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RoffArgument(std::string_view text) {
  std::string out = "\"";
  for (char c : RoffText(text)) {
    if (c == '"') {
      out += "\\(dq";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RoffBold(std::string_view text) { return "\\fB" + RoffText(text) + "\\fR"; }
std::string RoffItalic(std::string_view text) { return "\\fI" + RoffText(text) + "\\fR"; }

}  // namespace opencapf::cli
