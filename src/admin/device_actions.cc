#include "admin/device_actions.h"

#include <spdlog/spdlog.h>

#include "service/device_encryption.h"
#include "store/device_csv.h"

namespace opencapf::admin {

namespace {

ActionError BadName(const std::string& message) { return {400, "name", message}; }

ActionError FromEdit(const store::EditError& e) { return {400, e.field, e.message}; }

/// When a change turns Encrypted Configuration on (or keeps it on) for a phone whose
/// configuration cannot be served encrypted: why, as a note.
void NoteEncryptedConfigProblem(const store::DeviceChanges& changes, const store::Device& d,
                                const store::FieldNamer& namer, std::vector<std::string>& notes) {
  if (!changes.encrypted_config || !d.encrypted_config) return;
  const std::string problem = service::EncryptedConfigProblem(d);
  if (problem.empty()) return;
  notes.push_back(namer("encrypted_config") + " is on, but " + problem);
}

}  // namespace

void Audit(AdminContext& ctx, const Principal& who, std::string_view action,
           std::string_view target, std::string_view detail) {
  store::AuditEntry entry{.actor = who.Actor(),
                          .peer = who.peer,
                          .action = std::string(action),
                          .target = std::string(target),
                          .detail = std::string(detail)};
  spdlog::info("admin: audit: {} from {}: {} {}{}{}", entry.actor, entry.peer, entry.action,
               entry.target, entry.detail.empty() ? "" : ": ", entry.detail);
  if (Status st = ctx.store.AppendAudit(entry); !st.ok()) {
    spdlog::error("admin: the audit log could not be written: {}", st.message());
  }
}

Outcome<ActionDone> CreateDevice(AdminContext& ctx, const Principal& who, std::string_view name,
                                 const store::DeviceFieldText& fields,
                                 const store::FieldNamer& namer) {
  auto normalized = store::NormalizeDeviceName(name);
  if (!normalized.ok()) return {BadName(normalized.message())};
  store::Device d;
  d.name = *normalized;
  store::DeviceChanges changes;
  if (auto e = store::ReadDeviceChanges(fields, ctx.clock, namer, changes)) return {FromEdit(*e)};
  ActionDone done;
  if (auto e = store::ApplyDeviceChanges(changes, d, ctx.clock.Now(), namer, done.notes)) {
    return {FromEdit(*e)};
  }
  if (Status added = ctx.store.Add(d); !added.ok()) {
    auto existing = ctx.store.Get(d.name);
    if (existing.ok() && *existing) {
      return {ActionError{409, "name",
                          added.message() + "; change it with PATCH /api/v1/devices/" + d.name}};
    }
    return {ActionError{500, "", added.message()}};
  }
  auto stored = ctx.store.Get(d.name);
  if (stored.ok() && *stored) d = **stored;
  done.device = d;
  done.changes = store::DeviceDifferences(store::Device{.name = d.name}, d);
  NoteEncryptedConfigProblem(changes, d, namer, done.notes);
  Audit(ctx, who, "device.create", d.name,
        store::DifferencesText(store::Device{.name = d.name}, d));
  return {std::nullopt, std::move(done)};
}

Outcome<ActionDone> UpdateDevice(AdminContext& ctx, const Principal& who, std::string_view name,
                                 const store::DeviceFieldText& fields,
                                 const store::FieldNamer& namer) {
  auto normalized = store::NormalizeDeviceName(name);
  if (!normalized.ok()) return {BadName(normalized.message())};
  store::DeviceChanges changes;
  if (auto e = store::ReadDeviceChanges(fields, ctx.clock, namer, changes)) return {FromEdit(*e)};
  if (!changes.any()) {
    return {ActionError{400, "",
                        "nothing to change for " + *normalized + "; give one or more of " +
                            namer("operation") + ", " + namer("auth") + ", " +
                            namer("auth_string") + ", " + namer("key_order") + ", " +
                            namer("rsa_bits") + ", " + namer("ec_curve") + ", " +
                            namer("complete_by") + ", " + namer("encrypted_config")}};
  }
  // The change is applied to the device as read; if the CAPF server changes it in between,
  // the save is refused and the change is applied again to the new state.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto got = ctx.store.Get(*normalized);
    if (!got.ok()) return {ActionError{500, "", got.message()}};
    if (!*got) {
      return {ActionError{404, "name",
                          "there is no device " + *normalized +
                              "; add it first (POST /api/v1/devices, or Add device on the page)"}};
    }
    const store::Device before = **got;
    store::Device after = before;
    ActionDone done;
    if (auto e = store::ApplyDeviceChanges(changes, after, ctx.clock.Now(), namer, done.notes)) {
      return {FromEdit(*e)};
    }
    done.changes = store::DeviceDifferences(before, after);
    if (done.changes.empty()) {
      done.device = after;
      NoteEncryptedConfigProblem(changes, after, namer, done.notes);
      return {std::nullopt, std::move(done)};
    }
    Status saved = ctx.store.Save(after, std::nullopt);
    if (!saved.ok()) {
      auto again = ctx.store.Get(*normalized);
      const bool raced = again.ok() && *again && (*again)->version != before.version;
      if (raced && attempt < kAttempts) continue;
      if (again.ok() && !*again) {
        return {ActionError{404, "name", *normalized + " was removed while it was being changed"}};
      }
      return {ActionError{raced ? 409 : 500, "", saved.message()}};
    }
    auto stored = ctx.store.Get(*normalized);
    done.device = stored.ok() && *stored ? **stored : after;
    NoteEncryptedConfigProblem(changes, done.device, namer, done.notes);
    const bool scheduled = changes.operation || changes.complete_by;
    Audit(ctx, who, scheduled ? "device.schedule" : "device.update", *normalized,
          store::DifferencesText(before, done.device));
    return {std::nullopt, std::move(done)};
  }
}

