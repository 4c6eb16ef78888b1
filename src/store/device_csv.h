#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "store/device.h"

namespace opencapf::store {

/// The columns a device CSV may have, spelled as the `opencapf device add` flags with
/// underscores. `name` comes first; the others are optional, in any order.
inline constexpr std::array<std::string_view, 9> kDeviceCsvColumns = {
    "name",     "operation", "auth",        "auth_string",      "key_order",
    "rsa_bits", "ec_curve",  "complete_by", "encrypted_config",
};

/// What a device CSV holds: every device, or every error.
struct DeviceCsv {
  /// The devices in file order, validated; empty when there are errors.
  std::vector<Device> devices;
  /// Each problem found, starting with its line ("line 7: auth_string '12ab' must be 4-10
  /// digits (0-9), e.g. 12345678"). The whole file is checked, so all of them are listed.
  std::vector<std::string> errors;
  /// What was filled in on the user's behalf (a default complete_by), to be shown to them.
  std::vector<std::string> notes;

  bool ok() const { return errors.empty(); }
};

/// Parses the CSV that `opencapf device import` reads:
///  - RFC 4180: fields separated by ',', records by CRLF or LF; a field in double quotes may
///    hold ',', line breaks and quotes written twice (""); blanks around a field are dropped;
///    blank lines are skipped; a UTF-8 byte order mark at the start is ignored;
///  - the first record is the header: `name`, then any of the other kDeviceCsvColumns in any
///    order (letter case and '-' for '_' do not matter); an unknown or repeated column is an
///    error;
///  - each row is one device; an empty field keeps the default (operation none, auth
///    null-string, key_order rsa, rsa_bits 2048, ec_curve 256, encrypted_config off); values
///    are read as the CLI reads them, complete_by with ParseTime (relative times count from
///    `clock`), encrypted_config with ParseEncryptedConfig (on/off, true/false, yes/no, 1/0);
///  - a scheduled operation without complete_by gets now + 1 hour (said in `notes`); a
///    complete_by already past is an error;
///  - every row is checked with Problems(); a name given twice is an error naming both lines.
/// Line numbers are those of the line where a record starts, counting from 1.
DeviceCsv ParseDeviceCsv(std::string_view text, const Clock& clock);

}  // namespace opencapf::store
