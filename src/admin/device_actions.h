#pragma once

// What the REST API and the web page do to devices, in one place: each action checks its
// input with the same rules as the CLI (store/device_edit.h), writes in one store transaction,
// records who did it in the audit log, and returns either the device or an error with the HTTP
// status it deserves and a message that says what to type instead.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/auth.h"
#include "admin/context.h"
#include "store/device.h"
#include "store/device_edit.h"

namespace opencapf::admin {

/// Why an action was not done.
struct ActionError {
  int status = 400;     ///< 400 bad input, 404 no such device, 409 already exists / raced
  std::string field;    ///< the API field at fault, when one is
  std::string message;  ///< what was wrong and what to do
  /// Every problem, for bulk import ("line 7: ..."); empty for the others.
  std::vector<std::string> problems{};
};

/// What a successful action did.
struct ActionDone {
  store::Device device;              ///< as stored now
  std::vector<std::string> notes;    ///< defaults chosen on the user's behalf, warnings
  std::vector<std::string> changes;  ///< "Key Order: RSA Only -> EC Only", ...
};

template <typename T>
struct Outcome {
  std::optional<ActionError> error;
  T value{};
  bool ok() const { return !error.has_value(); }
};

/// Adds a device with the fields given (the others keep their defaults). `namer` spells fields
/// in messages (the API's names, or the page's labels).
Outcome<ActionDone> CreateDevice(AdminContext& ctx, const Principal& who, std::string_view name,
                                 const store::DeviceFieldText& fields,
                                 const store::FieldNamer& namer = store::ApiFieldName);

/// Changes the fields given of an existing device: what `device set` does, including
/// scheduling (an operation, or a new deadline, sets Operation Pending). Retries when the
/// server changes the device at the same time.
Outcome<ActionDone> UpdateDevice(AdminContext& ctx, const Principal& who, std::string_view name,
                                 const store::DeviceFieldText& fields,
                                 const store::FieldNamer& namer = store::ApiFieldName);

/// Removes a device as `device remove` does: its LSC is recorded as revoked, its history kept.
Outcome<ActionDone> DeleteDevice(AdminContext& ctx, const Principal& who, std::string_view name);

/// What a bulk import did.
struct ImportDone {
  std::size_t added = 0;
  std::size_t scheduled = 0;
  std::vector<std::string> notes;
};

/// Adds every device of a CSV (the `device import` format) or, on any problem, none; the error
/// lists every problem with its line number.
Outcome<ImportDone> ImportDevices(AdminContext& ctx, const Principal& who, std::string_view csv);

/// Records an action in the audit log (and the server log); never fails the request.
void Audit(AdminContext& ctx, const Principal& who, std::string_view action,
           std::string_view target, std::string_view detail);

}  // namespace opencapf::admin
