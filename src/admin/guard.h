#pragma once

// Authentication in front of every route but /healthz and /login: the API wants a bearer token
// or a login session (whose changes must carry the X-CSRF-Token header); pages want a login
// session (and every POSTed form its "csrf" field).

#include <httplib.h>

#include <functional>

#include "admin/auth.h"
#include "admin/context.h"

namespace opencapf::admin {

using GuardedHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Principal&)>;

/// For /api/v1 and /metrics: 401 (JSON, WWW-Authenticate: Bearer) without credentials, 403
/// for a session's change without its CSRF token.
httplib::Server::Handler ApiRoute(AdminContext& ctx, GuardedHandler handler);

/// For pages: a redirect to /login without a session, 403 for a POST without its CSRF token.
httplib::Server::Handler PageRoute(AdminContext& ctx, GuardedHandler handler);

/// The principal of a request with a valid session or token, nullopt when it has neither (no
/// CSRF check). An error when the store cannot be read: the caller answers 500 and nobody is
/// logged out for it.
Result<std::optional<Principal>> Authenticate(AdminContext& ctx, const httplib::Request& req);

}  // namespace opencapf::admin
