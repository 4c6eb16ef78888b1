#pragma once

// The routes of the administration server, by part. Each registers its handlers on `server`;
// `ctx` outlives the server.

#include <httplib.h>

#include "admin/context.h"

namespace opencapf::admin {

/// /login, /logout (login.cc).
void RegisterLogin(httplib::Server& server, AdminContext& ctx);
/// /healthz and /metrics (metrics_route.cc).
void RegisterHealthAndMetrics(httplib::Server& server, AdminContext& ctx);
/// /api/v1/... (api.cc).
void RegisterApi(httplib::Server& server, AdminContext& ctx);
/// The pages and /static/ (pages.cc).
void RegisterPages(httplib::Server& server, AdminContext& ctx);

}  // namespace opencapf::admin
