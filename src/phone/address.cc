#include "phone/address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace opencapf::phone {

std::string HostPort::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

Result<std::uint16_t> Port(std::string_view text, std::string_view whole) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail("'" + std::string(whole) + "': the port '" + std::string(text) +
                "' is not a number from 1 to 65535");
  }
  const int value = std::stoi(std::string(text));
  if (value < 1 || value > 65535) {
    return Fail("'" + std::string(whole) + "': the port " + std::string(text) +
                " is not from 1 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

bool IsAddressLiteral(const std::string& host) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

Result<HostPort> ParseHostPort(std::string_view text, std::uint16_t default_port) {
  const std::string whole(text);
  if (text.empty()) return Fail("an empty server address; give HOST or HOST:PORT");
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Fail("'" + whole + "': no ']' after the IPv6 address; write [ADDRESS]:PORT");
    }
    HostPort out{std::string(text.substr(1, close - 1)), default_port};
    if (out.host.empty()) return Fail("'" + whole + "': an empty address between [ and ]");
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return out;
    if (rest.front() != ':') return Fail("'" + whole + "': expected ':PORT' after ']'");
    auto port = Port(rest.substr(1), text);
    if (!port.ok()) return port.error();
    out.port = *port;
    return out;
  }
  const auto first = text.find(':');
  if (first != std::string_view::npos && text.find(':', first + 1) != std::string_view::npos) {
    return HostPort{whole, default_port};  // a bare IPv6 address
  }
  if (first == std::string_view::npos) return HostPort{whole, default_port};
  HostPort out{std::string(text.substr(0, first)), default_port};
  if (out.host.empty()) return Fail("'" + whole + "': no host before ':'");
  auto port = Port(text.substr(first + 1), text);
  if (!port.ok()) return port.error();
  out.port = *port;
  return out;
}

}  // namespace opencapf::phone
