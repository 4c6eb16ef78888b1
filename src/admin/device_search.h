#pragma once

// Finding phones as CUCM's Find and List Phones does: by LSC Status, Certificate Operation
// Status, Authentication String and part of the Device Name. GET /api/v1/devices and the page
// /devices take the same four query parameters and find the same phones with them.

#include <httplib.h>

#include <string>
#include <vector>

#include "admin/context.h"
#include "admin/device_actions.h"
#include "store/device.h"

namespace opencapf::admin {

/// The conditions, as typed (trimmed); an empty one does not filter.
struct DeviceQuery {
  std::string q;                 ///< part of the Device Name, any case
  std::string lsc_status;        ///< "installed", "not-installed", "pending" or their labels
  std::string operation_status;  ///< a whole status, or a kind ("Upgrade Failed"), any case
  std::string auth_string;

  /// The parameters q, lsc_status, operation_status and auth_string of a query string or form,
  /// without leading and trailing blanks (a pasted value often has them).
  static DeviceQuery FromRequest(const httplib::Request& req);

  /// True when any condition is given.
  bool any() const {
    return !q.empty() || !lsc_status.empty() || !operation_status.empty() || !auth_string.empty();
  }
};

/// The phones that meet every condition, by name. A lsc_status that is not one of the three is
/// a 400 naming the field "lsc_status" and the choices, in the store's words: each caller says
/// it in its user's (the query parameter, or the page's label). A store that cannot be read is
/// a 500.
Outcome<std::vector<store::Device>> FindDevices(AdminContext& ctx, const DeviceQuery& query);

}  // namespace opencapf::admin