Outcome<ActionDone> DeleteDevice(AdminContext& ctx, const Principal& who, std::string_view name) {
  auto normalized = store::NormalizeDeviceName(name);
  if (!normalized.ok()) return {BadName(normalized.message())};
  auto got = ctx.store.Get(*normalized);
  if (!got.ok()) return {ActionError{500, "", got.message()}};
  if (!*got) return {ActionError{404, "name", "there is no device " + *normalized}};
  if (Status removed = ctx.store.Remove(*normalized); !removed.ok()) {
    return {ActionError{500, "", removed.message()}};
  }
  ActionDone done;
  done.device = **got;
  if (done.device.lsc || done.device.pending_lsc) {
    done.notes.push_back(
        "its LSC is recorded as revoked: head-ends refuse it from the next CRL (a running "
        "serve refreshes its CRLs within seconds)");
  }
  if (done.device.lsc_status == store::LscStatus::kInstalled) {
    done.notes.push_back("the phone keeps its LSC (serial " + done.device.lsc->serial_hex +
                         "); to take it off the phone, add the device again with operation "
                         "delete");
  }
  Audit(ctx, who, "device.delete", *normalized,
        done.device.lsc ? "LSC " + done.device.lsc->serial_hex + " revoked" : "");
  return {std::nullopt, std::move(done)};
}

Outcome<ImportDone> ImportDevices(AdminContext& ctx, const Principal& who, std::string_view csv) {
  const store::DeviceCsv parsed = store::ParseDeviceCsv(csv, ctx.clock);
  if (!parsed.ok()) {
    ActionError e{400, "",
                  "nothing imported; " + std::to_string(parsed.errors.size()) +
                      (parsed.errors.size() == 1 ? " problem" : " problems") +
                      ": fix the file and import it again (columns: name,operation,auth,"
                      "auth_string,key_order,rsa_bits,ec_curve,complete_by,encrypted_config)"};
    e.problems = parsed.errors;
    return {e};
  }
  if (parsed.devices.empty()) {
    return {ActionError{400, "",
                        "the file has no devices: give a header line (name,...) and "
                        "one line per device"}};
  }
  if (Status added = ctx.store.AddAll(parsed.devices); !added.ok()) {
    ActionError e{409, "",
                  "nothing imported: " + added.message() +
                      "; remove those rows (change existing devices one by one), then import "
                      "again"};
    return {e};
  }
  ImportDone done;
  done.added = parsed.devices.size();
  for (const auto& d : parsed.devices) {
    done.scheduled += d.operation != store::Operation::kNone ? 1 : 0;
  }
  done.notes = parsed.notes;
  Audit(ctx, who, "device.import", std::to_string(done.added) + " devices",
        std::to_string(done.scheduled) + " with an operation scheduled");
  return {std::nullopt, std::move(done)};
}

}  // namespace opencapf::admin
