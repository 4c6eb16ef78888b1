#pragma once

// Changing a device's CAPF Information as an administrator does: `device add`/`device set`,
// the REST API and the web page's device form all read the fields as text, apply them with the
// same rules (scheduling sets Operation Pending, a default deadline one hour ahead, a cancelled
// operation clears its deadline) and report problems in words that name the field the way the
// caller's user typed it (a flag, a JSON field or a form label).

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "store/device.h"

namespace opencapf::store {

/// Operation Completes By when a scheduled operation is given none: the procedure asks for a
/// time at least one hour ahead.
inline constexpr std::time_t kDefaultDeadline = 3600;

/// The fields of a change as typed; a field not given stays nullopt. Names are the API's.
struct DeviceFieldText {
  std::optional<std::string> operation{}, auth{}, auth_string{}, key_order{}, rsa_bits{},
      ec_curve{}, complete_by{}, encrypted_config{};

  bool any() const {
    return operation || auth || auth_string || key_order || rsa_bits || ec_curve || complete_by ||
           encrypted_config;
  }
};

/// The fields given, read. Fields not given stay empty.
struct DeviceChanges {
  std::optional<Operation> operation{};
  std::optional<AuthMode> auth{};
  std::optional<std::string> auth_string{};
  std::optional<KeyOrder> key_order{};
  std::optional<int> rsa_bits{};
  std::optional<int> ec_curve{};
  std::optional<std::time_t> complete_by{};
  std::optional<bool> encrypted_config{};

  bool any() const {
    return operation || auth || auth_string || key_order || rsa_bits || ec_curve || complete_by ||
           encrypted_config;
  }
};

/// Why a change was not made.
struct EditError {
  enum class Kind {
    kUsage,    ///< a value is not one of the field's choices, or a field does not apply
    kInvalid,  ///< the device the change would make is invalid, or its deadline has passed
  };
  Kind kind;
  std::string field;    ///< the API name of the field at fault; empty when it is the device
  std::string message;  ///< a sentence naming the field as `FieldNamer` spells it
};

/// How a caller's user spells a field: "--complete-by" on the command line, "complete_by" in
/// JSON, "Operation Completes By" on the page. Given the API name.
using FieldNamer = std::function<std::string(std::string_view field)>;

/// The API's own names, unchanged.
std::string ApiFieldName(std::string_view field);

/// Reads the fields given. A value that is not one of a field's choices, not a number or not a
/// time is an error naming that field.
std::optional<EditError> ReadDeviceChanges(const DeviceFieldText& text, const Clock& clock,
                                           const FieldNamer& name, DeviceChanges& out);

/// Applies `c` to `d` as adding (a new device) or changing one does, then checks the result
/// with the store's rules (Validate, and CheckScheduleAhead when scheduling). Notes for the user
/// (a default deadline was chosen, a short deadline, a dropped authentication string, an
/// encrypted configuration with a key order that gives an EC LSC) go to `notes`. On error `d` may
/// be partly changed: apply to a copy.
std::optional<EditError> ApplyDeviceChanges(const DeviceChanges& c, Device& d, std::time_t now,
                                            const FieldNamer& name,
                                            std::vector<std::string>& notes);

/// One line per CAPF Information field that differs, in CUCM's labels ("Key Order: RSA Only ->
/// EC Only"). The authentication string itself is never shown ("changed", "removed").
std::vector<std::string> DeviceDifferences(const Device& before, const Device& after);

/// DeviceDifferences joined with "; " (what the audit log records for a change).
std::string DifferencesText(const Device& before, const Device& after);

/// "3d 4h", "59m", "45s": a span of time, roughly.
std::string Span(std::time_t seconds);

/// Whole days from now to `not_after`; negative once expired (floor division).
long long DaysLeft(std::time_t not_after, std::time_t now);

}  // namespace opencapf::store
