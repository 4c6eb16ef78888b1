// The web pages and /static/.
#include "admin/routes.h"

namespace opencapf::admin {

void RegisterPages(httplib::Server&, AdminContext&) {}

}  // namespace opencapf::admin
