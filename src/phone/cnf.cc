#include "phone/cnf.h"

#include <pugixml.hpp>

namespace opencapf::phone {

std::string CapfAuthModeText(int code) {
  switch (code) {
    case 0:
      return "none";
    case 1:
      return "By Authentication String";
    case 2:
      return "By Null String";
    case 3:
      return "By Existing Certificate (Precedence to LSC)";
    case 4:
      return "By Existing Certificate (Precedence to MIC)";
  }
  return "capfAuthMode " + std::to_string(code);
}

namespace {

std::string Trimmed(const char* text) {
  std::string s(text);
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

Result<int> Integer(const std::string& text, const std::string& element, int max) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return Fail("<" + element + "> is '" + text + "', not a number");
  }
  const int value = std::stoi(text);
  if (value > max) return Fail("<" + element + "> is " + text + ", over " + std::to_string(max));
  return value;
}

}  // namespace

Result<PhoneCnf> ParseCnf(ByteView xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Fail("not well-formed XML at offset " + std::to_string(parsed.offset) + " (" +
                parsed.description() + ")");
  }
  PhoneCnf cnf;
  pugi::xpath_node mode = doc.select_node("//capfAuthMode");
  if (mode) {
    const std::string text = Trimmed(mode.node().child_value());
    if (!text.empty()) {
      auto code = Integer(text, "capfAuthMode", 255);
      if (!code.ok()) return code.error();
      cnf.capf_auth_mode = *code;
    }
  }
  for (pugi::xpath_node entry : doc.select_nodes("//capfList/capf")) {
    HostPort server;
    server.host = Trimmed(entry.node().child_value("processNodeName"));
    const std::string port = Trimmed(entry.node().child_value("phonePort"));
    server.port = 3804;
    if (!port.empty()) {
      auto value = Integer(port, "phonePort", 65535);
      if (!value.ok()) return value.error();
      if (*value == 0) return Fail("<phonePort> is 0");
      server.port = static_cast<std::uint16_t>(*value);
    }
    if (server.host.empty()) continue;  // an entry without a host names no server
    cnf.capf.push_back(server);
  }
  return cnf;
}

}  // namespace opencapf::phone
