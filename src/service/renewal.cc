#include "service/renewal.h"

#include <algorithm>
#include <map>
#include <set>

#include "capf/server_session.h"
#include "pki/certificate.h"

namespace opencapf::service {

namespace {

constexpr std::time_t kHour = 3600;

bool Renewable(const store::Device& d, const Config::Renewal& policy, std::time_t now) {
  return d.lsc && d.lsc_status == store::LscStatus::kInstalled &&
         d.operation == store::Operation::kNone &&
         d.lsc->not_after - now <= static_cast<std::time_t>(policy.before_days) * 86400;
}

}  // namespace

std::vector<PlannedRenewal> PlanRenewals(const std::vector<store::Device>& devices,
                                         const Config::Renewal& policy, std::time_t now,
                                         std::time_t capf_not_after, int scheduled_last_hour,
                                         const std::vector<std::string>& renewed) {
  std::vector<PlannedRenewal> out;
  if (policy.before_days <= 0 || policy.max_per_hour <= 0) return out;
  const std::set<std::string> waits(renewed.begin(), renewed.end());
  std::vector<const store::Device*> due;
  for (const auto& d : devices) {
    if (waits.count(d.name) && d.lsc && d.operation == store::Operation::kInstall) {
      out.push_back({d.name,
                     d.lsc->serial_hex,
                     d.lsc->not_after,
                     d.updated,
                     true,
                     d.lsc->not_after > now,
                     {}});
    } else if (Renewable(d, policy, now)) {
      due.push_back(&d);
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const store::Device* a, const store::Device* b) {
    return a->lsc->not_after < b->lsc->not_after;
  });
  const std::time_t before = static_cast<std::time_t>(policy.before_days) * 86400;
  if (capf_not_after != 0 && capf_not_after - now <= before) {
    const std::string why = "the CAPF certificate itself ends " + pki::FormatUtc(capf_not_after) +
                            ", so a new LSC would end with it: regenerate it first (opencapf cert "
                            "regenerate capf)";
    for (const auto* d : due) {
      out.push_back(
          {d->name, d->lsc->serial_hex, d->lsc->not_after, 0, false, d->lsc->not_after > now, why});
    }
    return out;
  }
  // Slot k of the plan: the hour (k + scheduled_last_hour) / max_per_hour from now.
  const long long used = std::max(0, scheduled_last_hour);
  for (std::size_t k = 0; k < due.size(); ++k) {
    const long long hour = (static_cast<long long>(k) + used) / policy.max_per_hour;
    const std::time_t at = now + static_cast<std::time_t>(hour) * kHour;
    out.push_back({due[k]->name,
                   due[k]->lsc->serial_hex,
                   due[k]->lsc->not_after,
                   at,
                   false,
                   at < due[k]->lsc->not_after,
                   {}});
  }
  return out;
}

Result<RenewalState> ReadRenewalState(store::Store& store, const Config::Renewal& policy,
                                      std::time_t now) {
  // The audit log is newest first; enough of it to see a whole hour's renewals among the rest.
  const std::size_t look =
      std::max<std::size_t>(1000, 4 * static_cast<std::size_t>(std::max(0, policy.max_per_hour)));
  auto audit = store.ListAudit(look);
  if (!audit.ok()) return audit.error();
  RenewalState state;
  std::set<std::string> renewed;
  for (const auto& a : *audit) {
    // A renewal on contact happens in the phone's session: it is not one of the hour's slots.
    const bool scheduled = a.action == kRenewalAuditAction;
    if (!scheduled && a.action != capf::kRenewalOnContactAuditAction) continue;
    if (scheduled && a.at > now - kHour) ++state.scheduled_last_hour;
    if (renewed.insert(a.target).second) state.renewed.push_back(a.target);
  }
  return state;
}

Result<std::vector<PlannedRenewal>> CurrentRenewalPlan(store::Store& store,
                                                       const Config::Renewal& policy,
                                                       std::time_t now,
                                                       std::time_t capf_not_after) {
  if (policy.before_days <= 0) return std::vector<PlannedRenewal>{};
  auto devices = store.List({});
  if (!devices.ok()) return devices.error();
  auto state = ReadRenewalState(store, policy, now);
  if (!state.ok()) return state.error();
  return PlanRenewals(*devices, policy, now, capf_not_after, state->scheduled_last_hour,
                      state->renewed);
}

Result<std::vector<PlannedRenewal>> ScheduleDueRenewals(store::Store& store,
                                                        const Config::Renewal& policy,
                                                        const Clock& clock,
                                                        std::time_t capf_not_after) {
  const std::time_t now = clock.Now();
  if (policy.before_days <= 0) return std::vector<PlannedRenewal>{};
  auto devices = store.List({});
  if (!devices.ok()) return devices.error();
  auto state = ReadRenewalState(store, policy, now);
  if (!state.ok()) return state.error();
  const auto plan = PlanRenewals(*devices, policy, now, capf_not_after, state->scheduled_last_hour,
                                 state->renewed);
  std::map<std::string, const store::Device*> by_name;
  for (const auto& d : *devices) by_name[d.name] = &d;
  std::vector<PlannedRenewal> done;
  for (const auto& p : plan) {
    if (p.scheduled || !p.blocked.empty() || p.scheduled_at > now) continue;
    // The copy listed above: Save refuses it when an administrator changed the device since.
    store::Device d = *by_name.at(p.device);
    d.operation = store::Operation::kInstall;
    d.auth = store::AuthMode::kExistingLsc;
    d.complete_by = now + static_cast<std::time_t>(policy.window_hours) * kHour;
    d.operation_status = std::string(store::kStatusPending);
    const std::string why = "renewal scheduled: LSC " + p.serial_hex + " ends " +
                            pki::FormatUtc(p.lsc_expires) +
                            "; Install/Upgrade by existing certificate (precedence to LSC) until " +
                            pki::FormatUtc(*d.complete_by);
    store::Event event{
        .device = d.name, .operation = "renewal", .result = "scheduled", .reason = why};
    if (!store.Save(d, event).ok()) continue;  // an administrator got there first: next run
    (void)store.AppendAudit({.actor = "serve (renewal policy)",
                             .action = kRenewalAuditAction,
                             .target = d.name,
                             .detail = why});
    done.push_back(p);
  }
  return done;
}

}  // namespace opencapf::service
