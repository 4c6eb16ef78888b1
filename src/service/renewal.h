#pragma once

// Renewal on a policy ([renewal] in opencapf.toml): every LSC that ends within `before_days` is
// renewed by scheduling Install/Upgrade "By Existing Certificate (Precedence to LSC)" for its
// phone, at most `max_per_hour` phones an hour, soonest end first. `serve` runs it at start and
// every 10 minutes; `opencapf report --renewals` shows the plan.

#include <cstddef>
#include <ctime>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "service/config.h"
#include "store/store.h"

namespace opencapf::service {

/// One phone whose LSC the policy renews.
struct PlannedRenewal {
  std::string device;
  std::string serial_hex;       ///< the LSC it renews
  std::time_t lsc_expires = 0;  ///< that LSC's end
  /// When it is (or was) scheduled: now for the first `max_per_hour` (less those scheduled in
  /// the last hour), an hour later for the next ones, and so on.
  std::time_t scheduled_at = 0;
  /// Already scheduled by a renewal (waiting for the phone), not still to come.
  bool scheduled = false;
  /// False when its LSC ends before the plan reaches it: the phone can no longer authenticate
  /// with it, and needs another mode (an authentication string, its MIC).
  bool reachable = true;
  /// Why it is not scheduled at all (the CAPF certificate itself ends within before_days, so a
  /// new LSC could not outlast the old one); empty when it is.
  std::string blocked;
};

/// The audit log's action for a renewal `serve` scheduled.
inline constexpr const char* kRenewalAuditAction = "renewal.schedule";

/// The plan at `now`: devices holding an Installed LSC that ends within `before_days` and with
/// nothing scheduled are to come, soonest end first, `max_per_hour` an hour starting with the
/// `scheduled_last_hour` already used; devices a renewal scheduled and that still wait are
/// listed as scheduled (`renewed`: the devices a renewal was ever scheduled for). Empty when
/// before_days is 0.
/// `capf_not_after` is the current CAPF certificate's end: when it falls within before_days,
/// nothing is scheduled (every new LSC would end with it) and each entry says why.
std::vector<PlannedRenewal> PlanRenewals(const std::vector<store::Device>& devices,
                                         const Config::Renewal& policy, std::time_t now,
                                         std::time_t capf_not_after, int scheduled_last_hour,
                                         const std::vector<std::string>& renewed = {});

/// From the audit log: the renewals scheduled within the hour before `now`, and every device a
/// renewal was scheduled for (PlanRenewals lists those still Install/Upgrade as waiting).
struct RenewalState {
  int scheduled_last_hour = 0;
  std::vector<std::string> renewed;
};
Result<RenewalState> ReadRenewalState(store::Store& store, const Config::Renewal& policy,
                                      std::time_t now);

/// The plan as the store holds it now.
Result<std::vector<PlannedRenewal>> CurrentRenewalPlan(store::Store& store,
                                                       const Config::Renewal& policy,
                                                       std::time_t now, std::time_t capf_not_after);

/// What `serve` does: schedules every renewal the plan puts at now — Install/Upgrade, By Existing
/// Certificate (Precedence to LSC), Operation Completes By now + window_hours — each with a
/// "renewal scheduled" event in the device's history and an audit entry. A device changed
/// meanwhile (its version moved) is left for the next run. Returns those it scheduled.
Result<std::vector<PlannedRenewal>> ScheduleDueRenewals(store::Store& store,
                                                        const Config::Renewal& policy,
                                                        const Clock& clock,
                                                        std::time_t capf_not_after);

}  // namespace opencapf::service
