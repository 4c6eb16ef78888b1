#include "admin/device_search.h"

#include <utility>

#include "admin/http.h"

namespace opencapf::admin {

DeviceQuery DeviceQuery::FromRequest(const httplib::Request& req) {
  auto read = [&](const char* name) { return Trim(Param(req, name).value_or("")); };
  return {read("q"), read("lsc_status"), read("operation_status"), read("auth_string")};
}

Outcome<std::vector<store::Device>> FindDevices(AdminContext& ctx, const DeviceQuery& query) {
  store::DeviceFilter filter;
  if (!query.lsc_status.empty()) {
    auto status = store::ParseLscStatus(query.lsc_status);
    if (!status.ok()) return {ActionError{400, "lsc_status", status.message()}};
    filter.lsc_status = *status;
  }
  if (!query.operation_status.empty()) filter.operation_status = query.operation_status;
  if (!query.auth_string.empty()) filter.auth_string = query.auth_string;
  auto listed = ctx.store.List(filter);
  if (!listed.ok()) {
    return {ActionError{500, "", "the device store cannot be read: " + listed.message()}};
  }
  // The store has no substring match on names: the rest is filtered here.
  const std::string needle = Lower(query.q);
  std::vector<store::Device> found;
  for (auto& d : *listed) {
    if (needle.empty() || Lower(d.name).find(needle) != std::string::npos) {
      found.push_back(std::move(d));
    }
  }
  return {std::nullopt, std::move(found)};
}

}  // namespace opencapf::admin
