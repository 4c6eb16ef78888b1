#pragma once

// The frame every page of the administration site shares: head, navigation, logout form,
// and the error page. Pages are server-rendered HTML; their script and style come from
// /static/ (the Content-Security-Policy allows nothing inline).

#include <string>
#include <string_view>

#include "admin/auth.h"

namespace opencapf::admin {

/// Navigation entries, by the path they open.
enum class Nav { kNone, kDashboard, kDevices, kImport, kReport, kCertificates, kItl, kAudit };

/// A whole page: `title` in the head and as the heading, `body` (already HTML) below it.
/// `who` empty renders the frame without navigation (the login page).
std::string Layout(const Principal* who, std::string_view title, Nav active, std::string_view body);

/// A page that says what went wrong and what to do.
std::string ErrorPage(const Principal& who, std::string_view title, std::string_view message);

/// A hidden form field carrying the session's CSRF token.
std::string CsrfField(const Principal& who);

}  // namespace opencapf::admin
