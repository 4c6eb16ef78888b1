#pragma once

// The site's only style sheet and script, compiled into the binary (nothing to install beside
// it) and served under /static/ to anyone: the login page needs them before a session exists,
// and they hold nothing secret. The Content-Security-Policy allows no inline script or style, so
// every bit of behaviour and look is here.

#include <httplib.h>

#include <string_view>

namespace opencapf::admin {

/// /static/style.css
std::string_view StyleSheet();
/// /static/app.js
std::string_view AppScript();

/// GET /static/style.css and /static/app.js.
void RegisterStaticAssets(httplib::Server& server);

}  // namespace opencapf::admin
