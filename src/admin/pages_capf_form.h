#pragma once

// The "CAPF Information" fields of CUCM's phone page as an HTML form: drawn for a new phone and
// for an existing one, read back from a POST, and turned into the change to make. Values are
// kept as typed so a refused form is shown again with what the user entered.

#include <httplib.h>

#include <ctime>
#include <string>

#include "store/device.h"
#include "store/device_edit.h"

namespace opencapf::admin::pages {

/// The form's fields as text, named as the API names them (the form fields' names).
struct CapfForm {
  std::string operation = "none";
  std::string auth = "null-string";
  std::string auth_string;
  std::string key_order = "rsa";
  std::string rsa_bits = "2048";
  std::string ec_curve = "256";
  std::string complete_by;               ///< ISO 8601 UTC, or empty
  std::string encrypted_config = "off";  ///< "on" or "off" (the checkbox)
};

/// The form showing `d` as stored.
CapfForm FormFromDevice(const store::Device& d);

/// The form as posted; a field missing from the post keeps its value from `defaults`. The
/// Encrypted Configuration checkbox posts "off" from a hidden field and, when ticked, "on" after
/// it: the last value counts.
CapfForm FormFromRequest(const httplib::Request& req, const CapfForm& defaults);

/// The change the form asks for. With `stored` (an existing device) only fields whose value
/// differs from the stored one are given, so saving the page untouched changes nothing and in
/// particular does not reschedule; without it (a new device) every field that is not empty.
store::DeviceFieldText FieldsToChange(const CapfForm& form, const store::Device* stored);

/// The editable rows of the section (Certificate Operation ... Operation Completes By, then the
/// Encrypted Configuration checkbox), as <tr>s of a table.fields. `invalid_field` (an API field
/// name) is marked for the eye and for screen readers.
std::string CapfFieldRows(const CapfForm& form, const std::string& invalid_field);

}  // namespace opencapf::admin::pages
