#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "phone/address.h"

namespace opencapf::phone {

/// What a phone reads about CAPF from its configuration file SEP<MAC>.cnf.xml
/// (wire-formats.md §2): how to authenticate and where CAPF is.
struct PhoneCnf {
  /// <capfAuthMode>: the AUTH_TYPE codes (1 authentication string, 2 null string, 3 LSC first,
  /// 4 MIC first); nullopt when the file has none.
  std::optional<int> capf_auth_mode;
  /// <capfList><capf><processNodeName>…</processNodeName><phonePort>…</phonePort>, in order.
  std::vector<HostPort> capf;
};

/// Parses the file; elements are found wherever they sit under the root (CUCM nests them
/// under <device>). A file that is not XML is an error naming the offset; a missing element is
/// simply absent; an unusable value (a port that is not a number) is an error.
Result<PhoneCnf> ParseCnf(ByteView xml);

/// "By Authentication String" etc. for a capfAuthMode code; "capfAuthMode N" for others.
std::string CapfAuthModeText(int code);

}  // namespace opencapf::phone
