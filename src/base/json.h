#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace opencapf {

/// JSON text for output. Strings from files and the network may hold invalid UTF-8; they are
/// written with U+FFFD in place of the bad bytes instead of throwing.
inline std::string DumpJson(const nlohmann::json& value, int indent = 2) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace opencapf
